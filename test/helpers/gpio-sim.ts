import { spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, readFileSync, rmSync, watch, writeFileSync, type FSWatcher } from 'node:fs';
import { join } from 'node:path';

export interface SimChip {
  readonly label: string;
  readonly base: number;
  readonly ngpio: number;
}

export interface SimWrite {
  readonly gpio: number;
  readonly file: 'value' | 'direction' | 'active_low' | 'edge';
  readonly content: string;
  readonly at: number;
}

/**
 * The kernel side of a simulated sysfs GPIO tree (/sys/class/gpio laid out in a temp dir): chips with base, label and
 * ngpio; writing a number to `export` creates gpioN/{direction,value,edge,active_low}, `unexport` removes it. Every
 * change of a line file is recorded. It runs in the test process, while the code under test runs in a child that sees
 * this dir at /sys/class/gpio through a private mount namespace (see runInGpioNamespace).
 */
export class GpioSim {
  readonly root: string;
  readonly writes: SimWrite[] = [];
  readonly #chips: readonly SimChip[];
  readonly #watchers: FSWatcher[] = [];
  readonly #last = new Map<number, Record<string, string>>();

  constructor(root: string, chips: readonly SimChip[]) {
    this.root = root;
    this.#chips = chips;
  }

  start(): void {
    mkdirSync(this.root, { recursive: true });
    writeFileSync(join(this.root, 'export'), '');
    writeFileSync(join(this.root, 'unexport'), '');
    for (const chip of this.#chips) {
      const dir = join(this.root, `gpiochip${String(chip.base)}`);
      mkdirSync(dir);
      writeFileSync(join(dir, 'label'), `${chip.label}\n`);
      writeFileSync(join(dir, 'base'), `${String(chip.base)}\n`);
      writeFileSync(join(dir, 'ngpio'), `${String(chip.ngpio)}\n`);
    }
    this.#watchers.push(
      watch(join(this.root, 'export'), () => {
        this.#export();
      }),
      watch(join(this.root, 'unexport'), () => {
        this.#unexport();
      }),
    );
  }

  stop(): void {
    for (const watcher of this.#watchers) watcher.close();
    this.#watchers.length = 0;
  }

  exported(gpio: number): boolean {
    return existsSync(join(this.root, `gpio${String(gpio)}`));
  }

  read(gpio: number, file: SimWrite['file']): string {
    return readFileSync(join(this.root, `gpio${String(gpio)}`, file), 'utf8').trim();
  }

  /** The outside world drives an input line (a button), as the logical value the kernel would report. */
  drive(gpio: number, value: 0 | 1): void {
    writeFileSync(join(this.root, `gpio${String(gpio)}`, 'value'), `${String(value)}\n`);
  }

  /** The number last written to `unexport` (writes in quick succession can reach the simulator as one event). */
  lastUnexported(): number {
    return Number(readFileSync(join(this.root, 'unexport'), 'utf8').trim());
  }

  values(gpio: number): string[] {
    return this.writes.filter((write) => write.gpio === gpio && write.file === 'value').map((write) => write.content);
  }

  #export(): void {
    const text = readFileSync(join(this.root, 'export'), 'utf8').trim();
    const gpio = Number(text);
    if (text === '' || !Number.isInteger(gpio) || this.exported(gpio)) return;
    const dir = join(this.root, `gpio${String(gpio)}`);
    mkdirSync(dir);
    const files = { direction: 'in', value: '0', edge: 'none', active_low: '0' } as const;
    for (const [file, content] of Object.entries(files)) writeFileSync(join(dir, file), `${content}\n`);
    this.#last.set(gpio, { ...files });
    this.#watchers.push(
      watch(dir, (_event, name) => {
        if (name !== null) this.#record(gpio, name);
      }),
    );
  }

  /** Notes a changed line file; also called at unexport, since inotify may report a last write after the dir is gone. */
  #record(gpio: number, name: string): void {
    const last = this.#last.get(gpio);
    const path = join(this.root, `gpio${String(gpio)}`, name);
    if (last === undefined || !(name in last) || !existsSync(path)) return;
    const content = readFileSync(path, 'utf8').trim();
    if (last[name] === content) return;
    last[name] = content;
    this.writes.push({ gpio, file: name as SimWrite['file'], content, at: Date.now() });
  }

  #unexport(): void {
    const gpio = Number(readFileSync(join(this.root, 'unexport'), 'utf8').trim());
    if (!Number.isInteger(gpio)) return;
    for (const name of ['value', 'direction', 'active_low', 'edge']) this.#record(gpio, name);
    this.#last.delete(gpio);
    rmSync(join(this.root, `gpio${String(gpio)}`), { recursive: true, force: true });
  }
}

/**
 * Starts `node script ...args` in a private mount namespace where /sys/class/gpio is the simulated tree, so onoff's
 * fixed path reaches it. Needs root (CAP_SYS_ADMIN), which the test checks first with namespaceWorks().
 */
export function runInGpioNamespace(root: string, script: string, args: readonly string[]): ChildProcess {
  const setup = 'mount -t tmpfs huxiao-sim /sys/class && mkdir /sys/class/gpio && mount --bind "$0" /sys/class/gpio && exec "$@"';
  return spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', setup, root, process.execPath, script, ...args], { stdio: ['pipe', 'pipe', 'inherit'] });
}

export function namespaceWorks(): Promise<boolean> {
  return new Promise((resolve) => {
    const child = spawn('unshare', ['--mount', '--propagation', 'private', 'sh', '-c', 'mount -t tmpfs huxiao-probe /sys/class'], { stdio: 'ignore' });
    child.on('error', () => {
      resolve(false);
    });
    child.on('close', (code) => {
      resolve(code === 0);
    });
  });
}
