import assert from 'node:assert/strict';
import { spawn, type ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { Store } from '../../../edge/store/store.js';
import { startMosquitto, type TestBroker } from '../../helpers/mosquitto.js';
import { tempDir } from '../../helpers/tmp.js';
import { waitFor } from '../../helpers/wait.js';
import { Centre } from './centre.js';

const GATEWAY = 'gw-crash';
const dist = (path: string): string => new URL(`../../../${path}`, import.meta.url).href;

/**
 * The runtime as its own process, over plain TCP: raises an alert every 50 ms and prints "committed <id>" when raise()
 * returned, or (mode drain) only drains what the store holds. Killed with SIGKILL by the test.
 */
const RUNTIME = `
const [{ Store }, { AlertService }, { Uplink }, { mqttSchema }] = await Promise.all([
  import(${JSON.stringify(dist('edge/store/store.js'))}),
  import(${JSON.stringify(dist('edge/alerts/alert-service.js'))}),
  import(${JSON.stringify(dist('edge/uplink/uplink.js'))}),
  import(${JSON.stringify(dist('edge/config/mqtt.js'))}),
]);
const [mode, dbPath, url, username, password] = process.argv.slice(1);
const store = new Store({ path: dbPath });
store.start();
const alerts = new AlertService({ store, gatewayId: '${GATEWAY}', snapshotsDir: dbPath + '-snapshots',
  config: { defaultCooldownSeconds: 0, expireAfterMinutes: 60, expiryCheckSeconds: 60, snapshot: { jpegQuality: 80, cropPadding: 0.2, maxWidth: 640 } } });
alerts.start();
const uplink = new Uplink({ store, gatewayId: '${GATEWAY}', snapshotsDir: dbPath + '-snapshots', alerts,
  config: mqttSchema.parse({ url, username, password, reconnectSeconds: 0.2, inflightWindow: 8 }) });
uplink.start();
if (mode === 'raise') {
  let track = 0;
  setInterval(() => {
    const alert = alerts.raise({ kind: 'hit', rule: 'pond-fence', type: 'intrusion', severity: 'critical', camera: 'pond', zone: 'water',
      trackId: track++, firstSeenAt: Date.now(), decidedAt: Date.now(), frameSeq: track, details: {} });
    process.stdout.write('committed ' + alert.id + '\\n');
  }, 50);
}
process.stdout.write('ready\\n');
`;

describe('runtime killed between commit and PUBACK', () => {
  let broker: TestBroker;
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let centre: Centre;
  const children: ChildProcess[] = [];

  before(async () => {
    broker = await startMosquitto();
    dir = await tempDir('crash');
    centre = await Centre.connect(broker, { tls: false, clientId: 'centre-crash', subscribe: [`huxiao/${GATEWAY}/alerts`] });
  });

  after(async () => {
    for (const child of children) if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
    broker.resume();
    await centre.close();
    await broker.dispose();
    await dir.remove();
  });

  function runtime(mode: 'raise' | 'drain'): { child: ChildProcess; committed: string[] } {
    const dbPath = join(dir.path, 'huxiao.db');
    const child = spawn(process.execPath, ['--input-type=module', '-e', RUNTIME, mode, dbPath, broker.url, broker.username, broker.password], {
      stdio: ['ignore', 'pipe', 'inherit'],
    });
    children.push(child);
    const committed: string[] = [];
    let buffered = '';
    child.stdout.setEncoding('utf8').on('data', (text: string) => {
      buffered += text;
      const lines = buffered.split('\n');
      buffered = lines.pop() ?? '';
      for (const line of lines) if (line.startsWith('committed ')) committed.push(line.slice('committed '.length));
    });
    return { child, committed };
  }

  it('loses nothing: after a restart every committed alert reaches the centre (duplicates only with the same id)', async () => {
    const first = runtime('raise');
    await waitFor('some alerts at the centre', () => centre.firstDeliveries().length >= 5);
    broker.pause();
    const atPause = first.committed.length;
    await waitFor('alerts committed while no PUBACK can come', () => first.committed.length >= atPause + 10);
    const exited = new Promise((resolve) => first.child.once('exit', resolve));
    first.child.kill('SIGKILL');
    await exited;
    broker.resume();

    const store = new Store({ path: join(dir.path, 'huxiao.db') });
    store.start();
    const stored = new Set((store.db.prepare('SELECT id FROM alerts').all() as { id: string }[]).map((row) => row.id));
    const undelivered = store.outbox.depth().depth;
    store.stop();
    for (const id of first.committed) assert.ok(stored.has(id), `alert ${id} was reported committed and is in the store`);
    assert.ok(undelivered >= 10, `${String(undelivered)} entries were waiting for a PUBACK when the runtime died`);

    const second = runtime('drain');
    await waitFor('every stored alert at the centre', () => centre.firstDeliveries().length >= stored.size, 120_000);
    const delivered = centre.firstDeliveries();
    assert.deepEqual(new Set(delivered.map((alert) => alert.id)), stored);
    assert.equal(delivered.length, stored.size);
    const seqs = delivered.map((alert) => alert.seq);
    assert.deepEqual(seqs, [...seqs].sort((a, b) => a - b));
    const all = centre.json<{ id: string }>('/alerts');
    assert.ok(all.every((alert) => stored.has(alert.id)), 'nothing but committed ids on the wire');

    const check = new Store({ path: join(dir.path, 'huxiao.db') });
    check.start();
    try {
      await waitFor('the restarted runtime to mark everything delivered', () => check.outbox.depth().depth === 0);
    } finally {
      check.stop();
    }
    const exitedAgain = new Promise((resolve) => second.child.once('exit', resolve));
    second.child.kill('SIGKILL');
    await exitedAgain;
  });
});
