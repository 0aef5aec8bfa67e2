import { randomBytes } from 'node:crypto';
import { closeSync, fsyncSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { HuxiaoError } from '../errors.js';
import { KEY_BYTES } from './gallery-crypto.js';

function reason(error: unknown): string {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' ? code : error instanceof Error ? error.message : String(error);
}

/**
 * The gallery key: exactly 32 raw bytes in a file of its own that only its owner can read (like ssh refuses a private
 * key open to others). Undefined when the file does not exist; every other problem is GALLERY_KEY.
 */
export function readGalleryKey(path: string): Buffer | undefined {
  let stat;
  try {
    stat = statSync(path);
  } catch (error) {
    if (reason(error) === 'ENOENT') return undefined;
    throw new HuxiaoError('GALLERY_KEY', `${path}: cannot read the gallery key file (${reason(error)})`, { cause: error });
  }
  if (!stat.isFile()) throw new HuxiaoError('GALLERY_KEY', `${path}: the gallery key is not a regular file`);
  if ((stat.mode & 0o077) !== 0) {
    throw new HuxiaoError('GALLERY_KEY', `${path}: the gallery key file is open to other users (mode ${(stat.mode & 0o777).toString(8)}); chmod 600 it`);
  }
  let key: Buffer;
  try {
    key = readFileSync(path);
  } catch (error) {
    throw new HuxiaoError('GALLERY_KEY', `${path}: cannot read the gallery key file (${reason(error)})`, { cause: error });
  }
  if (key.length !== KEY_BYTES) throw new HuxiaoError('GALLERY_KEY', `${path}: the gallery key file holds ${String(key.length)} bytes, expected ${String(KEY_BYTES)}`);
  return key;
}

/**
 * Writes a new random key, mode 0600, failing if the file appeared meanwhile (O_EXCL): a key is never overwritten.
 * Callers create one only while the gallery holds no person (see Gallery.start).
 */
export function createGalleryKey(path: string): Buffer {
  const key = randomBytes(KEY_BYTES);
  let fd: number;
  try {
    fd = openSync(path, 'wx', 0o600);
  } catch (error) {
    throw new HuxiaoError('GALLERY_KEY', `${path}: cannot create the gallery key file (${reason(error)}); create it as root: head -c 32 /dev/urandom > ${path}, then chown it to the service user and chmod 600`, { cause: error });
  }
  try {
    writeSync(fd, key);
    fsyncSync(fd);
  } catch (error) {
    closeSync(fd);
    // A partial key must not be mistaken for the real one at the next start.
    unlinkSync(path);
    throw new HuxiaoError('GALLERY_KEY', `${path}: cannot write the gallery key file (${reason(error)})`, { cause: error });
  }
  closeSync(fd);
  return key;
}
