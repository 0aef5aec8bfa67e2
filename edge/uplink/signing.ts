import { createPublicKey, verify, type KeyObject } from 'node:crypto';
import { readFileSync } from 'node:fs';
import { HuxiaoError } from '../errors.js';

/** JSON with object keys sorted at every level: the byte string both sides sign and verify. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map(canonicalJson).join(',')}]`;
  if (value !== null && typeof value === 'object') {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, v]) => v !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0));
    return `{${entries.map(([key, v]) => `${JSON.stringify(key)}:${canonicalJson(v)}`).join(',')}}`;
  }
  return JSON.stringify(value);
}

/**
 * What the centre signs: the command name and the target gateway are inside the signature, so a signed `ack` for one
 * gateway cannot be replayed as another command or to another gateway.
 */
export function signedText(input: { command: string; gateway: string; ts: number; nonce: string; args: Readonly<Record<string, unknown>> }): string {
  return canonicalJson({ args: input.args, command: input.command, gateway: input.gateway, nonce: input.nonce, ts: input.ts });
}

export function loadPublicKey(path: string): KeyObject {
  let pem: string;
  try {
    pem = readFileSync(path, 'utf8');
  } catch (error) {
    throw new HuxiaoError('CONFIG_INVALID', `mqtt.commands.signing.publicKey: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
  let key: KeyObject;
  try {
    key = createPublicKey(pem);
  } catch (error) {
    throw new HuxiaoError('CONFIG_INVALID', `mqtt.commands.signing.publicKey: ${path} is not a PEM public key`, { cause: error });
  }
  if (key.asymmetricKeyType !== 'ed25519') throw new HuxiaoError('CONFIG_INVALID', `mqtt.commands.signing.publicKey: ${path} is a ${String(key.asymmetricKeyType)} key, expected ed25519`);
  return key;
}

export function verifySignature(key: KeyObject, text: string, signatureBase64: string): boolean {
  const signature = Buffer.from(signatureBase64, 'base64');
  if (signature.length !== 64) return false;
  return verify(null, Buffer.from(text, 'utf8'), key, signature);
}

/** Nonces seen within the freshness window; older ones are forgotten because the timestamp check already refuses them. */
export class NonceCache {
  readonly #seen = new Map<string, number>();
  readonly #windowMs: number;

  constructor(windowMs: number) {
    this.#windowMs = windowMs;
  }

  /** Records the nonce; false if it was already used within the window. */
  use(nonce: string, now: number): boolean {
    for (const [seen, at] of this.#seen) {
      if (at >= now - 2 * this.#windowMs) break;
      this.#seen.delete(seen);
    }
    if (this.#seen.has(nonce)) return false;
    this.#seen.set(nonce, now);
    return true;
  }
}
