import { join } from 'node:path';
import mqtt from 'mqtt';
import { AlertService } from '../../edge/alerts/alert-service.js';
import { mqttSchema } from '../../edge/config/mqtt.js';
import { Store } from '../../edge/store/store.js';
import { Uplink } from '../../edge/uplink/uplink.js';
import { startMosquitto } from '../../test/helpers/mosquitto.js';
import { ALERTS_CONFIG, ruleHit } from '../../test/helpers/rule-hits.js';
import { tempDir } from '../../test/helpers/tmp.js';
import { machineLine } from './machine.js';

/**
 * Two figures: alerts/s committed with synchronous (FULL, WAL) commits, and alerts/s drained from a 10,000-alert
 * backlog to a local mosquitto (QoS 1, marked delivered on PUBACK), measured until the centre has them all.
 */
const COMMITS = 2000;
const BACKLOG = 10_000;

process.stdout.write(`${machineLine()}\n`);
const dir = await tempDir('bench-uplink');
const broker = await startMosquitto();
try {
  const store = new Store({ path: join(dir.path, 'huxiao.db') });
  store.start();
  const config = { ...ALERTS_CONFIG, defaultCooldownSeconds: 0 };
  const alerts = new AlertService({ store, gatewayId: 'bench', config, snapshotsDir: join(dir.path, 'snapshots') });
  alerts.start();

  let started = process.hrtime.bigint();
  for (let i = 0; i < COMMITS; i++) alerts.raise(ruleHit({ trackId: i }));
  let seconds = Number(process.hrtime.bigint() - started) / 1e9;
  process.stdout.write(`commit: ${String(COMMITS)} alerts in ${seconds.toFixed(2)} s = ${(COMMITS / seconds).toFixed(0)} alerts/s (synchronous=FULL, one transaction each)\n`);

  // The rest of the backlog is filled in one transaction (nested raise() calls become savepoints): only the drain is timed.
  store.durable(() => {
    for (let i = COMMITS; i < BACKLOG; i++) alerts.raise(ruleHit({ trackId: i }));
  });
  const centre = await mqtt.connectAsync(broker.url, { protocolVersion: 5, username: 'centre', password: broker.password });
  const seen = new Set<string>();
  centre.on('message', (_topic, payload) => {
    seen.add((JSON.parse(payload.toString()) as { id: string }).id);
  });
  await centre.subscribeAsync('huxiao/bench/alerts', { qos: 1 });

  for (const window of [32, 256]) {
    store.db.prepare('UPDATE outbox SET delivered_at = NULL').run();
    seen.clear();
    const uplink = new Uplink({
      store,
      gatewayId: 'bench',
      config: mqttSchema.parse({ url: broker.url, username: broker.username, password: broker.password, inflightWindow: window }),
      snapshotsDir: join(dir.path, 'snapshots'),
      alerts,
    });
    started = process.hrtime.bigint();
    uplink.start();
    while (seen.size < BACKLOG || store.outbox.depth().depth > 0) await new Promise((resolve) => setTimeout(resolve, 20));
    seconds = Number(process.hrtime.bigint() - started) / 1e9;
    process.stdout.write(`drain: backlog of ${String(BACKLOG)} alerts delivered and marked in ${seconds.toFixed(2)} s = ${(BACKLOG / seconds).toFixed(0)} alerts/s (in-flight window ${String(window)}, QoS 1, plain TCP)\n`);
    await uplink.stop();
  }
  await centre.endAsync();
  await alerts.stop();
  store.stop();
} finally {
  await broker.dispose();
  await dir.remove();
}
