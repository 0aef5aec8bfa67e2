import { existsSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import type { Gpio as OnoffGpio } from 'onoff';
import type { GpioLineConfig } from '../config/actions.js';
import { HuxiaoError } from '../errors.js';
import { moduleLogger } from '../log.js';

/** onoff hard-codes this path; tests make it point at a simulated tree through a private mount namespace. */
export const SYSFS_GPIO = '/sys/class/gpio';

const log = moduleLogger('gpio');

export interface ChipInfo {
  readonly label: string;
  readonly base: number;
  readonly ngpio: number;
}

export function listChips(root: string = SYSFS_GPIO): ChipInfo[] {
  return readdirSync(root)
    .filter((name) => name.startsWith('gpiochip'))
    .map((name) => {
      const read = (file: string): string => readFileSync(join(root, name, file), 'utf8').trim();
      return { label: read('label'), base: Number(read('base')), ngpio: Number(read('ngpio')) };
    });
}

/** The global sysfs number of a line: on current Raspberry Pi kernels chip bases start at 512, so offsets alone are wrong. */
export function sysfsNumber(line: GpioLineConfig, root: string = SYSFS_GPIO): number {
  if ('sysfs' in line) return line.sysfs;
  const chips = listChips(root);
  const chip = chips.find((candidate) => candidate.label === line.chip);
  if (chip === undefined) {
    throw new HuxiaoError('GPIO_LINE', `no GPIO chip labelled "${line.chip}"; present: ${chips.map((c) => `"${c.label}" (base ${String(c.base)}, ${String(c.ngpio)} lines)`).join(', ') || 'none'}`);
  }
  if (line.line >= chip.ngpio) throw new HuxiaoError('GPIO_LINE', `GPIO chip "${line.chip}" has ${String(chip.ngpio)} lines; offset ${String(line.line)} is beyond it`);
  return chip.base + line.line;
}

export function describeLine(line: GpioLineConfig): string {
  return 'sysfs' in line ? `sysfs ${String(line.sysfs)}` : `${line.chip} line ${String(line.line)}`;
}

type GpioClass = typeof OnoffGpio;
let onoffClass: GpioClass | undefined;

/** onoff loads a native module (epoll); loaded lazily so a box without it still speaks warnings. */
async function loadOnoff(): Promise<GpioClass> {
  if (onoffClass === undefined) {
    const module = (await import('onoff')) as unknown as { Gpio: GpioClass; default?: { Gpio: GpioClass } };
    onoffClass = module.default?.Gpio ?? module.Gpio;
  }
  return onoffClass;
}

export async function sysfsAvailable(): Promise<boolean> {
  if (!existsSync(join(SYSFS_GPIO, 'export'))) return false;
  try {
    return (await loadOnoff()).accessible;
  } catch (error) {
    log.warn({ err: error }, 'onoff cannot load (its epoll module is missing?)');
    return false;
  }
}

/**
 * Exports the line ourselves and waits, without blocking the event loop, for udev to make its files writable
 * (onoff's own wait is a synchronous busy loop of 10,000 tries, which can both stall the process and give up too early).
 */
async function exportLine(number: number): Promise<void> {
  const dir = join(SYSFS_GPIO, `gpio${String(number)}`);
  if (existsSync(join(dir, 'value'))) return;
  writeFileSync(join(SYSFS_GPIO, 'export'), String(number));
  for (let waited = 0; waited < 2000; waited += 10) {
    try {
      writeFileSync(join(dir, 'direction'), readFileSync(join(dir, 'direction')));
      return;
    } catch {
      await sleep(10);
    }
  }
  throw new HuxiaoError('GPIO_LINE', `GPIO ${String(number)} was exported but ${dir} did not become writable within 2 s`);
}

export interface OutputLine {
  /** Drives the line to its active (true) or inactive level; active-low is handled below this call. */
  set(active: boolean): void;
  close(): void;
}

export interface InputLine {
  read(): boolean;
  /** Calls back on every change; uses the kernel's edge interrupt, or polls where there is none. */
  watch(onChange: () => void, pollMs: number): void;
  close(): void;
}

export async function openSysfsOutput(line: GpioLineConfig, activeLow: boolean): Promise<OutputLine> {
  const number = sysfsNumber(line);
  await exportLine(number);
  const Gpio = await loadOnoff();
  // 'low' sets the direction and the inactive level in one write, so the relay never clicks on at start.
  const gpio = new Gpio(number, activeLow ? 'high' : 'low', 'none', { activeLow });
  gpio.writeSync(0);
  return {
    set: (active) => {
      gpio.writeSync(active ? 1 : 0);
    },
    close: () => {
      gpio.writeSync(0);
      gpio.unexport();
    },
  };
}

export async function openSysfsInput(line: GpioLineConfig, activeLow: boolean): Promise<InputLine> {
  const number = sysfsNumber(line);
  await exportLine(number);
  const Gpio = await loadOnoff();
  const gpio = new Gpio(number, 'in', 'both', { activeLow });
  let timer: NodeJS.Timeout | undefined;
  return {
    read: () => gpio.readSync() === 1,
    watch: (onChange, pollMs) => {
      try {
        gpio.watch(() => {
          onChange();
        });
      } catch (error) {
        // epoll refuses files that are not sysfs attributes (EPERM), and some lines have no interrupt.
        log.warn({ line: describeLine(line), gpio: number, err: error, pollMs }, 'no edge interrupts on the button line; polling it instead');
        try {
          gpio.unwatchAll();
        } catch {
          // The failed watch never reached epoll, so there is nothing to remove.
        }
        let last = gpio.readSync();
        timer = setInterval(() => {
          const value = gpio.readSync();
          if (value !== last) {
            last = value;
            onChange();
          }
        }, pollMs);
      }
    },
    close: () => {
      clearInterval(timer);
      try {
        gpio.unwatchAll();
      } catch {
        // Same as above: a line that was polled was never added to epoll.
      }
      gpio.unexport();
    },
  };
}
