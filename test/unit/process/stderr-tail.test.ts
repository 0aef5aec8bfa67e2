import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { StderrTail } from '../../../edge/process/stderr-tail.js';

describe('StderrTail', () => {
  it('keeps the last lines, oldest first, however often the ring wrapped', () => {
    const tail = new StderrTail({ lines: 3 });
    for (let index = 1; index <= 10; index++) tail.push(`line ${String(index)}`);
    assert.deepEqual(tail.lines(), ['line 8', 'line 9', 'line 10']);
  });

  it('keeps fewer lines when they exceed the character budget, and always the newest', () => {
    const tail = new StderrTail({ lines: 10, chars: 10 });
    for (const line of ['aaaa', 'bbbb', 'cccc']) tail.push(line);
    assert.deepEqual(tail.lines(), ['bbbb', 'cccc']);
    tail.push('dddddddd');
    assert.deepEqual(tail.lines(), ['dddddddd']);
  });

  it('cuts a single line longer than the budget, keeping its start', () => {
    const tail = new StderrTail({ lines: 4, chars: 8 });
    tail.push('0123456789abcdef');
    assert.deepEqual(tail.lines(), ['0123456…']);
  });

  it('is empty before any line and refuses a zero-line ring', () => {
    assert.deepEqual(new StderrTail().lines(), []);
    assert.throws(() => new StderrTail({ lines: 0 }), RangeError);
  });
});
