import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LineSplitter } from '../../../edge/process/line-splitter.js';

describe('LineSplitter', () => {
  it('joins lines split across chunks and handles \\r progress lines', () => {
    const lines: string[] = [];
    const splitter = new LineSplitter();
    for (const chunk of ['first li', 'ne\nsecond\r', '\nthird\rfourth', ' tail']) splitter.push(chunk, (line) => lines.push(line));
    splitter.flush((line) => lines.push(line));
    assert.deepEqual(lines, ['first line', 'second', 'third', 'fourth tail']);
  });
});
