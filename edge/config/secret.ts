import { readFileSync } from 'node:fs';
import { z } from 'zod';

/**
 * A value that must not be printed. JSON and inspection show "[redacted]"; only reveal() gives the text,
 * so a config object can be logged or dumped without leaking camera or broker passwords.
 */
export class Secret {
  readonly #value: string;

  constructor(value: string) {
    this.#value = value;
  }

  reveal(): string {
    return this.#value;
  }

  /** Compares by value without revealing either, so a config reload sees a changed password. */
  sameAs(other: Secret): boolean {
    return this.#value === other.#value;
  }

  toJSON(): string {
    return '[redacted]';
  }

  toString(): string {
    return '[redacted]';
  }

  [Symbol.for('nodejs.util.inspect.custom')](): string {
    return 'Secret([redacted])';
  }
}

const inline = z.string().min(1);
const fromEnv = z.object({ env: z.string().regex(/^[A-Za-z_][A-Za-z0-9_]*$/).describe('Name of the environment variable holding the value.') }).strict();
const fromFile = z.object({ file: z.string().min(1).describe('Path of a file holding the value; one trailing newline is ignored.') }).strict();

type SecretRef = z.output<typeof inline> | z.output<typeof fromEnv> | z.output<typeof fromFile>;

/** The secret a reference names, or why it cannot be had. */
function resolve(ref: SecretRef): Secret | string {
  if (typeof ref === 'string') return new Secret(ref);
  if ('env' in ref) {
    const value = process.env[ref.env];
    return value === undefined || value === '' ? `environment variable ${ref.env} is not set` : new Secret(value);
  }
  try {
    return new Secret(readFileSync(ref.file, 'utf8').replace(/\r?\n$/, ''));
  } catch (error) {
    return `cannot read secret file ${ref.file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`;
  }
}

/** Placeholders of the secrets that could not be resolved, with why, while deferringSecrets() runs; otherwise undefined. */
let deferred: Map<Secret, string> | undefined;

/**
 * Runs `parse` with every secret that cannot be resolved replaced by an empty placeholder instead of an error, and
 * returns which placeholder stands for which problem. Parsing is synchronous, so no other parse can see the setting.
 * For validating a file on a machine without the gateway's secrets (`huxiao check --no-secrets`); a config parsed
 * this way is for reporting only, never for running.
 */
export function deferringSecrets<T>(parse: () => T): { readonly result: T; readonly unresolved: ReadonlyMap<Secret, string> } {
  const outer = deferred;
  const unresolved = new Map<Secret, string>();
  deferred = unresolved;
  try {
    return { result: parse(), unresolved };
  } finally {
    deferred = outer;
  }
}

/** A secret given inline, as { env: NAME } or as { file: PATH }; resolved once while the config loads. */
export const secretSchema = z
  .union([inline, fromEnv, fromFile])
  .transform((ref, ctx): Secret => {
    const secret = resolve(ref);
    if (secret instanceof Secret) return secret;
    if (deferred !== undefined) {
      const placeholder = new Secret('');
      deferred.set(placeholder, secret);
      return placeholder;
    }
    ctx.addIssue({ code: 'custom', message: secret });
    return z.NEVER;
  })
  .describe('A secret: inline text, { env: VARIABLE } or { file: /path/to/file }. Prefer env or file so the config can be shared.');
