import { createHash } from 'node:crypto';
import mqtt, { type IPublishPacket, type MqttClient } from 'mqtt';
import type { Alert } from '../store/alert.js';
import type { MqttConfig } from '../config/mqtt.js';
import type { PersonDirectory } from '../identity/matcher.js';
import { moduleLogger } from '../log.js';
import type { Store } from '../store/store.js';
import { VERSION } from '../version.js';
import { CommandRouter, type CommandHandler } from './commands.js';
import { connectOptions } from './connect-options.js';
import { OutboxDrain } from './drain.js';
import {
  ackArgsSchema,
  configReloadArgsSchema,
  PAYLOAD_SCHEMA_VERSION,
  pingArgsSchema,
  resolveArgsSchema,
  snapshotArgsSchema,
  type CommandReply,
  type TelemetryInput,
} from './payloads.js';
import { loadPublicKey } from './signing.js';
import { checkResponseTopic, outboundTopic, QOS, specOf, topic, topicRoot, validated } from './topics.js';

export interface UplinkContext {
  readonly store: Store;
  readonly gatewayId: string;
  readonly config: MqttConfig;
  /** Directory the snapshot paths in the outbox are relative to. */
  readonly snapshotsDir: string;
  /** The closed loop: ack and resolve commands land here (AlertService). */
  readonly alerts: {
    acknowledge(id: string, input: { by: string; note?: string }): Alert;
    resolve(id: string, input: { by: string; feedback: string }): Alert;
  };
  /** Cameras, inference and disk figures for `telemetry`; without it no telemetry is published. */
  readonly telemetry?: () => TelemetryInput;
  /** JPEG of a camera right now, for cmd/snapshot; without it the command is not offered. */
  readonly snapshot?: (camera: string) => Promise<Buffer>;
  /** Reloads the config, for cmd/config.reload; the result goes into the reply. */
  readonly reloadConfig?: () => Promise<unknown>;
  readonly clock?: () => number;
  /**
   * Names of gallery persons, added to alert payloads of lists whose config shares them when they are sent (the
   * outbox holds person ids only); without it payloads carry person ids only.
   */
  readonly directory?: PersonDirectory;
}

const log = moduleLogger('uplink');

/**
 * The MQTT link to the centre. Owns the client: status with last will, the outbox drain, telemetry, and commands.
 * start() returns once the client is created; the gateway runs (and keeps alerts in the outbox) while the broker is away.
 */
export class Uplink {
  readonly context: UplinkContext;
  #client: MqttClient | undefined;
  #drain: OutboxDrain | undefined;
  #router: CommandRouter | undefined;
  #telemetryTimer: NodeJS.Timeout | undefined;
  #unsubscribeOutbox: (() => void) | undefined;
  #startedAt = 0;
  #connects = 0;
  readonly #pendingCommands: Promise<unknown>[] = [];
  readonly #extraCommands = new Map<string, CommandHandler>();

  constructor(context: UplinkContext) {
    this.context = context;
  }

  /** Adds a command (speaker.test, enroll...); may be called before or after start(). */
  registerCommand<Args>(name: string, handler: CommandHandler<Args>): void {
    if (this.#router === undefined) this.#extraCommands.set(name, handler);
    else this.#router.register(name, handler);
  }

  get connected(): boolean {
    return this.#client?.connected ?? false;
  }

  /** `<prefix>/<gateway>`, the root of every topic of this gateway. */
  get root(): string {
    return topicRoot(this.context.config.prefix, this.context.gatewayId);
  }

  start(): void {
    const { config, store, gatewayId } = this.context;
    const clock = this.#clock;
    this.#startedAt = clock();
    const publicKey = config.commands.signing.publicKey === undefined ? undefined : loadPublicKey(config.commands.signing.publicKey);
    const router = new CommandRouter({ store, gatewayId, config: config.commands, clock, ...(publicKey === undefined ? {} : { publicKey }) });
    this.#registerBuiltins(router);
    for (const [name, handler] of this.#extraCommands) router.register(name, handler);
    this.#router = router;
    const drain = new OutboxDrain({ store, root: this.root, snapshotsDir: this.context.snapshotsDir, window: config.inflightWindow, clock, ...(this.context.directory === undefined ? {} : { directory: this.context.directory }) });
    this.#drain = drain;

    const client = mqtt.connect(config.url, connectOptions(config, { clientId: `huxiao-${gatewayId}`, will: { topic: outboundTopic(this.root, topic.status()), payload: this.#statusPayload('offline') } }));
    this.#client = client;
    client.on('connect', (packet) => {
      this.#connects += 1;
      log.info({ sessionPresent: packet.sessionPresent, connects: this.#connects }, 'connected to broker');
      client.publish(outboundTopic(this.root, topic.status()), this.#statusPayload('online'), { qos: QOS, retain: true });
      client.subscribe(`${this.root}/cmd/+`, { qos: QOS }, (error) => {
        if (error instanceof Error) log.error({ err: error }, 'command subscription failed');
      });
      drain.resume(client);
    });
    client.on('close', () => {
      drain.pause();
    });
    client.on('error', (error) => {
      log.warn({ err: error }, 'broker connection error');
    });
    client.on('message', (fullTopic, payload, packet) => {
      this.#onMessage(fullTopic, payload, packet);
    });
    this.#unsubscribeOutbox = store.outbox.onEnqueued(() => {
      drain.pump();
    });
    if (this.context.telemetry !== undefined) {
      this.#telemetryTimer = setInterval(() => {
        this.publishTelemetry();
      }, config.telemetryIntervalSeconds * 1000);
      this.#telemetryTimer.unref();
    }
    log.info({ url: redactBrokerUrl(config.url), root: this.root }, 'uplink started');
  }

  /** Publishes `offline`, lets commands under way answer, writes the last delivered marks and disconnects. */
  async stop(): Promise<void> {
    clearInterval(this.#telemetryTimer);
    this.#telemetryTimer = undefined;
    this.#unsubscribeOutbox?.();
    this.#unsubscribeOutbox = undefined;
    const client = this.#client;
    this.#client = undefined;
    if (client === undefined) return;
    await Promise.allSettled(this.#pendingCommands);
    if (client.connected) {
      try {
        await client.publishAsync(outboundTopic(this.root, topic.status()), this.#statusPayload('offline'), { qos: QOS, retain: true });
      } catch (error) {
        log.warn({ err: error }, 'offline status not published');
      }
    }
    await client.endAsync();
    this.#drain?.flush();
    this.#drain?.pause();
  }

  /** Publishes one telemetry message now (also done every telemetryIntervalSeconds). Skipped while disconnected. */
  publishTelemetry(): void {
    const provider = this.context.telemetry;
    const client = this.#client;
    if (provider === undefined || client?.connected !== true) return;
    try {
      const now = this.#clock();
      const payload = {
        ...provider(),
        schema: PAYLOAD_SCHEMA_VERSION,
        gateway: this.context.gatewayId,
        at: now,
        uptimeSeconds: (now - this.#startedAt) / 1000,
        outbox: this.context.store.outbox.depth(),
        uplink: { reconnects: Math.max(0, this.#connects - 1) },
      };
      this.#publishJson(client, topic.telemetry(), payload);
    } catch (error) {
      log.error({ err: error }, 'telemetry not published');
    }
  }

  #registerBuiltins(router: CommandRouter): void {
    const { alerts } = this.context;
    router.register('ack', { args: ackArgsSchema, run: (args) => summary(alerts.acknowledge(args.id, { by: args.by, ...(args.note === undefined ? {} : { note: args.note }) })) });
    router.register('resolve', { args: resolveArgsSchema, run: (args) => summary(alerts.resolve(args.id, { by: args.by, feedback: args.feedback })) });
    router.register('ping', { args: pingArgsSchema, run: () => ({ pong: true, version: VERSION, at: this.#clock(), outbox: this.context.store.outbox.depth() }) });
    const snapshot = this.context.snapshot;
    if (snapshot !== undefined) {
      router.register('snapshot', {
        args: snapshotArgsSchema,
        run: async (args) => {
          const relative = topic.cameraSnapshot(args.camera);
          const jpeg = await snapshot(args.camera);
          const sha256 = createHash('sha256').update(jpeg).digest('hex');
          const client = this.#client ?? fail('not connected');
          await client.publishAsync(outboundTopic(this.root, relative), jpeg, { qos: QOS, properties: { contentType: 'image/jpeg', userProperties: { sha256, camera: args.camera } } });
          return { topic: relative, bytes: jpeg.length, sha256 };
        },
      });
    }
    const reload = this.context.reloadConfig;
    if (reload !== undefined) router.register('config.reload', { args: configReloadArgsSchema, run: () => reload() });
  }

  #onMessage(fullTopic: string, payload: Buffer, packet: IPublishPacket): void {
    const prefix = `${this.root}/cmd/`;
    const router = this.#router;
    const client = this.#client;
    if (!fullTopic.startsWith(prefix) || router === undefined || client === undefined) return;
    const name = fullTopic.slice(prefix.length);
    const correlation = packet.properties?.correlationData;
    const responseTopic = packet.properties?.responseTopic;
    const work = router.handle(name, payload, correlation).then((reply) => {
      this.#reply(client, reply, responseTopic, correlation);
    });
    this.#pendingCommands.push(work);
    void work.finally(() => this.#pendingCommands.splice(this.#pendingCommands.indexOf(work), 1));
  }

  #reply(client: MqttClient, reply: CommandReply, responseTopic: string | undefined, correlation: Buffer | undefined): void {
    let target: string;
    try {
      target = responseTopic === undefined ? outboundTopic(this.root, topic.replies()) : checkResponseTopic(responseTopic);
    } catch (error) {
      log.warn({ err: error }, 'reply sent to the replies topic instead');
      target = outboundTopic(this.root, topic.replies());
    }
    const body = Buffer.from(JSON.stringify(validated(topic.replies(), reply)));
    client.publish(target, body, { qos: QOS, properties: { contentType: 'application/json', ...(correlation === undefined ? {} : { correlationData: correlation }) } });
  }

  #publishJson(client: MqttClient, relative: string, payload: unknown): void {
    client.publish(outboundTopic(this.root, relative), Buffer.from(JSON.stringify(validated(relative, payload))), { qos: QOS, retain: specOf(relative).retain });
  }

  #statusPayload(state: 'online' | 'offline'): Buffer {
    const payload = { schema: PAYLOAD_SCHEMA_VERSION, gateway: this.context.gatewayId, state, version: VERSION, startedAt: this.#startedAt, at: this.#clock() };
    return Buffer.from(JSON.stringify(validated(topic.status(), payload)));
  }

  get #clock(): () => number {
    return this.context.clock ?? Date.now;
  }
}

function summary(alert: Alert): { id: string; seq: number; state: Alert['state'] } {
  return { id: alert.id, seq: alert.seq, state: alert.state };
}

function fail(message: string): never {
  throw new Error(message);
}

/** Broker URLs may carry credentials; logs get host and port only. */
function redactBrokerUrl(text: string): string {
  const url = new URL(text);
  return `${url.protocol}//${url.host}`;
}
