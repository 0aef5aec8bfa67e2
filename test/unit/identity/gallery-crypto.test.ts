import assert from 'node:assert/strict';
import { randomBytes } from 'node:crypto';
import { describe, it } from 'node:test';
import { HuxiaoError } from '../../../edge/errors.js';
import { seal, unseal, type SealedField } from '../../../edge/identity/gallery-crypto.js';

const key = randomBytes(32);
const field: SealedField = { column: 'gallery_persons.details', id: 'S001', list: 'students' };
const plaintext = Buffer.from('{"name":"张三","class":"三年级二班"}', 'utf8');

function corrupt(run: () => unknown): void {
  assert.throws(run, (error: unknown) => error instanceof HuxiaoError && error.code === 'GALLERY_CORRUPT' && /^person S00\d, gallery_persons\./.test(error.message));
}

describe('gallery crypto (AES-256-GCM)', () => {
  it('round-trips, with a fresh IV per value: the same plaintext never gives the same bytes', () => {
    const a = seal(key, plaintext, field);
    const b = seal(key, plaintext, field);
    assert.deepEqual(unseal(key, a, field), plaintext);
    assert.notDeepEqual(a.subarray(1, 13), b.subarray(1, 13));
    assert.notDeepEqual(a.subarray(13), b.subarray(13));
    assert.equal(a.length, 1 + 12 + 16 + plaintext.length);
    assert.equal(a.indexOf(plaintext.subarray(0, 8)), -1);
  });

  it('refuses a value with any byte changed: format, IV, tag or ciphertext', () => {
    const sealed = seal(key, plaintext, field);
    for (const at of [0, 1, 12, 13, 28, 29, sealed.length - 1]) {
      const tampered = Buffer.from(sealed);
      tampered[at] = (tampered[at] ?? 0) ^ 0x01;
      corrupt(() => unseal(key, tampered, field));
    }
    corrupt(() => unseal(key, sealed.subarray(0, sealed.length - 1), field));
    corrupt(() => unseal(key, sealed.subarray(0, 20), field));
  });

  it('refuses another key', () => {
    corrupt(() => unseal(randomBytes(32), seal(key, plaintext, field), field));
  });

  it('binds the row id, the column and the list: a ciphertext moved elsewhere does not open', () => {
    const sealed = seal(key, plaintext, field);
    corrupt(() => unseal(key, sealed, { ...field, id: 'S002' }));
    corrupt(() => unseal(key, sealed, { ...field, column: 'gallery_persons.embeddings' }));
    corrupt(() => unseal(key, sealed, { ...field, list: 'keypersons:theft' }));
    assert.deepEqual(unseal(key, sealed, { ...field }), plaintext);
  });
});
