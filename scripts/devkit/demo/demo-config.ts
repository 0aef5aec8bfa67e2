import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { parseDocument } from 'yaml';
import { ConfigError, parseConfig } from '../../../edge/config/load.js';
import type { Config } from '../../../edge/config/schema.js';

/** Often enough that the 80 s demo shows the centre a few health reports. */
const TELEMETRY_SECONDS = 20;

export interface DemoOverrides {
  /** The local RTSP server's URL, given to the first camera. */
  readonly cameraUrl: string;
  /** Output directory: the store goes to <out>/store, rendered warnings to <out>/audio. */
  readonly out: string;
  readonly audioDevice: string;
  /** Broker to use when the file has no mqtt section (the embedded one). */
  readonly brokerUrl: string;
}

/**
 * The demo config file with the parts that only the demo knows filled in. The file is edited as a YAML document and
 * validated by the same parser as any config, so errors still name the line of the file the user wrote.
 */
export function demoConfig(path: string, overrides: DemoOverrides): { config: Config; embeddedBroker: boolean } {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConfigError('CONFIG_NOT_FOUND', path, [{ path: '(file)', message: `cannot read: ${error instanceof Error ? error.message : String(error)}` }]);
  }
  const doc = parseDocument(text);
  doc.setIn(['cameras', 0, 'url'], overrides.cameraUrl);
  doc.setIn(['storage', 'dir'], join(overrides.out, 'store'));
  doc.setIn(['audio', 'cache', 'dir'], join(overrides.out, 'audio'));
  doc.setIn(['audio', 'device'], overrides.audioDevice);
  const embeddedBroker = !doc.hasIn(['mqtt']);
  if (embeddedBroker) {
    doc.setIn(['mqtt', 'url'], overrides.brokerUrl);
    doc.setIn(['mqtt', 'protocolVersion'], 4);
    doc.setIn(['mqtt', 'telemetryIntervalSeconds'], TELEMETRY_SECONDS);
  }
  return { config: parseConfig(String(doc), path), embeddedBroker };
}
