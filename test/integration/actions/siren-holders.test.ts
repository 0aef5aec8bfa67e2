import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { ActionsOptions } from '../../../edge/actions/actions.js';
import type { LineEvent } from '../../../edge/actions/gpio-outputs.js';
import type { ActionAlert, ActionEvent } from '../../../edge/actions/warnings.js';
import { GpioSim, namespaceWorks, runInGpioNamespace } from '../../helpers/gpio-sim.js';
import { tempDir } from '../../helpers/tmp.js';
import { waitFor } from '../../helpers/wait.js';

type Report = { kind: 'output'; body: LineEvent } | { kind: 'synced'; body: { n: number } } | { kind: 'ready' | 'stopped' | 'playback' | 'press'; body: object };

const CHIP = { label: 'pinctrl-rp1', base: 571, ngpio: 54 };
const SIREN = CHIP.base + 27;

/** Actions (onoff up to the simulated sysfs files) in their own namespaced child, driven by alert events on stdin. */
class Scenario {
  readonly reports: Report[] = [];
  readonly #child: ChildProcess;
  readonly #waiters: (() => void)[] = [];
  #synced = 0;

  constructor(root: string, options: ActionsOptions) {
    const script = fileURLToPath(new URL('./gpio-scenario.js', import.meta.url));
    this.#child = runInGpioNamespace(root, script, [JSON.stringify(options)]);
    if (this.#child.stdout === null) throw new Error('no stdout');
    createInterface({ input: this.#child.stdout }).on('line', (line) => {
      if (!line.startsWith('{"kind"')) return;
      this.reports.push(JSON.parse(line) as Report);
      for (const waiter of this.#waiters.splice(0)) waiter();
    });
  }

  until(test: (report: Report) => boolean): Promise<Report> {
    return new Promise((resolve) => {
      const check = (): void => {
        const found = this.reports.find(test);
        if (found === undefined) this.#waiters.push(check);
        else resolve(found);
      };
      check();
    });
  }

  send(command: object): void {
    this.#child.stdin?.write(`${JSON.stringify(command)}\n`);
  }

  /** Resolves once the child has handled every command sent before. */
  async sync(): Promise<void> {
    this.#synced += 1;
    const n = this.#synced;
    this.send({ sync: n });
    await this.until((report) => report.kind === 'synced' && report.body.n === n);
  }

  sirenEvents(): LineEvent[] {
    return this.reports.flatMap((report) => (report.kind === 'output' && report.body.output === 'siren' ? [report.body] : []));
  }

  async stop(): Promise<void> {
    if (this.#child.exitCode !== null) return;
    this.send({ stop: true });
    await this.until((report) => report.kind === 'stopped');
  }

  kill(): void {
    if (this.#child.exitCode === null) this.#child.kill('SIGKILL');
  }
}

function options(dir: string, maxOnSeconds: number): ActionsOptions {
  return {
    audio: { device: 'null', voice: 'cmn', wordsPerMinute: 170, queueSize: 4, chime: { enabled: false }, cache: { dir: join(dir, 'cache'), maxEntries: 20, maxBytes: 20_000_000 } },
    actions: [{ id: 'fence-siren', type: 'siren', output: 'siren', onSeconds: 600 }],
    gpio: { outputs: [{ id: 'siren', line: { chip: CHIP.label, line: 27 }, activeLow: true, maxOnSeconds }] },
  };
}

function event(kind: ActionEvent['kind'], id: string): ActionEvent {
  const alert: ActionAlert = { id, rule: 'pond-fence', type: 'intrusion', severity: 'critical', camera: 'pond', zone: '水边', identity: null };
  return { kind, alert, actions: ['fence-siren'] };
}

describe('a siren shared by alerts, on a simulated sysfs GPIO line (onoff in a private mount namespace)', async () => {
  const usable = await namespaceWorks();
  const skip = !usable && 'mount namespaces are not permitted here';
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let sim: GpioSim;
  const scenarios: Scenario[] = [];
  const start = async (maxOnSeconds: number): Promise<Scenario> => {
    const scenario = new Scenario(sim.root, options(join(dir.path, String(scenarios.length)), maxOnSeconds));
    scenarios.push(scenario);
    await scenario.until((report) => report.kind === 'ready');
    return scenario;
  };

  before(async () => {
    if (!usable) return;
    dir = await tempDir('siren');
    sim = new GpioSim(join(dir.path, 'gpio'), [CHIP]);
    sim.start();
  });

  after(async () => {
    if (!usable) return;
    for (const scenario of scenarios) scenario.kill();
    sim.stop();
    await dir.remove();
  });

  it('stays on when the first of two alerts ends and goes off when the second ends', { skip }, async () => {
    const scenario = await start(60);
    scenario.send({ raise: event('raised', 'A1') });
    scenario.send({ raise: event('raised', 'A2') });
    await scenario.until((report) => report.kind === 'output' && report.body.output === 'siren' && report.body.active);
    assert.equal(sim.read(SIREN, 'active_low'), '1');
    assert.equal(sim.read(SIREN, 'value'), '1');

    scenario.send({ end: event('acknowledged', 'A1') });
    await scenario.sync();
    assert.deepEqual(scenario.sirenEvents().map((e) => e.active), [true], 'the siren went off while A2 still holds it');
    assert.equal(sim.read(SIREN, 'value'), '1', 'the line went off while A2 still holds it');

    scenario.send({ end: event('resolved', 'A2') });
    await scenario.until((report) => report.kind === 'output' && report.body.output === 'siren' && !report.body.active);
    assert.deepEqual(scenario.sirenEvents().map((e) => [e.active, e.reason]), [[true, 'siren'], [false, 'release']]);
    assert.equal(sim.read(SIREN, 'value'), '0');
    await scenario.stop();
    await waitFor('the simulator to see both writes', () => sim.values(SIREN).length >= 2);
    assert.deepEqual(sim.values(SIREN), ['1', '0'], 'the line was written on once and off once');
  });

  it('is switched off after maxOnSeconds while both alerts still hold it, and a later alert sounds it again', { skip }, async () => {
    const scenario = await start(1);
    const writesBefore = sim.values(SIREN).length;
    scenario.send({ raise: event('raised', 'B1') });
    scenario.send({ raise: event('raised', 'B2') });
    const on = await scenario.until((report) => report.kind === 'output' && report.body.output === 'siren' && report.body.active);
    const off = await scenario.until((report) => report.kind === 'output' && report.body.output === 'siren' && !report.body.active);
    assert.ok(on.kind === 'output' && off.kind === 'output');
    assert.equal(off.body.reason, 'time-up');
    // libuv arms a timer from the event loop's cached clock, a few ms behind Date.now(): the cap may come that early.
    const onFor = off.body.at - on.body.at;
    assert.ok(onFor >= 990 && onFor < 1500, `off ${String(onFor)} ms after on, not at maxOnSeconds`);
    assert.equal(sim.read(SIREN, 'value'), '0');

    // Their ends change nothing; a new alert switches it on again, and its end switches it off.
    scenario.send({ end: event('acknowledged', 'B1') });
    scenario.send({ end: event('expired', 'B2') });
    scenario.send({ raise: event('raised', 'B3') });
    await scenario.until((report) => report.kind === 'output' && report.body.output === 'siren' && report.body.active && report.body.at > off.body.at);
    scenario.send({ end: event('cleared', 'B3') });
    await scenario.sync();
    assert.deepEqual(scenario.sirenEvents().map((e) => [e.active, e.reason]), [[true, 'siren'], [false, 'time-up'], [true, 'siren'], [false, 'release']]);
    assert.equal(sim.read(SIREN, 'value'), '0');
    await scenario.stop();
    await waitFor('the simulator to see every write', () => sim.values(SIREN).length >= writesBefore + 4);
    assert.deepEqual(sim.values(SIREN).slice(writesBefore), ['1', '0', '1', '0']);
  });
});
