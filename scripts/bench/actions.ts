import { readFileSync, writeFileSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Actions } from '../../edge/actions/actions.js';
import { EmergencyButton } from '../../edge/actions/emergency-button.js';
import type { InputLine } from '../../edge/actions/gpio-sysfs.js';
import type { PlaybackEvent } from '../../edge/actions/player.js';
import { AlertService } from '../../edge/alerts/alert-service.js';
import { alertsSchema } from '../../edge/config/alerts.js';
import { Store } from '../../edge/store/store.js';
import { machineLine } from './machine.js';

/**
 * Alert -> audio start: from Actions.handle(raised) to aplay reporting "Playing WAVE" (device open, header parsed, the
 * first samples are written next), without chime and amplifier warm-up (both are configured delays to add).
 * Uncached: every alert names a new student, so espeak-ng + sox run first. Device: ALSA "null".
 * Button edge -> listener: from writing the value file to onPress, polling at 5 ms with a 20 ms debounce (the fallback
 * where the kernel gives no interrupts; real sysfs lines use epoll). Button edge -> alert committed: the same press,
 * then raiseEmergency on a real SQLite store on disk (synchronous=FULL commit), as the controller does.
 */
const ROUNDS = 8;
process.stdout.write(`${machineLine()}\n`);
const dir = await mkdtemp(join(tmpdir(), 'huxiao-bench-actions-'));

function stats(label: string, values: number[]): void {
  const sorted = [...values].sort((a, b) => a - b);
  const median = sorted[Math.floor(sorted.length / 2)] ?? NaN;
  process.stdout.write(`${label}: median ${median.toFixed(1)} ms, min ${(sorted[0] ?? NaN).toFixed(1)}, max ${(sorted.at(-1) ?? NaN).toFixed(1)} (n=${String(values.length)})\n`);
}

try {
  const actions = new Actions({
    audio: { device: 'null', voice: 'cmn', wordsPerMinute: 150, queueSize: 8, chime: { enabled: false }, cache: { dir: join(dir, 'cache'), maxEntries: 100, maxBytes: 100_000_000 } },
    actions: [{ id: 'v', type: 'voice', template: '{name}同学，请立即离开{zone}！', fallback: '同学，请立即离开{zone}！', repeatSeconds: 600, maxRepeats: 1 }],
    gpio: { outputs: [] },
  });
  await actions.start();
  const names = ['张三', '李四', '王五', '赵六', '钱七', '孙八', '周九', '吴十', '郑一', '冯二'];
  const measure = async (alertId: string, name: string): Promise<number> => {
    const started = new Promise<number>((resolve) => {
      const off = actions.onPlayback((event: PlaybackEvent) => {
        if (event.kind === 'end' && event.request.alertId === alertId) {
          off();
          resolve(NaN);
        }
        if (event.kind === 'start' && event.request.alertId === alertId) {
          off();
          resolve(performance.now());
        }
      });
    });
    const t0 = performance.now();
    actions.handle({ kind: 'raised', alert: { id: alertId, rule: 'r', type: 'intrusion', severity: 'critical', camera: 'c', zone: '水边', identity: { name } }, actions: ['v'] });
    const at = await started;
    actions.handle({ kind: 'resolved', alert: { id: alertId, rule: 'r', type: 'intrusion', severity: 'critical', camera: 'c' }, actions: ['v'] });
    await new Promise((resolve) => setTimeout(resolve, 50));
    return at - t0;
  };
  const uncached: number[] = [];
  const cached: number[] = [];
  for (let i = 0; i < ROUNDS; i++) uncached.push(await measure(`u${String(i)}`, names[i] ?? String(i)));
  for (let i = 0; i < ROUNDS; i++) cached.push(await measure(`c${String(i)}`, names[0] ?? ''));
  await actions.stop();
  stats('alert -> audio start, uncached sentence (espeak-ng + sox + aplay)', uncached);
  stats('alert -> audio start, cached sentence (aplay only)', cached);

  const valueFile = join(dir, 'value');
  writeFileSync(valueFile, '1\n');
  let timer: NodeJS.Timeout | undefined;
  const line: InputLine = {
    read: () => readFileSync(valueFile, 'utf8').trim() === '0',
    watch: (onChange, pollMs) => {
      let last = readFileSync(valueFile, 'utf8');
      timer = setInterval(() => {
        const now = readFileSync(valueFile, 'utf8');
        if (now !== last) {
          last = now;
          onChange();
        }
      }, pollMs);
    },
    close: () => {
      clearInterval(timer);
    },
  };
  const button = new EmergencyButton({ config: { line: { sysfs: 0 }, activeLow: true, debounceMs: 20, pollMs: 5, cameras: [] }, openInput: () => Promise.resolve(line) });
  await button.start();
  const store = new Store({ path: join(dir, 'huxiao.db') });
  store.start();
  const alerts = new AlertService({ store, gatewayId: 'bench', config: alertsSchema.parse(undefined), snapshotsDir: join(dir, 'snapshots') });
  alerts.start();
  const presses: number[] = [];
  const commits: number[] = [];
  for (let i = 0; i < ROUNDS; i++) {
    const pressed = new Promise<{ listener: number; committed: number }>((resolve) => {
      const off = button.onPress((press) => {
        off();
        const listener = performance.now();
        alerts.raiseEmergency({ source: 'bench-button', cameras: press.cameras, snapshots: [] });
        resolve({ listener, committed: performance.now() });
      });
    });
    const t0 = performance.now();
    writeFileSync(valueFile, '0\n');
    const { listener, committed } = await pressed;
    presses.push(listener - t0);
    commits.push(committed - t0);
    writeFileSync(valueFile, '1\n');
    await new Promise((resolve) => setTimeout(resolve, 60));
  }
  button.stop();
  await alerts.stop();
  store.stop();
  stats('button edge -> press listener (poll 5 ms, debounce 20 ms)', presses);
  stats('button edge -> emergency alert committed (SQLite, synchronous=FULL)', commits);
} finally {
  await rm(dir, { recursive: true, force: true });
}
