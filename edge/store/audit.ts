import type { Database, Statement } from 'better-sqlite3';

export interface AuditRecord {
  readonly at: number;
  readonly command: string;
  /** Correlation data of the request, hex, when it had one. */
  readonly correlation: string | null;
  readonly outcome: 'ok' | 'error';
  readonly code: string | null;
  /** Short description: the arguments summary or the error message. Never secrets, never biometric data, never names. */
  readonly detail: string | null;
  /** Who did it, when the change names an operator (a gallery enrollment's "by"). */
  readonly actor?: string | null;
  /** What it was done to, by id (a gallery person id). */
  readonly subject?: string | null;
}

interface AuditRow extends Omit<AuditRecord, 'actor' | 'subject'> {
  readonly actor: string | null;
  readonly subject: string | null;
}

/**
 * Audit log of every command received, accepted or not, and of every gallery change (enrollment, change, removal).
 * Written durably: it is the record of who signed for what.
 */
export class AuditLog {
  readonly #insert: Statement;
  readonly #recent: Statement;

  constructor(db: Database) {
    this.#insert = db.prepare(
      'INSERT INTO audit (at, command, correlation, outcome, code, detail, actor, subject) VALUES (@at, @command, @correlation, @outcome, @code, @detail, @actor, @subject)',
    );
    this.#recent = db.prepare('SELECT at, command, correlation, outcome, code, detail, actor, subject FROM audit ORDER BY id DESC LIMIT ?');
  }

  record(entry: AuditRecord): void {
    this.#insert.run({ ...entry, actor: entry.actor ?? null, subject: entry.subject ?? null });
  }

  /** Newest first. Actor and subject appear on the rows that have them. */
  recent(limit: number): AuditRecord[] {
    return (this.#recent.all(limit) as AuditRow[]).map(({ actor, subject, ...rest }) => ({
      ...rest,
      ...(actor === null ? {} : { actor }),
      ...(subject === null ? {} : { subject }),
    }));
  }
}
