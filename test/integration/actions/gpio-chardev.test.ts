import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { Actions } from '../../../edge/actions/actions.js';
import { EmergencyButton, type ButtonPress } from '../../../edge/actions/emergency-button.js';
import { Gpiod } from '../../../edge/actions/gpio-chardev.js';
import type { LineEvent } from '../../../edge/actions/gpio-outputs.js';
import type { GpioConfig } from '../../../edge/config/actions.js';
import { HuxiaoError } from '../../../edge/errors.js';
import { FakeGpiodTools } from '../../helpers/gpio-tools.js';
import { tempDir } from '../../helpers/tmp.js';
import { waitFor } from '../../helpers/wait.js';

const RP1 = { name: 'gpiochip4', label: 'pinctrl-rp1', lines: 54 };
const CHIPS = [{ name: 'gpiochip0', label: 'gpio-brcmstb@107d508500', lines: 32 }, RP1];
const BUSY = 5;

const gpioConfig: GpioConfig = {
  amplifier: { line: { chip: RP1.label, line: 17 }, activeLow: false, warmUpMs: 0, releaseMs: 0 },
  outputs: [{ id: 'siren', line: { chip: RP1.label, line: 27 }, activeLow: true, maxOnSeconds: 60 }],
  emergencyButton: { line: { chip: RP1.label, line: 22 }, activeLow: true, debounceMs: 150, pollMs: 10, cameras: ['gate'], siren: 'gate-siren' },
};

const siren = (value: 0 | 1): string => `gpioset --mode=wait --active-low ${RP1.name} 27=${String(value)}`;
const amplifier = (value: 0 | 1): string => `gpioset --mode=wait ${RP1.name} 17=${String(value)}`;

describe('gpio character-device fallback (real spawn of fake gpiod 1.6 tools; no /dev/gpiochip here)', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let tools: FakeGpiodTools;

  before(async () => {
    dir = await tempDir('gpiod');
    tools = new FakeGpiodTools(dir.path, { chips: CHIPS, busy: [BUSY] });
    tools.start();
  });

  after(async () => {
    await dir.remove();
  });

  it('finds the tools and a gpiochip device, and not without either', () => {
    assert.equal(new Gpiod({ binDir: tools.binDir, devDir: tools.devDir }).available(), true);
    assert.equal(new Gpiod({ binDir: tools.binDir, devDir: join(dir.path, 'no-dev') }).available(), false);
    assert.equal(new Gpiod({ binDir: join(dir.path, 'no-bin'), devDir: tools.devDir }).available(), false);
  });

  it('drives each level with one gpioset --mode=wait, letting the previous one go before the next starts', async () => {
    const gpiod = new Gpiod({ binDir: tools.binDir, devDir: tools.devDir });
    const from = tools.events().length;
    const gpioset = (): string[] => tools.events().slice(from).filter((event) => event.tool === 'gpioset').map((event) => `${event.event} ${event.tool} ${event.args.join(' ')}`);
    const runs = (entry: string): number => gpioset().filter((seen) => seen === entry).length;
    const amp = await gpiod.openOutput({ chip: RP1.label, line: 17 }, false);
    const relay = await gpiod.openOutput({ chip: RP1.label, line: 27 }, true);
    relay.set(true);
    await waitFor('siren on', () => runs(`run ${siren(1)}`) === 1);
    relay.set(false);
    await waitFor('siren off', () => runs(`run ${siren(0)}`) === 2);
    amp.set(true);
    await waitFor('amplifier on', () => runs(`run ${amplifier(1)}`) === 1);
    relay.close();
    amp.close();
    await waitFor('both lines let go', () => runs(`released ${siren(0)}`) === 2 && runs(`released ${amplifier(1)}`) === 1);

    // Each line's own sequence; the two lines' gpiosets run concurrently, so their interleaving is not fixed.
    const ofLine = (offset: number): string[] => gpioset().filter((entry) => entry.endsWith(` ${String(offset)}=0`) || entry.endsWith(` ${String(offset)}=1`));
    assert.deepEqual(ofLine(27), [`run ${siren(0)}`, `released ${siren(0)}`, `run ${siren(1)}`, `released ${siren(1)}`, `run ${siren(0)}`, `released ${siren(0)}`]);
    assert.deepEqual(ofLine(17), [`run ${amplifier(0)}`, `released ${amplifier(0)}`, `run ${amplifier(1)}`, `released ${amplifier(1)}`]);
    assert.equal(tools.events().slice(from).filter((event) => event.tool === 'gpiodetect').length, 1, 'gpiodetect runs once per start, shared by the lines');
  });

  it('collapses changes that come faster than gpioset restarts into the latest level', async () => {
    const gpiod = new Gpiod({ binDir: tools.binDir, devDir: tools.devDir });
    const from = tools.events().length;
    const relay = await gpiod.openOutput({ chip: RP1.label, line: 27 }, true);
    relay.set(true);
    relay.set(false);
    relay.set(true);
    relay.close();
    await waitFor('the line let go', () => tools.events().slice(from).filter((event) => event.event === 'released').length === 1);
    relay.set(false);
    assert.deepEqual(
      tools.events().slice(from).filter((event) => event.tool === 'gpioset').map((event) => `${event.event} ${event.tool} ${event.args.join(' ')}`),
      [`run ${siren(0)}`, `released ${siren(0)}`],
    );
  });

  it('lets the line go when the gateway dies, even by SIGKILL: gpioset waits on a pipe that the kernel closes', async () => {
    const holder = spawn(process.execPath, [fileURLToPath(new URL('./gpio-chardev-holder.js', import.meta.url)), tools.binDir, tools.devDir, RP1.label, '27'], { stdio: ['ignore', 'pipe', 'inherit'] });
    try {
      const said = await new Promise<string>((resolve) => holder.stdout.setEncoding('utf8').once('data', resolve));
      assert.equal(said.trim(), 'holding');
      await waitFor('the siren gpioset', () => tools.events().some((event) => event.event === 'run' && event.args.join(' ') === `--mode=wait --active-low ${RP1.name} 27=1` && !released(event.pid)));
      holder.kill('SIGKILL');
      await waitFor('the orphaned gpioset to let the line go', () => tools.events().filter((event) => event.args.join(' ').endsWith('27=1')).every((event) => released(event.pid)));
    } finally {
      if (holder.exitCode === null) holder.kill('SIGKILL');
    }
    function released(pid: string): boolean {
      return tools.events().some((event) => event.pid === pid && event.event === 'released');
    }
  });

  it('reports a press on the active-low button through gpiomon and the debounce, once for a bouncing contact', async () => {
    tools.level(22, 1);
    const gpiod = new Gpiod({ binDir: tools.binDir, devDir: tools.devDir });
    const button = new EmergencyButton({ config: gpioConfig.emergencyButton ?? assert.fail('no button'), openInput: (line, activeLow) => gpiod.openInput(line, activeLow) });
    const presses: ButtonPress[] = [];
    button.onPress((press) => presses.push(press));
    await button.start();
    const pressedAt = Date.now();
    // The contact pulls the line low, bounces once, and stays low.
    await tools.edges(22, [0, 1, 0]);
    await waitFor('the press', () => presses.length > 0);
    await tools.edges(22, [1]);
    button.stop();

    assert.equal(presses.length, 1);
    const press = presses[0];
    assert.ok(press !== undefined && press.edgeAt >= pressedAt);
    assert.deepEqual(press.cameras, ['gate']);
    assert.deepEqual(
      tools.timeline().filter((entry) => !entry.includes('gpioset') && !entry.includes('gpiodetect')),
      [`run gpioget --active-low ${RP1.name} 22`, `run gpiomon -b --active-low --format=%o %e ${RP1.name} 22`],
    );
  });

  it('names the line when a chip label or offset does not exist, or a gpioset finds its line busy, and goes on', async () => {
    const gpiod = new Gpiod({ binDir: tools.binDir, devDir: tools.devDir });
    await assert.rejects(gpiod.openOutput({ chip: 'pinctrl-bcm2711', line: 17 }, false), (error: unknown) => {
      assert.ok(error instanceof HuxiaoError);
      assert.equal(error.code, 'GPIO_LINE');
      assert.match(error.message, /no GPIO chip labelled "pinctrl-bcm2711"; gpiodetect lists: gpiochip0 "gpio-brcmstb@107d508500" \(32 lines\), gpiochip4 "pinctrl-rp1" \(54 lines\)/);
      return true;
    });
    await assert.rejects(gpiod.openInput({ chip: RP1.label, line: 60 }, true), /"pinctrl-rp1" \(gpiochip4\) has 54 lines; offset 60 is beyond it/);
    await assert.rejects(gpiod.openOutput({ sysfs: 588 }, false), /sysfs 588: sysfs numbers mean nothing to the gpio character device/);

    const busy = await gpiod.openOutput({ chip: RP1.label, line: BUSY }, false);
    await waitFor('the busy gpioset to run', () => tools.timeline('gpioset').includes(`run gpioset --mode=wait ${RP1.name} ${String(BUSY)}=0`));
    busy.set(true);
    await waitFor('the retry on the next level', () => tools.timeline('gpioset').includes(`run gpioset --mode=wait ${RP1.name} ${String(BUSY)}=1`));
    busy.close();
    assert.equal(tools.timeline('gpioset').filter((entry) => entry.startsWith(`released`) && entry.endsWith(` ${String(BUSY)}=0`)).length, 0, 'a busy gpioset cannot have held the line');
  });
});

describe('actions choose the gpiod fallback where sysfs GPIO is absent', { skip: existsSync('/sys/class/gpio/export') && 'this box has sysfs GPIO, which is preferred' }, () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let tools: FakeGpiodTools;

  before(async () => {
    dir = await tempDir('gpiod-actions');
    tools = new FakeGpiodTools(dir.path, { chips: CHIPS });
    tools.start();
    tools.level(22, 1);
  });

  after(async () => {
    await dir.remove();
  });

  const actionsWith = (devDir: string): Actions =>
    new Actions({
      audio: { device: 'null', voice: 'cmn', wordsPerMinute: 170, queueSize: 2, chime: { enabled: false }, cache: { dir: join(dir.path, 'cache'), maxEntries: 8, maxBytes: 2_000_000 } },
      actions: [{ id: 'gate-siren', type: 'siren', output: 'siren', onSeconds: 30 }],
      gpio: gpioConfig,
      gpiod: { binDir: tools.binDir, devDir },
    });

  it('a button press through gpiomon sounds the siren through gpioset, and stop lets every line go', async () => {
    const actions = actionsWith(tools.devDir);
    const presses: ButtonPress[] = [];
    const lines: LineEvent[] = [];
    actions.onPress((press) => presses.push(press));
    actions.onOutput((event) => lines.push(event));
    await actions.start();
    await tools.edges(22, [0]);
    await waitFor('the press', () => presses.length === 1);
    await waitFor('the siren gpioset', () => tools.timeline('gpioset').includes(`run ${siren(1)}`));
    await actions.stop();
    await waitFor('every line let go', () => tools.timeline('gpioset').filter((entry) => entry.startsWith('run')).length === tools.timeline('gpioset').filter((entry) => entry.startsWith('released')).length);

    assert.deepEqual(
      lines.map((event) => `${event.output}:${event.active ? 'on' : 'off'}:${event.reason}`),
      ['siren:on:siren', 'siren:off:stop'],
    );
    const timeline = tools.timeline('gpioset');
    // Each line's own sequence; the two lines' gpiosets run concurrently, so their interleaving is not fixed.
    assert.deepEqual(timeline.filter((entry) => entry.endsWith(' 27=0') || entry.endsWith(' 27=1')), [`run ${siren(0)}`, `released ${siren(0)}`, `run ${siren(1)}`, `released ${siren(1)}`]);
    assert.deepEqual(timeline.filter((entry) => entry.endsWith(' 17=0') || entry.endsWith(' 17=1')), [`run ${amplifier(0)}`, `released ${amplifier(0)}`]);
    assert.ok(presses[0] !== undefined && lines[0] !== undefined && lines[0].at >= presses[0].edgeAt);
  });

  it('without a gpiochip device it runs with no GPIO: outputs are only reported and no tool runs', async () => {
    const before = tools.events().length;
    const actions = actionsWith(join(dir.path, 'empty-dev'));
    const lines: LineEvent[] = [];
    actions.onOutput((event) => lines.push(event));
    await actions.start();
    const result = await actions.speakerTest('测试');
    await waitFor('the amplifier released after the test message', () => lines.length === 2);
    await actions.stop();
    assert.equal(result.amplifier, 'no-gpio');
    assert.deepEqual(lines.map((event) => `${event.output}:${event.active ? 'on' : 'off'}`), ['amplifier:on', 'amplifier:off']);
    assert.equal(tools.events().length, before);
  });
});

