import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { HuxiaoError } from '../errors.js';

export const KEY_BYTES = 32;
const IV_BYTES = 12;
const TAG_BYTES = 16;
/** First byte of every sealed value, so a later format (another cipher, key rotation) can be told apart. */
const FORMAT = 1;
const HEADER_BYTES = 1 + IV_BYTES + TAG_BYTES;

/**
 * What a ciphertext is bound to: the table, the column, the row's id and its list. A value copied into another row or
 * column, or a row whose plaintext list was changed (a child moved onto a watch list), no longer authenticates.
 */
export interface SealedField {
  readonly column: string;
  readonly id: string;
  readonly list: string;
}

function aad(field: SealedField): Buffer {
  return Buffer.from(JSON.stringify(['huxiao.gallery', field.column, field.id, field.list]), 'utf8');
}

/** AES-256-GCM with a fresh random 96-bit IV per value: [format][iv][tag][ciphertext]. */
export function seal(key: Buffer, plaintext: Buffer, field: SealedField): Buffer {
  const iv = randomBytes(IV_BYTES);
  const cipher = createCipheriv('aes-256-gcm', key, iv, { authTagLength: TAG_BYTES });
  cipher.setAAD(aad(field));
  const body = Buffer.concat([cipher.update(plaintext), cipher.final()]);
  return Buffer.concat([Buffer.from([FORMAT]), iv, cipher.getAuthTag(), body]);
}

/** The plaintext of a sealed value; GALLERY_CORRUPT when it does not authenticate (tampered, moved, other key). */
export function unseal(key: Buffer, sealed: Buffer, field: SealedField): Buffer {
  const where = `person ${field.id}, ${field.column}`;
  if (sealed.length < HEADER_BYTES || sealed[0] !== FORMAT) {
    throw new HuxiaoError('GALLERY_CORRUPT', `${where}: not a sealed value of format ${String(FORMAT)} (${String(sealed.length)} bytes)`);
  }
  const decipher = createDecipheriv('aes-256-gcm', key, sealed.subarray(1, 1 + IV_BYTES), { authTagLength: TAG_BYTES });
  decipher.setAAD(aad(field));
  decipher.setAuthTag(sealed.subarray(1 + IV_BYTES, HEADER_BYTES));
  try {
    return Buffer.concat([decipher.update(sealed.subarray(HEADER_BYTES)), decipher.final()]);
  } catch (error) {
    throw new HuxiaoError('GALLERY_CORRUPT', `${where}: fails authentication (changed, moved from another row or list, or sealed with another key)`, { cause: error });
  }
}
