import type { Database, Statement } from 'better-sqlite3';

export interface AuditRecord {
  readonly at: number;
  readonly command: string;
  /** Correlation data of the request, hex, when it had one. */
  readonly correlation: string | null;
  readonly outcome: 'ok' | 'error';
  readonly code: string | null;
  /** Short description: the arguments summary or the error message. Never secrets, never biometric data. */
  readonly detail: string | null;
}

/** Audit log of every command received, accepted or not. Written durably: it is the record of who signed for what. */
export class AuditLog {
  readonly #insert: Statement;
  readonly #recent: Statement;

  constructor(db: Database) {
    this.#insert = db.prepare('INSERT INTO audit (at, command, correlation, outcome, code, detail) VALUES (@at, @command, @correlation, @outcome, @code, @detail)');
    this.#recent = db.prepare('SELECT at, command, correlation, outcome, code, detail FROM audit ORDER BY id DESC LIMIT ?');
  }

  record(entry: AuditRecord): void {
    this.#insert.run(entry);
  }

  /** Newest first. */
  recent(limit: number): AuditRecord[] {
    return this.#recent.all(limit) as AuditRecord[];
  }
}
