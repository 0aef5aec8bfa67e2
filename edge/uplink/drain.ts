import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import type { IClientPublishOptions, MqttClient } from 'mqtt';
import type { PersonDirectory } from '../identity/matcher.js';
import { moduleLogger } from '../log.js';
import { LANES, type Lane, type OutboxEntry } from '../store/outbox.js';
import type { Store } from '../store/store.js';
import { wireMessage } from './outbox-messages.js';
import { outboundTopic, QOS } from './topics.js';

export interface DrainContext {
  readonly store: Store;
  /** `<prefix>/<gateway>`. */
  readonly root: string;
  readonly snapshotsDir: string;
  /** Messages published and not yet acknowledged, at most. */
  readonly window: number;
  readonly clock: () => number;
  /** Names for the identities of lists that share them, looked up when a message is sent. */
  readonly directory?: PersonDirectory;
}

const log = moduleLogger('drain');
const LANE_ORDER: readonly Lane[] = [LANES.emergency, LANES.normal];

/**
 * Publishes the outbox in order and marks an entry delivered only when the broker's PUBACK arrives (mqtt.js calls the
 * QoS 1 publish callback then). Ordering: each pump fills the window from the emergency lane first, then the normal
 * lane; within a lane, entries go out in commit order. After a reconnect the cursors restart at the oldest
 * undelivered entry, so the backlog goes before anything newer; messages that were in flight are sent again (same id).
 */
export class OutboxDrain {
  readonly context: DrainContext;
  #client: MqttClient | undefined;
  readonly #inFlight = new Set<number>();
  readonly #cursor = new Map<Lane, number>();
  #acked: number[] = [];
  #flushScheduled = false;
  #generation = 0;

  constructor(context: DrainContext) {
    this.context = context;
  }

  /** The connection is up: drain from the oldest undelivered entry. */
  resume(client: MqttClient): void {
    this.#generation += 1;
    this.#client = client;
    this.#inFlight.clear();
    this.#cursor.clear();
    this.pump();
  }

  /** The connection is down: nothing is in flight any more as far as the drain is concerned. */
  pause(): void {
    this.#generation += 1;
    this.#client = undefined;
    this.#inFlight.clear();
  }

  get inFlight(): number {
    return this.#inFlight.size;
  }

  /** Publishes entries until the window is full or the outbox is empty. */
  pump(): void {
    const client = this.#client;
    if (client === undefined || !client.connected) return;
    const { store, window } = this.context;
    for (const lane of LANE_ORDER) {
      while (this.#inFlight.size < window) {
        const batch = store.outbox.pending(lane, this.#cursor.get(lane) ?? 0, window - this.#inFlight.size);
        if (batch.length === 0) break;
        for (const entry of batch) {
          this.#cursor.set(lane, entry.id);
          this.#publish(client, entry);
        }
      }
      if (this.#inFlight.size >= window) return;
    }
  }

  #publish(client: MqttClient, entry: OutboxEntry): void {
    const message = this.#messageOf(entry);
    if (message === undefined) {
      this.#settle(entry.id);
      return;
    }
    const generation = this.#generation;
    this.#inFlight.add(entry.id);
    client.publish(outboundTopic(this.context.root, message.topic), message.payload, { qos: QOS, retain: false, ...message.options }, (error) => {
      // mqtt.js passes null or undefined on success depending on the code path.
      if (error instanceof Error) {
        log.warn({ entry: entry.id, topic: message.topic, err: error }, 'publish not acknowledged; it is sent again after the next reconnect');
      } else {
        this.#settle(entry.id);
      }
      if (generation !== this.#generation) return;
      this.#inFlight.delete(entry.id);
      this.pump();
    });
  }

  /** Topic and bytes to publish; undefined when the entry can never be sent (its picture was evicted, or it fails its schema). */
  #messageOf(entry: OutboxEntry): { topic: string; payload: Buffer; options: IClientPublishOptions } | undefined {
    try {
      const message = wireMessage(entry.message, this.context.directory);
      if ('json' in message) return { topic: message.topic, payload: message.json, options: {} };
      const { contentType, userProperties } = message;
      return { topic: message.topic, payload: readFileSync(join(this.context.snapshotsDir, message.file)), options: { properties: { userProperties: { ...userProperties }, contentType } } };
    } catch (error) {
      log.error({ entry: entry.id, kind: entry.message.kind, alert: entry.alertId, err: error }, 'outbox entry cannot be published; skipped');
      return undefined;
    }
  }

  /** Delivered marks are batched into one relaxed transaction per turn of the event loop. */
  #settle(id: number): void {
    this.#acked.push(id);
    if (this.#flushScheduled) return;
    this.#flushScheduled = true;
    setImmediate(() => {
      this.flush();
    });
  }

  /** Writes the pending delivered marks now (also called on stop). */
  flush(): void {
    this.#flushScheduled = false;
    const ids = this.#acked;
    if (ids.length === 0) return;
    this.#acked = [];
    const { store, clock } = this.context;
    try {
      store.relaxed(() => {
        store.outbox.markDelivered(ids, clock());
      });
    } catch (error) {
      log.error({ err: error, count: ids.length }, 'delivered marks not written; those entries will be sent again');
    }
  }
}
