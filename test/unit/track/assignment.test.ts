import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { assign } from '../../../edge/track/assignment.js';

describe('assignment', () => {
  it('finds the optimum where greedy picking of the cheapest pair fails', () => {
    // Greedy takes (0,0)=0.1 first and is then forced into (1,1)=0.9: total 1.0; the optimum is 0.2 + 0.3 = 0.5.
    assert.deepEqual(
      assign(
        [
          [0.1, 0.2],
          [0.3, 0.9],
        ],
        1,
      ),
      [
        [0, 1],
        [1, 0],
      ],
    );
  });

  it('handles more rows or more columns and drops forbidden pairs', () => {
    assert.deepEqual(assign([[0.5], [0.2], [0.9]], 1), [[1, 0]]);
    assert.deepEqual(assign([[0.9, 0.2, 0.5]], 1), [[0, 1]]);
    assert.deepEqual(
      assign(
        [
          [2, 2],
          [2, 0.4],
        ],
        1,
      ),
      [[1, 1]],
    );
    assert.deepEqual(assign([], 1), []);
  });

  it('does not give up an allowed pair to spare a row forbidden pairs of different costs', () => {
    // Uncapped, pairing (0,0) and (1,1) costs 2.4 against 3.5 for the other way, and both pairs are forbidden: no
    // match at all. Capped at `forbidden`, row 0 stays unmatched and (1,0) is kept.
    assert.deepEqual(
      assign(
        [
          [1.2, 3],
          [0.5, 1.2],
        ],
        1,
      ),
      [[1, 0]],
    );
  });
});
