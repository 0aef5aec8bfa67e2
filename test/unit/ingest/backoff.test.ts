import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { Backoff } from '../../../edge/ingest/backoff.js';

describe('Backoff', () => {
  it('doubles up to the maximum, each delay between half and all of its step', () => {
    const low = new Backoff({ initialMs: 1000, maxMs: 8000, random: () => 0 });
    const high = new Backoff({ initialMs: 1000, maxMs: 8000, random: () => 0.999999 });
    assert.deepEqual([1, 2, 3, 4, 5].map(() => low.next()), [500, 1000, 2000, 4000, 4000]);
    assert.deepEqual([1, 2, 3, 4, 5].map(() => high.next()), [1000, 2000, 4000, 8000, 8000]);
  });

  it('starts over after reset', () => {
    const backoff = new Backoff({ initialMs: 100, maxMs: 10_000, random: () => 0 });
    backoff.next();
    backoff.next();
    backoff.reset();
    assert.equal(backoff.next(), 50);
  });
});
