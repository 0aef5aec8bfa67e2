import type { GpioLineConfig } from '../config/actions.js';
import { moduleLogger } from '../log.js';
import { Gpiod, type GpiodOptions } from './gpio-chardev.js';
import { openSysfsInput, openSysfsOutput, sysfsAvailable, SYSFS_GPIO, type InputLine, type OutputLine } from './gpio-sysfs.js';

/** How GPIO lines are reached on this box. */
export interface GpioBackend {
  readonly kind: 'sysfs' | 'gpiod';
  readonly openOutput: (line: GpioLineConfig, activeLow: boolean) => Promise<OutputLine>;
  readonly openInput: (line: GpioLineConfig, activeLow: boolean) => Promise<InputLine>;
}

const log = moduleLogger('gpio');

/**
 * sysfs (onoff) where the kernel still has it, else the gpio character device through the gpiod tools, else undefined
 * after one warning. Called once at start, only when the config uses GPIO at all.
 */
export async function selectGpioBackend(gpiod: GpiodOptions = {}): Promise<GpioBackend | undefined> {
  if (await sysfsAvailable()) return { kind: 'sysfs', openOutput: openSysfsOutput, openInput: openSysfsInput };
  const chardev = new Gpiod(gpiod);
  if (chardev.available()) {
    log.info({ devDir: gpiod.devDir ?? '/dev' }, `no sysfs GPIO at ${SYSFS_GPIO}; using the gpio character device through the gpiod tools`);
    return { kind: 'gpiod', openOutput: (line, activeLow) => chardev.openOutput(line, activeLow), openInput: (line, activeLow) => chardev.openInput(line, activeLow) };
  }
  log.warn(
    { sysfs: SYSFS_GPIO, devDir: gpiod.devDir ?? '/dev' },
    'no GPIO on this box (neither sysfs GPIO nor a gpiochip device with the gpiod tools; apt-get install gpiod): amplifier, sirens and the emergency button are disabled; voice warnings still play',
  );
  return undefined;
}
