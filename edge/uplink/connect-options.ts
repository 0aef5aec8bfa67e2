import { readFileSync } from 'node:fs';
import type { IClientOptions } from 'mqtt';
import type { MqttConfig } from '../config/mqtt.js';
import { HuxiaoError } from '../errors.js';

function readTlsFile(path: string, what: string): Buffer {
  try {
    return readFileSync(path);
  } catch (error) {
    throw new HuxiaoError('MQTT_TLS', `mqtt.tls.${what}: cannot read ${path}: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
  }
}

/** mqtt.js options from the config: MQTT 5 (or 3.1.1), persistent session, client id from the gateway id, last will offline. */
export function connectOptions(config: MqttConfig, input: { clientId: string; will: { topic: string; payload: Buffer } }): IClientOptions {
  const tls = config.tls;
  return {
    protocolVersion: config.protocolVersion,
    clientId: input.clientId,
    clean: false,
    ...(config.protocolVersion === 5 ? { properties: { sessionExpiryInterval: config.sessionExpirySeconds } } : {}),
    keepalive: config.keepaliveSeconds,
    reconnectPeriod: config.reconnectSeconds * 1000,
    connectTimeout: 30_000,
    resubscribe: true,
    ...(config.username === undefined ? {} : { username: config.username }),
    ...(config.password === undefined ? {} : { password: config.password.reveal() }),
    ...(tls === undefined
      ? {}
      : {
          rejectUnauthorized: tls.rejectUnauthorized,
          ...(tls.ca === undefined ? {} : { ca: readTlsFile(tls.ca, 'ca') }),
          ...(tls.cert === undefined ? {} : { cert: readTlsFile(tls.cert, 'cert') }),
          ...(tls.key === undefined ? {} : { key: readTlsFile(tls.key, 'key') }),
        }),
    will: { topic: input.will.topic, payload: input.will.payload, qos: 1, retain: true },
  };
}
