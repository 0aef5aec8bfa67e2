import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { hamming } from '../../../edge/identity/gallery-codes.js';

function bitCount(word: number): number {
  let count = 0;
  for (let bit = 0; bit < 32; bit += 1) count += (word >>> bit) & 1;
  return count;
}

describe('code distances', () => {
  it('counts the differing bits of every length, past the folds at 30 and 60 words, from any offset', () => {
    let seed = 7;
    const random = (): number => {
      seed = (Math.imul(seed, 1_103_515_245) + 12_345) | 0;
      return seed;
    };
    for (let words = 0; words <= 70; words += 1) {
      const a = Int32Array.from({ length: words + 5 }, random);
      const b = Int32Array.from({ length: words }, random);
      let expected = 0;
      for (let w = 0; w < words; w += 1) expected += bitCount((a[w + 5] ?? 0) ^ (b[w] ?? 0));
      assert.equal(hamming(a, 5, b, words), expected, `${String(words)} words`);
    }
    // Every bit different: the most any count can be, where an 8-bit sum would have overflowed.
    const ones = new Int32Array(64).fill(-1);
    assert.equal(hamming(ones, 0, new Int32Array(64), 64), 64 * 32);
  });
});
