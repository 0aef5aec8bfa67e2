import { monotonicFactory } from 'ulidx';
import type { AlertsConfig } from '../config/alerts.js';
import { HuxiaoError } from '../errors.js';
import type { RgbImage } from '../ingest/frame.js';
import { moduleLogger } from '../log.js';
import type { Identity, RuleClear, RuleHit, RuleIdentified } from '../rules/hit.js';
import type { Alert, AlertEvent, AlertEventKind, AlertIdentity, AlertState } from '../store/alert.js';
import { LANES, type AlertChange, type Lane } from '../store/outbox.js';
import type { Retention } from '../store/retention.js';
import { isDiskFull, type Store } from '../store/store.js';
import { SnapshotWriter, type SnapshotJob } from './snapshot-writer.js';

export interface AlertServiceContext {
  readonly store: Store;
  readonly gatewayId: string;
  readonly config: AlertsConfig;
  /** Directory for snapshot files (the store keeps paths relative to it). */
  readonly snapshotsDir: string;
  /** Cooldown of a rule from the rules config; undefined falls back to alerts.defaultCooldownSeconds. */
  readonly cooldownSeconds?: (rule: string) => number | undefined;
  /** Makes room before snapshots are written and is told about a full disk. */
  readonly retention?: Retention;
  /** Wall clock, ms (raisedAt, state changes, expiry); injectable for tests. */
  readonly clock?: () => number;
}

export interface EmergencyInput {
  /** What raised it, e.g. the button id "gate-button". */
  readonly source: string;
  /** Cameras nearest to the source; the first one names the alert's camera. */
  readonly cameras: readonly string[];
  /** Latest frame of each camera that had one. */
  readonly snapshots: readonly { readonly camera: string; readonly image: RgbImage }[];
}

export type AlertListener = (event: AlertEvent) => void;

const log = moduleLogger('alerts');
const EMERGENCY_RULE = 'emergency-button';

function laneOf(alert: Pick<Alert, 'severity'>): Lane {
  return alert.severity === 'emergency' ? LANES.emergency : LANES.normal;
}

function identityOf(identity: Identity): AlertIdentity {
  return { personId: identity.personId, list: identity.list, score: identity.score };
}

/**
 * The alert lifecycle. Every change is committed (alert row, state row, outbox entry) in one synchronous transaction
 * before the method returns and before listeners (voice, uplink) hear of it: write-ahead. Snapshots follow
 * asynchronously and are published after the alert.
 */
export class AlertService {
  readonly context: AlertServiceContext;
  readonly #listeners = new Set<AlertListener>();
  readonly #pending = new Set<Promise<void>>();
  readonly #ulid = monotonicFactory();
  #snapshots: SnapshotWriter | undefined;
  #timer: NodeJS.Timeout | undefined;

  constructor(context: AlertServiceContext) {
    this.context = context;
  }

  start(): void {
    this.#snapshots = new SnapshotWriter({
      store: this.context.store,
      snapshotsDir: this.context.snapshotsDir,
      options: this.context.config.snapshot,
      clock: this.#clock,
      ...(this.context.retention === undefined ? {} : { retention: this.context.retention }),
    });
    this.#timer = setInterval(() => {
      try {
        this.expireDue();
      } catch (error) {
        log.error({ err: error }, 'expiry run failed');
      }
    }, this.context.config.expiryCheckSeconds * 1000);
    this.#timer.unref();
  }

  /** Stops expiry and waits for the snapshots under way, so they are on disk before the store closes. */
  async stop(): Promise<void> {
    clearInterval(this.#timer);
    this.#timer = undefined;
    await this.idle();
  }

  /** Resolves when every snapshot started so far is written (or failed and was logged). */
  async idle(): Promise<void> {
    while (this.#pending.size > 0) await Promise.all([...this.#pending]);
  }

  /** Subscribes to lifecycle events; returns the unsubscribe function. A throwing listener is logged, never breaks the others. */
  onEvent(listener: AlertListener): () => void {
    this.#listeners.add(listener);
    return () => this.#listeners.delete(listener);
  }

  get(id: string): Alert | undefined {
    return this.context.store.alerts.get(id, this.context.gatewayId);
  }

  /**
   * Commits a new alert, or merges the hit into the open alert of the same rule, camera and track decided within the
   * rule's cooldown (count and lastSeenAt grow, the alert is not republished). Throws STORE_FULL when it cannot be written.
   */
  raise(hit: RuleHit): Alert {
    const { store, gatewayId } = this.context;
    const now = this.#clock();
    const key = { rule: hit.rule, camera: hit.camera, trackId: hit.trackId ?? null };
    const cooldownMs = (this.context.cooldownSeconds?.(hit.rule) ?? this.context.config.defaultCooldownSeconds) * 1000;
    const result = this.#commit(`alert for rule ${hit.rule}`, () => {
      const open = cooldownMs > 0 ? store.alerts.findRepeat(key, hit.decidedAt - cooldownMs, gatewayId) : undefined;
      if (open !== undefined) {
        const identified = open.identity === null && hit.identity !== undefined;
        const updated: Alert = {
          ...open,
          count: open.count + 1,
          lastSeenAt: Math.max(open.lastSeenAt, hit.decidedAt),
          clearedAt: null,
          identity: identified ? identityOf(hit.identity) : open.identity,
        };
        if (identified) this.#change(updated, 'identified', now, null, null);
        else store.alerts.update(updated, now);
        return { kind: 'updated' as const, alert: updated };
      }
      const id = this.#ulid(now);
      const alert: Alert = {
        id,
        seq: store.alerts.nextSeq(),
        gateway: gatewayId,
        type: hit.type,
        severity: hit.severity,
        camera: hit.camera,
        zone: hit.zone,
        rule: hit.rule,
        trackId: key.trackId,
        label: hit.label ?? null,
        score: hit.score ?? null,
        box: hit.box === undefined ? null : { x1: hit.box.x1, y1: hit.box.y1, x2: hit.box.x2, y2: hit.box.y2 },
        details: { ...hit.details },
        source: null,
        cameras: [hit.camera],
        firstSeenAt: hit.firstSeenAt,
        lastSeenAt: hit.decidedAt,
        decidedAt: hit.decidedAt,
        raisedAt: now,
        count: 1,
        state: 'raised',
        clearedAt: null,
        identity: hit.identity === undefined ? null : identityOf(hit.identity),
        snapshot: hit.frame === undefined ? null : { crop: hit.box !== undefined },
      };
      this.#insert(alert, now);
      return { kind: 'raised' as const, alert };
    });
    if (result.kind === 'raised' && hit.frame !== undefined) {
      this.#snapshot({ alertId: result.alert.id, lane: laneOf(result.alert), camera: hit.camera, image: hit.frame, box: result.alert.box });
    }
    this.#emit(result.kind, result.alert);
    return result.alert;
  }

  /** The emergency button: severity emergency, published in the emergency lane ahead of any backlog. */
  raiseEmergency(input: EmergencyInput): Alert {
    const { store, gatewayId } = this.context;
    const now = this.#clock();
    const id = this.#ulid(now);
    const withPictures = input.snapshots.map((snapshot) => snapshot.camera);
    const alert = this.#commit('emergency alert', () => {
      const record: Alert = {
        id,
        seq: store.alerts.nextSeq(),
        gateway: gatewayId,
        type: 'emergency',
        severity: 'emergency',
        camera: input.cameras[0] ?? input.source,
        zone: input.source,
        rule: EMERGENCY_RULE,
        trackId: null,
        label: null,
        score: null,
        box: null,
        details: {},
        source: input.source,
        cameras: [...input.cameras],
        firstSeenAt: now,
        lastSeenAt: now,
        decidedAt: now,
        raisedAt: now,
        count: 1,
        state: 'raised',
        clearedAt: null,
        identity: null,
        snapshot: withPictures.length === 0 ? null : { crop: false },
      };
      this.#insert(record, now);
      return record;
    });
    log.warn({ alert: alert.id, seq: alert.seq, source: input.source, cameras: input.cameras }, 'emergency alert raised');
    for (const snapshot of input.snapshots) this.#snapshot({ alertId: id, lane: LANES.emergency, camera: snapshot.camera, image: snapshot.image, box: null });
    this.#emit('raised', alert);
    return alert;
  }

  /** The condition behind a rule's alerts ended (track left or lost): voice stops repeating. Returns the alerts cleared. */
  clear(event: RuleClear): Alert[] {
    const { store, gatewayId } = this.context;
    const now = this.#clock();
    const cleared = this.#commit(`clear of rule ${event.rule}`, () =>
      store.alerts.uncleared({ rule: event.rule, camera: event.camera, trackId: event.trackId ?? null }, gatewayId).map((alert) => {
        const next: Alert = { ...alert, clearedAt: event.at };
        this.#change(next, 'cleared', now, null, null);
        return next;
      }),
    );
    for (const alert of cleared) this.#emit('cleared', alert);
    return cleared;
  }

  /**
   * A track with an open alert was identified after the alert was raised: the uncleared open alerts of its rule,
   * camera and track that have no identity yet get it (an `identified` state change for the centre, `updated` for the
   * voice, whose next repeat names the person). Returns the alerts identified.
   */
  identify(event: RuleIdentified): Alert[] {
    const { store, gatewayId } = this.context;
    const now = this.#clock();
    const identified = this.#commit(`identity for rule ${event.rule}`, () =>
      store.alerts
        .uncleared({ rule: event.rule, camera: event.camera, trackId: event.trackId }, gatewayId)
        .filter((alert) => alert.identity === null)
        .map((alert) => {
          const next: Alert = { ...alert, identity: identityOf(event.identity) };
          this.#change(next, 'identified', now, null, null);
          return next;
        }),
    );
    for (const alert of identified) this.#emit('updated', alert);
    return identified;
  }

  /** Signed for by the centre: raised -> acknowledged. */
  acknowledge(id: string, input: { readonly by: string; readonly note?: string }): Alert {
    return this.#transition(id, 'acknowledged', ['raised'], input.by, input.note ?? null);
  }

  /** Handled, with the feedback of who handled it: raised | acknowledged -> resolved. */
  resolve(id: string, input: { readonly by: string; readonly feedback: string }): Alert {
    return this.#transition(id, 'resolved', ['raised', 'acknowledged'], input.by, input.feedback);
  }

  /** Expires every open alert raised longer than alerts.expireAfterMinutes ago; returns them. */
  expireDue(): Alert[] {
    const { store, gatewayId, config } = this.context;
    const now = this.#clock();
    const expired = this.#commit('expiry', () =>
      store.alerts.dueForExpiry(now - config.expireAfterMinutes * 60_000, gatewayId).map((alert) => {
        const next: Alert = { ...alert, state: 'expired' };
        this.#change(next, 'expired', now, null, null);
        return next;
      }),
    );
    for (const alert of expired) this.#emit('expired', alert);
    return expired;
  }

  #transition(id: string, to: 'acknowledged' | 'resolved', from: readonly AlertState[], by: string, note: string | null): Alert {
    const { store, gatewayId } = this.context;
    const now = this.#clock();
    const alert = this.#commit(`${to} of alert ${id}`, () => {
      const current = store.alerts.get(id, gatewayId);
      if (current === undefined) throw new HuxiaoError('ALERT_UNKNOWN', `no alert with id ${id}`);
      if (!from.includes(current.state)) throw new HuxiaoError('ALERT_STATE', `alert ${id} is ${current.state}; cannot become ${to}`);
      const next: Alert = { ...current, state: to };
      this.#change(next, to, now, by, note);
      return next;
    });
    log.info({ alert: id, state: to }, 'alert state changed');
    this.#emit(to, alert);
    return alert;
  }

  /** Inside a transaction: the alert row, its first state row and its outbox entry. */
  #insert(alert: Alert, now: number): void {
    const { store } = this.context;
    store.alerts.insert(alert);
    store.alerts.addState(alert.id, { event: 'raised', state: alert.state, at: now, by: null, note: null });
    store.outbox.enqueue(laneOf(alert), { kind: 'alert', alert }, now);
  }

  /** Inside a transaction: updates the row, records the state change and queues it for the centre. */
  #change(alert: Alert, event: AlertChange['event'], now: number, by: string | null, note: string | null): void {
    const { store } = this.context;
    store.alerts.update(alert, now);
    store.alerts.addState(alert.id, { event, state: alert.state, at: now, by, note });
    const change: AlertChange = {
      id: alert.id,
      seq: alert.seq,
      event,
      state: alert.state,
      at: now,
      by,
      note,
      count: alert.count,
      lastSeenAt: alert.lastSeenAt,
      clearedAt: alert.clearedAt,
      identity: alert.identity,
    };
    store.outbox.enqueue(laneOf(alert), { kind: 'alert-state', change }, now);
  }

  /**
   * Runs `work` in one durable transaction, then wakes the uplink. On a full disk, retention evicts pictures and
   * delivered alerts and the commit is tried once more: an alert matters more than an old picture. If it still fails
   * the disk is reported full and STORE_FULL thrown.
   */
  #commit<T>(what: string, work: () => T): T {
    const { store, retention } = this.context;
    let result: T;
    try {
      result = store.durable(work);
    } catch (error) {
      if (!isDiskFull(error)) throw error;
      try {
        if (retention === undefined) throw error;
        retention.enforce();
        result = store.durable(work);
      } catch (again) {
        if (!isDiskFull(again)) throw again;
        retention?.reportFull(what, again);
        throw new HuxiaoError('STORE_FULL', `${what} not stored: disk full`, { cause: again });
      }
    }
    store.outbox.notify();
    return result;
  }

  #snapshot(job: SnapshotJob): void {
    const writer = this.#snapshots;
    if (writer === undefined) throw new Error('AlertService used before start()');
    const pending = writer.write(job).finally(() => this.#pending.delete(pending));
    this.#pending.add(pending);
  }

  #emit(kind: AlertEventKind, alert: Alert): void {
    const event: AlertEvent = { kind, alert };
    for (const listener of this.#listeners) {
      try {
        listener(event);
      } catch (error) {
        log.error({ err: error, kind, alert: alert.id }, 'alert listener failed');
      }
    }
  }

  get #clock(): () => number {
    return this.context.clock ?? Date.now;
  }
}
