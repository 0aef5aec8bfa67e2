import { randomBytes, timingSafeEqual } from 'node:crypto';

export interface Session {
  /** Sent only as the HttpOnly cookie; never logged. */
  readonly id: string;
  /** Who logged in, as typed on the login page; alerts and the audit log record it as `web:<user>`. */
  readonly user: string;
  /** The synchronizer token every change must carry in the x-csrf-token header. */
  readonly csrf: string;
  readonly expiresAt: number;
}

export interface SessionsOptions {
  readonly ttlMs: number;
  readonly clock?: () => number;
  /** Sessions kept at most; the oldest goes first. A few installers and a guard room need a handful. */
  readonly max?: number;
}

const token = (): string => randomBytes(32).toString('base64url');

/**
 * Login sessions in memory: a restart of the gateway logs everyone out, which is acceptable for a page used during
 * installation and by the guard room, and keeps session ids out of the store and its backups. Expiry is absolute
 * (ttl after login), so a session found on a shared laptop ends even if it is kept busy.
 */
export class Sessions {
  readonly #options: SessionsOptions;
  readonly #sessions = new Map<string, Session>();

  constructor(options: SessionsOptions) {
    this.#options = options;
  }

  create(user: string): Session {
    this.#sweep();
    const max = this.#options.max ?? 50;
    for (const id of this.#sessions.keys()) {
      if (this.#sessions.size < max) break;
      this.#sessions.delete(id);
    }
    const session: Session = { id: token(), user, csrf: token(), expiresAt: this.#now() + this.#options.ttlMs };
    this.#sessions.set(session.id, session);
    return session;
  }

  /** The live session with this id; undefined when unknown or expired. */
  get(id: string | undefined): Session | undefined {
    if (id === undefined || id === '') return undefined;
    const session = this.#sessions.get(id);
    if (session === undefined) return undefined;
    if (session.expiresAt <= this.#now()) {
      this.#sessions.delete(id);
      return undefined;
    }
    return session;
  }

  delete(id: string | undefined): void {
    if (id !== undefined) this.#sessions.delete(id);
  }

  get size(): number {
    return this.#sessions.size;
  }

  #sweep(): void {
    const now = this.#now();
    for (const [id, session] of this.#sessions) if (session.expiresAt <= now) this.#sessions.delete(id);
  }

  #now(): number {
    return (this.#options.clock ?? Date.now)();
  }
}

/** Constant-time check of a CSRF token from a request header against the session's. */
export function csrfMatches(session: Session, header: string | string[] | undefined): boolean {
  if (typeof header !== 'string') return false;
  const given = Buffer.from(header);
  const expected = Buffer.from(session.csrf);
  return given.length === expected.length && timingSafeEqual(given, expected);
}
