import { randomBytes, scrypt, timingSafeEqual, type ScryptOptions } from 'node:crypto';
import { readFile, stat } from 'node:fs/promises';
import { dirname } from 'node:path';
import { HuxiaoError } from '../errors.js';
import { writeFileAtomic } from './atomic-file.js';

/**
 * scrypt with N = 2^14, r = 8, p = 1: 16 MiB and some 50 ms per try on a gateway-class CPU, the cost the scrypt paper
 * and OWASP give for interactive logins. The parameters are stored with each hash, so they can be raised later
 * without invalidating the passwords already set.
 */
const PARAMS = { ln: 14, r: 8, p: 1 } as const;
const KEY_BYTES = 32;
const SALT_BYTES = 16;
/** Above what any stored hash may ask for: a tampered file cannot make a login allocate gigabytes. */
const MAX_LN = 20;
const MAX_R = 16;
const MAX_P = 16;
export const MIN_PASSWORD_LENGTH = 8;

const FORMAT = /^\$scrypt\$ln=(\d{1,2}),r=(\d{1,2}),p=(\d{1,2})\$([A-Za-z0-9+/]+={0,2})\$([A-Za-z0-9+/]+={0,2})$/;

export interface PasswordHash {
  readonly ln: number;
  readonly r: number;
  readonly p: number;
  readonly salt: Buffer;
  readonly key: Buffer;
}

function derive(password: string, salt: Buffer, params: { ln: number; r: number; p: number }, bytes: number): Promise<Buffer> {
  const N = 2 ** params.ln;
  const options: ScryptOptions = { N, r: params.r, p: params.p, maxmem: 256 * N * params.r };
  return new Promise((resolve, reject) => {
    scrypt(password.normalize('NFC'), salt, bytes, options, (error, key) => {
      if (error === null) resolve(key);
      else reject(error);
    });
  });
}

/** The stored form: `$scrypt$ln=14,r=8,p=1$<salt>$<key>` (base64), one line. */
export function formatHash(hash: PasswordHash): string {
  return `$scrypt$ln=${String(hash.ln)},r=${String(hash.r)},p=${String(hash.p)}$${hash.salt.toString('base64')}$${hash.key.toString('base64')}`;
}

export function parseHash(text: string, source: string): PasswordHash {
  const match = FORMAT.exec(text.trim());
  const [ln, r, p] = [Number(match?.[1]), Number(match?.[2]), Number(match?.[3])];
  if (match === null || ln < 10 || ln > MAX_LN || r < 1 || r > MAX_R || p < 1 || p > MAX_P) {
    throw new HuxiaoError('WEB_PASSWORD', `${source}: not a password hash written by \`huxiao web-password\`; set the password again`);
  }
  return { ln, r, p, salt: Buffer.from(match[4] ?? '', 'base64'), key: Buffer.from(match[5] ?? '', 'base64') };
}

export async function hashPassword(password: string): Promise<PasswordHash> {
  if (password.length < MIN_PASSWORD_LENGTH) throw new HuxiaoError('WEB_PASSWORD', `the page's password must have at least ${String(MIN_PASSWORD_LENGTH)} characters`);
  const salt = randomBytes(SALT_BYTES);
  return { ...PARAMS, salt, key: await derive(password, salt, PARAMS, KEY_BYTES) };
}

/** Constant-time comparison of the derived key; a wrong password costs the same scrypt run as a right one. */
export async function verifyPassword(password: string, hash: PasswordHash): Promise<boolean> {
  const key = await derive(password, hash.salt, hash, hash.key.length);
  return timingSafeEqual(key, hash.key);
}

/** The hash in the file; undefined when there is no file (no password set yet). A damaged file is WEB_PASSWORD. */
export async function readPasswordFile(path: string): Promise<PasswordHash | undefined> {
  let text: string;
  try {
    text = await readFile(path, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new HuxiaoError('WEB_PASSWORD', `${path}: cannot read the page's password hash: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return parseHash(text, path);
}

/**
 * Writes the hash of `password` to `path` atomically, mode 0640. Run as root (the install script, `sudo huxiao
 * web-password`), the file gets the group of its directory, as /etc/huxiao is root:huxiao: the service user can read
 * the hash, nobody else can, and nobody but root can change it.
 */
export async function writePasswordFile(path: string, password: string): Promise<void> {
  const hash = await hashPassword(password);
  try {
    const gid = process.getuid?.() === 0 ? (await stat(dirname(path))).gid : undefined;
    await writeFileAtomic(path, `${formatHash(hash)}\n`, { mode: 0o640, ...(gid === undefined ? {} : { gid }) });
  } catch (error) {
    throw new HuxiaoError('WEB_PASSWORD', `${path}: cannot write the page's password hash: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
}
