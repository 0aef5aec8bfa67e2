import { moduleLogger } from '../log.js';
import type { Store } from '../store/store.js';

export interface WebAuditEntry {
  /** web.ack, web.resolve, web.zones, web.speaker-test: the page's counterparts of the MQTT commands. */
  readonly command: string;
  /** `web:<name typed at login>`. */
  readonly actor: string;
  readonly outcome: 'ok' | 'error';
  readonly code?: string;
  /** What was done or why it failed; never a password, a session id or a face. */
  readonly detail?: string;
}

const log = moduleLogger('web-audit');

/**
 * One audit row per change made on the page, accepted or not, in the table the MQTT commands are audited in. The
 * actor leads the detail ("by web:Li Wei: ...") since the table has no column of its own for it.
 */
export function auditWeb(store: Store, entry: WebAuditEntry, at = Date.now()): void {
  const detail = `by ${entry.actor}${entry.detail === undefined ? '' : `: ${entry.detail}`}`.slice(0, 500);
  try {
    store.durable(() => {
      store.audit.record({ at, command: entry.command, correlation: null, outcome: entry.outcome, code: entry.code ?? null, detail });
    });
  } catch (error) {
    log.error({ err: error, command: entry.command }, 'audit row not written');
  }
}
