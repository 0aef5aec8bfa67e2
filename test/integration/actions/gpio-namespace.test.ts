import assert from 'node:assert/strict';
import type { ChildProcess } from 'node:child_process';
import { join } from 'node:path';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import type { ActionsOptions } from '../../../edge/actions/actions.js';
import type { ButtonPress } from '../../../edge/actions/emergency-button.js';
import type { LineEvent } from '../../../edge/actions/gpio-outputs.js';
import type { PlaybackEvent } from '../../../edge/actions/player.js';
import type { ActionEvent } from '../../../edge/actions/warnings.js';
import { GpioSim, namespaceWorks, runInGpioNamespace } from '../../helpers/gpio-sim.js';
import { soundSink } from '../../helpers/sound-sink.js';
import { tempDir } from '../../helpers/tmp.js';

type Report = { kind: 'playback'; body: PlaybackEvent } | { kind: 'output'; body: LineEvent } | { kind: 'press'; body: ButtonPress } | { kind: 'ready' | 'stopped'; body: object };

const CHIP = { label: 'pinctrl-rp1', base: 571, ngpio: 54 };
const AMP = CHIP.base + 17;
const SIREN = CHIP.base + 27;
const BUTTON = CHIP.base + 22;
const WARM_UP_MS = 250;
const RELEASE_MS = 400;

describe('actions against a simulated sysfs GPIO tree (onoff in a private mount namespace)', async () => {
  const usable = await namespaceWorks();
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let sim: GpioSim;
  let child: ChildProcess;
  const reports: Report[] = [];
  const waiters: (() => void)[] = [];
  const until = (test: (report: Report) => boolean): Promise<Report> =>
    new Promise((resolve) => {
      const check = (): void => {
        const found = reports.find(test);
        if (found === undefined) waiters.push(check);
        else resolve(found);
      };
      check();
    });
  const send = (command: object): void => {
    child.stdin?.write(`${JSON.stringify(command)}\n`);
  };

  before(async () => {
    if (!usable) return;
    dir = await tempDir('gpio');
    sim = new GpioSim(join(dir.path, 'gpio'), [{ label: 'gpio-brcmstb@107d508500', base: 512, ngpio: 32 }, CHIP]);
    sim.start();
    const sink = soundSink(dir.path, 'sink');
    const options: ActionsOptions = {
      audio: { device: sink.device, voice: 'cmn', wordsPerMinute: 170, queueSize: 4, chime: { enabled: true }, cache: { dir: join(dir.path, 'cache'), maxEntries: 20, maxBytes: 20_000_000 } },
      actions: [
        { id: 'fence-voice', type: 'voice', template: '{class}{name}同学，请离开{zone}', fallback: '同学，请离开{zone}', repeatSeconds: 60, maxRepeats: 1 },
        { id: 'fence-siren', type: 'siren', output: 'siren', onSeconds: 30 },
      ],
      gpio: {
        amplifier: { line: { chip: CHIP.label, line: 17 }, activeLow: false, warmUpMs: WARM_UP_MS, releaseMs: RELEASE_MS },
        outputs: [{ id: 'siren', line: { chip: CHIP.label, line: 27 }, activeLow: true, maxOnSeconds: 60 }],
        emergencyButton: { line: { chip: CHIP.label, line: 22 }, activeLow: true, debounceMs: 20, pollMs: 5, cameras: ['gate'], siren: 'fence-siren' },
      },
    };
    const script = fileURLToPath(new URL('./gpio-scenario.js', import.meta.url));
    child = runInGpioNamespace(sim.root, script, [JSON.stringify(options)]);
    if (child.stdout !== null) {
      createInterface({ input: child.stdout }).on('line', (line) => {
        if (!line.startsWith('{"kind"')) return;
        reports.push(JSON.parse(line) as Report);
        for (const waiter of waiters.splice(0)) waiter();
      });
    }
    await until((report) => report.kind === 'ready');
  });

  after(async () => {
    if (!usable) return;
    if (child.exitCode === null) child.kill('SIGKILL');
    sim.stop();
    await dir.remove();
  });

  it('resolves lines by chip label, warms the amplifier before the audio, releases it after the hold, and switches the siren', { skip: !usable && 'mount namespaces are not permitted here' }, async () => {
    const alert = { id: 'A1', rule: 'pond-fence', type: 'intrusion', severity: 'critical', camera: 'pond', zone: '水边', identity: null } as const;
    const raised: ActionEvent = { kind: 'raised', alert, actions: ['fence-voice', 'fence-siren'] };
    send({ raise: raised });
    await until((report) => report.kind === 'playback' && report.body.kind === 'end');
    send({ end: { ...raised, kind: 'acknowledged' } });
    await until((report) => report.kind === 'output' && report.body.output === 'amplifier' && !report.body.active);

    // The kernel side saw the chip-relative lines exported at base + offset, configured, and driven.
    assert.equal(sim.read(AMP, 'direction'), 'low');
    assert.equal(sim.read(SIREN, 'active_low'), '1');
    assert.equal(sim.read(BUTTON, 'direction'), 'in');
    assert.equal(sim.read(BUTTON, 'edge'), 'both');
    assert.deepEqual(sim.values(AMP), ['1', '0']);
    assert.deepEqual(sim.values(SIREN).slice(0, 2), ['1', '0']);

    const timeline = reports.flatMap((report) => {
      if (report.kind === 'output') return [{ what: `${report.body.output}:${report.body.active ? 'on' : 'off'}`, at: report.body.at }];
      if (report.kind === 'playback' && report.body.kind === 'start') return [{ what: 'audio:start', at: report.body.spawnedAt }];
      if (report.kind === 'playback' && report.body.kind === 'end') return [{ what: `audio:end:${report.body.outcome}`, at: report.body.endedAt }];
      return [];
    });
    assert.deepEqual(
      timeline.map((entry) => entry.what),
      ['siren:on', 'amplifier:on', 'audio:start', 'audio:end:completed', 'siren:off', 'amplifier:off'],
    );
    const at = (what: string): number => timeline.find((entry) => entry.what === what)?.at ?? NaN;
    assert.ok(at('audio:start') - at('amplifier:on') >= WARM_UP_MS, 'aplay was spawned before the amplifier warmed up');
    assert.ok(at('amplifier:off') - at('audio:end:completed') >= RELEASE_MS, 'the amplifier was released before its hold time');
    const start = reports.find((report) => report.kind === 'playback' && report.body.kind === 'start');
    assert.ok(start?.kind === 'playback' && start.body.kind === 'start' && start.body.request.text === '同学，请离开水边');
  });

  it('reports an emergency button press at its edge and sounds the siren directly', { skip: !usable && 'mount namespaces are not permitted here' }, async () => {
    const sirenWritesBefore = sim.values(SIREN).length;
    const pressedAt = Date.now();
    sim.drive(BUTTON, 1);
    const press = await until((report) => report.kind === 'press');
    assert.ok(press.kind === 'press');
    assert.ok(press.body.edgeAt >= pressedAt, 'the edge was timed before the line changed');
    assert.ok(press.body.confirmedAt - press.body.edgeAt >= 20, 'confirmed before the debounce time');
    assert.deepEqual(press.body.cameras, ['gate']);
    await until((report) => report.kind === 'output' && report.body.output === 'siren' && report.body.active && report.body.at >= press.body.edgeAt);
    // Holding the button raises once; releasing and a bounce shorter than the debounce raise nothing.
    sim.drive(BUTTON, 0);
    send({ stop: true });
    await until((report) => report.kind === 'stopped');
    assert.equal(reports.filter((report) => report.kind === 'press').length, 1);
    assert.deepEqual(sim.values(SIREN).slice(sirenWritesBefore), ['1', '0']);
    // Lines are handed back at stop. (Several quick unexport writes can coalesce into one inotify event in the
    // simulator, so only the last one is checked.)
    assert.ok([AMP, SIREN, BUTTON].includes(sim.lastUnexported()), 'no line was unexported at stop');
  });
});
