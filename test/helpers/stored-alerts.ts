import type { Alert } from '../../edge/store/alert.js';
import type { Store } from '../../edge/store/store.js';

/** A valid alert record; the id follows the seq, so alerts of different seqs never share an id. */
export function testAlert(seq: number, overrides: Partial<Alert> = {}): Alert {
  return {
    id: `01ARZ3NDEKTSV4RRFF${String(seq).padStart(8, '0')}`,
    seq,
    gateway: 'gw-1',
    type: 'intrusion',
    severity: 'critical',
    camera: 'pond-east',
    zone: 'water',
    rule: 'pond-fence',
    trackId: seq,
    label: 'person',
    score: 0.9,
    box: null,
    details: {},
    source: null,
    cameras: ['pond-east'],
    firstSeenAt: 1000,
    lastSeenAt: 1000,
    decidedAt: 1000,
    raisedAt: 1000,
    count: 1,
    state: 'raised',
    clearedAt: null,
    identity: null,
    snapshot: null,
    ...overrides,
  };
}

/** Inserts an alert row and returns the alert, for store tests that queue outbox entries (each references its alert). Call it inside Store.durable(). */
export function insertAlert(store: Store, overrides: Partial<Alert> = {}): Alert {
  const alert = testAlert(store.alerts.nextSeq(), overrides);
  store.alerts.insert(alert);
  return alert;
}
