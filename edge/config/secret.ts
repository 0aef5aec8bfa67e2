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

/** A secret given inline, as { env: NAME } or as { file: PATH }; resolved once while the config loads. */
export const secretSchema = z
  .union([inline, fromEnv, fromFile])
  .transform((ref, ctx): Secret => {
    if (typeof ref === 'string') return new Secret(ref);
    if ('env' in ref) {
      const value = process.env[ref.env];
      if (value === undefined || value === '') {
        ctx.addIssue({ code: 'custom', message: `environment variable ${ref.env} is not set` });
        return z.NEVER;
      }
      return new Secret(value);
    }
    try {
      return new Secret(readFileSync(ref.file, 'utf8').replace(/\r?\n$/, ''));
    } catch (error) {
      ctx.addIssue({ code: 'custom', message: `cannot read secret file ${ref.file}: ${(error as NodeJS.ErrnoException).code ?? String(error)}` });
      return z.NEVER;
    }
  })
  .describe('A secret: inline text, { env: VARIABLE } or { file: /path/to/file }. Prefer env or file so the config can be shared.');
