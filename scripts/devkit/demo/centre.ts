import mqtt, { type MqttClient } from 'mqtt';
import { ALERT_PAYLOAD_VERSION, alertPayloadSchema, telemetryPayloadSchema } from '../../../edge/uplink/payloads.js';
import type { z } from 'zod';

export type ReceivedAlert = z.output<typeof alertPayloadSchema> & {
  /** Wall clock (ms) when the centre first received it. */
  readonly receivedAt: number;
  /** Deliveries of this id (QoS 1 may redeliver; the centre keeps the first). */
  deliveries: number;
  /** Bytes of the annotated snapshot, once it arrived. */
  snapshotBytes?: number;
};

export type ReceivedTelemetry = z.output<typeof telemetryPayloadSchema>;

export interface CentreOptions {
  readonly url: string;
  /** `<prefix>/<gateway>`. */
  readonly root: string;
  /** 4 for MQTT 3.1.1-only brokers such as the embedded one; 5 otherwise. */
  readonly protocolVersion: 4 | 5;
  readonly onAlert?: (alert: ReceivedAlert) => void;
  /** The annotated snapshot of an alert, once both have arrived (whichever came first). */
  readonly onSnapshot?: (alert: ReceivedAlert, jpeg: Buffer) => void;
  readonly onTelemetry?: (telemetry: ReceivedTelemetry) => void;
}

/**
 * The central platform's side of the contract, as small as it can be: subscribe to a gateway's alerts and snapshots,
 * keep each alert once by id. `huxiao demo` prints what it receives; the end-to-end test asserts on it.
 */
export class Centre {
  readonly #options: CentreOptions;
  readonly #alerts = new Map<string, ReceivedAlert>();
  /** Snapshots that arrived before their alert. */
  readonly #snapshots = new Map<string, Buffer>();
  #client: MqttClient | undefined;
  #invalid = 0;

  constructor(options: CentreOptions) {
    this.#options = options;
  }

  async start(): Promise<void> {
    const { url, root, protocolVersion } = this.#options;
    const client = await mqtt.connectAsync(url, { protocolVersion, clientId: `huxiao-demo-centre-${String(process.pid)}`, clean: true, reconnectPeriod: 500 });
    client.on('message', (topic, payload) => {
      this.#message(topic.slice(root.length + 1), payload);
    });
    await client.subscribeAsync([`${root}/alerts`, `${root}/alerts/+/snapshot`, `${root}/telemetry`], { qos: 1 });
    this.#client = client;
  }

  async stop(): Promise<void> {
    await this.#client?.endAsync();
    this.#client = undefined;
  }

  /** Alerts received, first delivery order. */
  alerts(): ReceivedAlert[] {
    return [...this.#alerts.values()];
  }

  /** Payloads on `alerts` and `telemetry` that did not match the documented schema. */
  get invalid(): number {
    return this.#invalid;
  }

  #message(relative: string, payload: Buffer): void {
    if (relative === 'alerts') {
      this.#alert(payload);
      return;
    }
    if (relative === 'telemetry') {
      this.#telemetry(payload);
      return;
    }
    const match = /^alerts\/([^/]+)\/snapshot$/.exec(relative);
    if (match?.[1] === undefined) return;
    const alert = this.#alerts.get(match[1]);
    if (alert === undefined) this.#snapshots.set(match[1], payload);
    else this.#snapshot(alert, payload);
  }

  #snapshot(alert: ReceivedAlert, jpeg: Buffer): void {
    if (alert.snapshotBytes !== undefined) return;
    alert.snapshotBytes = jpeg.length;
    this.#options.onSnapshot?.(alert, jpeg);
  }

  #telemetry(payload: Buffer): void {
    const parsed = telemetryPayloadSchema.safeParse(JSON.parse(payload.toString('utf8')));
    if (parsed.success) this.#options.onTelemetry?.(parsed.data);
    else this.#invalid += 1;
  }

  #alert(payload: Buffer): void {
    let parsed: z.output<typeof alertPayloadSchema>;
    try {
      parsed = alertPayloadSchema.parse(asCurrentAlert(JSON.parse(payload.toString('utf8'))));
    } catch {
      this.#invalid += 1;
      return;
    }
    const known = this.#alerts.get(parsed.id);
    if (known !== undefined) {
      known.deliveries += 1;
      return;
    }
    const alert: ReceivedAlert = { ...parsed, receivedAt: Date.now(), deliveries: 1 };
    this.#alerts.set(parsed.id, alert);
    this.#options.onAlert?.(alert);
    const early = this.#snapshots.get(parsed.id);
    this.#snapshots.delete(parsed.id);
    if (early !== undefined) this.#snapshot(alert, early);
  }
}

/**
 * A gateway not yet upgraded sends schema 1 alerts, which are schema 2 without an identity: a district's centre takes
 * both (and bench:capacity compares against a build from before the identity).
 */
function asCurrentAlert(json: unknown): unknown {
  if (typeof json !== 'object' || json === null || !('schema' in json) || json.schema !== 1) return json;
  if (!('identity' in json) || json.identity !== null) return json;
  return { ...json, schema: ALERT_PAYLOAD_VERSION };
}
