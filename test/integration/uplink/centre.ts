import mqtt, { type IClientOptions, type MqttClient } from 'mqtt';
import { readFileSync } from 'node:fs';
import type { TestBroker } from '../../helpers/mosquitto.js';

export interface Received {
  readonly topic: string;
  readonly payload: Buffer;
  readonly properties: Readonly<Record<string, unknown>>;
}

/**
 * The central platform as the tests see it: a persistent MQTT 5 session subscribed to a gateway's topics, recording
 * everything in arrival order.
 */
export class Centre {
  readonly received: Received[] = [];
  readonly client: MqttClient;

  private constructor(client: MqttClient) {
    this.client = client;
    client.on('message', (topic, payload, packet) => {
      this.received.push({ topic, payload, properties: { ...(packet.properties ?? {}) } });
    });
  }

  static async connect(broker: TestBroker, options: { tls: boolean; clientId: string; subscribe: readonly string[] }): Promise<Centre> {
    const common: IClientOptions = {
      protocolVersion: 5,
      clientId: options.clientId,
      clean: false,
      properties: { sessionExpiryInterval: 3600 },
      username: 'centre',
      password: broker.password,
      reconnectPeriod: 300,
    };
    const tls: IClientOptions = options.tls ? { ca: readFileSync(broker.certs.ca), cert: readFileSync(broker.certs.clientCert), key: readFileSync(broker.certs.clientKey) } : {};
    const client = await mqtt.connectAsync(options.tls ? broker.tlsUrl : broker.url, { ...common, ...tls });
    const centre = new Centre(client);
    await client.subscribeAsync([...options.subscribe], { qos: 1 });
    return centre;
  }

  /** JSON payloads received on topics ending with `suffix`, in arrival order. */
  json<T>(suffix: string): T[] {
    return this.received.filter((message) => message.topic.endsWith(suffix)).map((message) => JSON.parse(message.payload.toString('utf8')) as T);
  }

  /** Alerts in arrival order, with the first delivery of each id only (the consumer-side dedup the contract asks for). */
  firstDeliveries(): { id: string; seq: number }[] {
    const seen = new Set<string>();
    return this.json<{ id: string; seq: number }>('/alerts').filter((alert) => (seen.has(alert.id) ? false : (seen.add(alert.id), true)));
  }

  async close(): Promise<void> {
    await this.client.endAsync();
  }
}
