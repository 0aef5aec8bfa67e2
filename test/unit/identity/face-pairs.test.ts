import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { isHuxiaoError } from '../../../edge/errors.js';
import { parsePairs } from '../../../edge/identity/face-pairs.js';

const CSV = '/data/check/pairs.csv';

function failure(text: string): string {
  try {
    parsePairs(text, CSV);
  } catch (error) {
    assert.ok(isHuxiaoError(error) && error.code === 'FACE_PAIRS', String(error));
    return error.message;
  }
  assert.fail('expected FACE_PAIRS');
}

describe('pairs CSV', () => {
  it('reads a and b relative to the CSV folder, with same as yes / no', () => {
    const pairs = parsePairs('a,b,same\namy/1.png,amy/2.png,yes\n/abs/x.jpg, ../y.jpg ,NO\n', CSV);
    assert.deepEqual(pairs, [
      { line: 2, a: 'amy/1.png', b: 'amy/2.png', pathA: '/data/check/amy/1.png', pathB: '/data/check/amy/2.png', same: true },
      { line: 3, a: '/abs/x.jpg', b: '../y.jpg', pathA: '/abs/x.jpg', pathB: '/data/y.jpg', same: false },
    ]);
  });

  it('takes the columns in any order, quoted fields, a BOM, CRLF and blank lines; same is optional', () => {
    const pairs = parsePairs('\uFEFFB,A\r\n\r\n"my photos/b, 2.jpg","say ""cheese"".png"\r\n', CSV);
    assert.deepEqual(pairs, [{ line: 3, a: 'say "cheese".png', b: 'my photos/b, 2.jpg', pathA: '/data/check/say "cheese".png', pathB: '/data/check/my photos/b, 2.jpg' }]);
  });

  it('names the file and line of each problem', () => {
    assert.equal(failure(''), `${CSV}: empty; expected a header line such as "a,b,same" and one line per pair`);
    assert.match(failure('left,right\nx,y\n'), /pairs\.csv line 1: the header must name the columns a and b/);
    assert.equal(failure('a,b,same\nx.png,y.png,maybe\n'), `${CSV} line 2: same must be yes or no, got "maybe"`);
    assert.equal(failure('a,b\nx.png,y.png\nx.png\n'), `${CSV} line 3: expected 2 fields like the header, got 1`);
    assert.equal(failure('a,b\n"x.png,y.png\n'), `${CSV} line 2: unclosed quote`);
    assert.equal(failure('a,b\nx.png,\n'), `${CSV} line 2: a photo path is empty`);
    assert.equal(failure('a,b,same\n\n'), `${CSV}: no pairs after the header`);
  });
});
