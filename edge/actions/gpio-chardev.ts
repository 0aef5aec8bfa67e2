import { accessSync, constants, readdirSync } from 'node:fs';
import { delimiter, join } from 'node:path';
import { createInterface } from 'node:readline';
import type { GpioLineConfig } from '../config/actions.js';
import { HuxiaoError } from '../errors.js';
import { moduleLogger } from '../log.js';
import { runTool } from '../process/run-tool.js';
import { describeExit, startTool, succeeded, type PipedTool, type RunningTool } from '../process/tool.js';
import { describeLine, type InputLine, type OutputLine } from './gpio-sysfs.js';

/** The libgpiod 1.6 tools (Debian package gpiod) this fallback drives. */
const GPIOD_TOOLS = ['gpiodetect', 'gpioget', 'gpioset', 'gpiomon'] as const;
type Tool = (typeof GPIOD_TOOLS)[number];

export interface GpiodOptions {
  /** Directory holding the gpiod tools; by default they are looked up on PATH. */
  readonly binDir?: string;
  /** Where the gpiochip device nodes live; /dev on a real box. */
  readonly devDir?: string;
}

export interface GpiodChip {
  /** The chip's name as the tools take it, e.g. gpiochip0. */
  readonly name: string;
  readonly label: string;
  readonly lines: number;
}

const log = moduleLogger('gpio-chardev');

/** A gpioset that does not exit within this long after its stdin closed is killed. */
const RELEASE_GRACE_MS = 2000;

/** The format given to gpiomon: offset and edge (1 = became active, with --active-low applied by the kernel). */
const MONITOR_FORMAT = '%o %e';
const MONITOR_LINE = /^(\d+) ([01])$/;
const DETECT_LINE = /^(\S+) \[(.*)\] \((\d+) lines\)$/;

function findTool(tool: Tool, binDir: string | undefined): string | undefined {
  const dirs = binDir === undefined ? (process.env.PATH ?? '').split(delimiter).filter((dir) => dir !== '') : [binDir];
  for (const dir of dirs) {
    const path = join(dir, tool);
    try {
      accessSync(path, constants.X_OK);
      return path;
    } catch {
      // Not in this directory; try the next one.
    }
  }
  return undefined;
}

/** Parses `gpiodetect` output: one `gpiochip0 [pinctrl-bcm2711] (58 lines)` per chip. */
function parseGpiodetect(output: string): GpiodChip[] {
  return output.split('\n').flatMap((text) => {
    const match = DETECT_LINE.exec(text.trim());
    return match === null ? [] : [{ name: match[1] ?? '', label: match[2] ?? '', lines: Number(match[3]) }];
  });
}

/** Runs a tool to completion and returns its stdout; a failure names the tool, its arguments and its message. */
async function capture(command: string, args: readonly string[], what: string): Promise<string> {
  const { exit, stdout } = await runTool({ command, args, errorCode: 'GPIO_LINE', purpose: what });
  if (succeeded(exit)) return stdout;
  throw new HuxiaoError('GPIO_LINE', `${what}: ${command} ${args.join(' ')} failed (${describeExit(exit)}): ${exit.stderr.join(' | ') || 'no message'}`);
}

/**
 * GPIO through the character device (/dev/gpiochipN) with the libgpiod 1.6 command-line tools, for kernels built
 * without sysfs GPIO. gpioset 1.6 drives a line only while it runs, so each output is one long-lived
 * `gpioset --mode=wait` per level: a change ends it (EOF on its stdin) and starts the next. Because it waits on stdin,
 * a gateway that dies, even by SIGKILL, closes the pipe and lets the line go instead of leaving a siren on.
 * The button is one `gpiomon` printing each edge; the line's level is the last edge seen.
 */
export class Gpiod {
  readonly #options: GpiodOptions;
  #chips: Promise<GpiodChip[]> | undefined;

  constructor(options: GpiodOptions = {}) {
    this.#options = options;
  }

  /** True where a gpiochip device exists and all four tools are installed. */
  available(): boolean {
    let devices: string[];
    try {
      devices = readdirSync(this.#options.devDir ?? '/dev').filter((name) => /^gpiochip\d+$/.test(name));
    } catch {
      return false;
    }
    return devices.length > 0 && GPIOD_TOOLS.every((tool) => findTool(tool, this.#options.binDir) !== undefined);
  }

  async openOutput(line: GpioLineConfig, activeLow: boolean): Promise<OutputLine> {
    const { chip, offset } = await this.#resolve(line);
    const gpioset = this.#tool('gpioset');
    const name = describeLine(line);
    let holder: RunningTool | undefined;
    let held: boolean | undefined;
    let wanted = false;
    let closed = false;
    let queue = Promise.resolve();

    const release = async (tool: RunningTool | undefined): Promise<void> => {
      await tool?.stop({ ask: 'end-stdin', graceMs: RELEASE_GRACE_MS });
    };
    const hold = (active: boolean): RunningTool => {
      const args = ['--mode=wait', ...(activeLow ? ['--active-low'] : []), chip.name, `${String(offset)}=${active ? '1' : '0'}`];
      const tool = startTool({ command: gpioset, args, errorCode: 'GPIO_LINE', purpose: `driving ${name}`, holdStdin: true });
      void tool.exited.then((exit) => {
        if (holder !== tool) return;
        holder = undefined;
        held = undefined;
        if (exit.kind === 'spawn-error') log.error({ line: name, chip: chip.name, offset, err: exit.error }, `cannot run ${gpioset}; the line is not driven`);
        else log.error({ line: name, chip: chip.name, offset, exit: describeExit(exit), stderr: exit.stderr.join(' | ') }, `gpioset stopped holding ${name}; the line is not driven (busy, or the chip is gone?)`);
      });
      return tool;
    };
    const apply = (): void => {
      queue = queue
        .then(() => {
          if (closed || held === wanted) return false;
          const previous = holder;
          holder = undefined;
          return release(previous).then(() => true);
        })
        .then((released) => {
          // The line may have been closed while the previous gpioset was exiting.
          if (!released || closed) return;
          held = wanted;
          holder = hold(wanted);
        });
    };

    apply();
    await queue;
    return {
      set: (active) => {
        wanted = active;
        apply();
      },
      close: () => {
        closed = true;
        const tool = holder;
        holder = undefined;
        void release(tool);
      },
    };
  }

  async openInput(line: GpioLineConfig, activeLow: boolean): Promise<InputLine> {
    const { chip, offset } = await this.#resolve(line);
    const name = describeLine(line);
    const flags = activeLow ? ['--active-low'] : [];
    const initial = (await capture(this.#tool('gpioget'), [...flags, chip.name, String(offset)], `reading ${name}`)).trim();
    if (initial !== '0' && initial !== '1') throw new HuxiaoError('GPIO_LINE', `reading ${name}: gpioget printed "${initial}", expected 0 or 1`);
    let level = initial === '1';
    let monitor: PipedTool | undefined;
    return {
      read: () => level,
      watch: (onChange) => {
        const gpiomon = this.#tool('gpiomon');
        // -b: line-buffered, or edges would sit in stdio's block buffer of a pipe.
        const args = ['-b', ...flags, `--format=${MONITOR_FORMAT}`, chip.name, String(offset)];
        const tool = startTool({ command: gpiomon, args, errorCode: 'GPIO_LINE', purpose: `watching ${name}`, stdout: 'pipe' });
        monitor = tool;
        createInterface({ input: tool.stdout }).on('line', (text) => {
          const match = MONITOR_LINE.exec(text.trim());
          if (match === null || Number(match[1]) !== offset) return;
          level = match[2] === '1';
          onChange();
        });
        void tool.exited.then((exit) => {
          if (monitor !== tool) return;
          monitor = undefined;
          if (exit.kind === 'spawn-error') log.error({ line: name, chip: chip.name, offset, err: exit.error }, `cannot run ${gpiomon}; the line is not watched`);
          else log.error({ line: name, chip: chip.name, offset, exit: describeExit(exit), stderr: exit.stderr.join(' | ') }, `gpiomon stopped watching ${name}; the button is not read (busy, or the chip is gone?)`);
        });
      },
      close: () => {
        const tool = monitor;
        monitor = undefined;
        void tool?.stop();
      },
    };
  }

  #tool(tool: Tool): string {
    return findTool(tool, this.#options.binDir) ?? tool;
  }

  /** Chip label + offset to the chip name the tools take; gpiodetect runs once and is shared by every line. */
  async #resolve(line: GpioLineConfig): Promise<{ chip: GpiodChip; offset: number }> {
    if ('sysfs' in line) throw new HuxiaoError('GPIO_LINE', `${describeLine(line)}: sysfs numbers mean nothing to the gpio character device; give { chip: <label>, line: <offset> } (see gpiodetect)`);
    this.#chips ??= capture(this.#tool('gpiodetect'), [], 'listing GPIO chips').then(parseGpiodetect);
    const chips = await this.#chips;
    const chip = chips.find((candidate) => candidate.label === line.chip);
    if (chip === undefined) throw new HuxiaoError('GPIO_LINE', `no GPIO chip labelled "${line.chip}"; gpiodetect lists: ${chips.map((c) => `${c.name} "${c.label}" (${String(c.lines)} lines)`).join(', ') || 'none'}`);
    if (line.line >= chip.lines) throw new HuxiaoError('GPIO_LINE', `GPIO chip "${line.chip}" (${chip.name}) has ${String(chip.lines)} lines; offset ${String(line.line)} is beyond it`);
    return { chip, offset: line.line };
  }
}
