import { execFileSync } from 'node:child_process';
import { chmodSync, closeSync, constants, existsSync, mkdirSync, openSync, readFileSync, writeFileSync, writeSync } from 'node:fs';
import { join } from 'node:path';
import { waitFor } from './wait.js';

export interface FakeChip {
  readonly name: string;
  readonly label: string;
  readonly lines: number;
}

export interface FakeToolsOptions {
  readonly chips: readonly FakeChip[];
  /** Offsets whose gpioset fails at once as the real tool does when another process holds the line. */
  readonly busy?: readonly number[];
}

/** A fake tool started (with its argv) or, for gpioset, let its line go after EOF on stdin. */
export interface ToolEvent {
  readonly pid: string;
  readonly tool: string;
  readonly args: readonly string[];
  readonly event: 'run' | 'released';
}

/**
 * One append per row: tools start and exit concurrently, and a row written in several appends got interleaved with
 * another process's (a fresh-clone CI run read a row "exit" as a tool and lost a release).
 */
const RECORD = 'tab=$(printf "\\t"); row="$$$tab$(basename "$0")"; for a in "$@"; do row="$row$tab$a"; done; printf "%s\\n" "$row" >> "$HERE/calls"';

/** Prints the physical level, inverted when the tool was given --active-low, as gpioget/gpiomon report logical values. */
const LOGICAL = 'logical() { if [ "$low" = 1 ]; then echo $((1 - $1)); else echo "$1"; fi; }';

/**
 * Stand-ins for the libgpiod 1.6 tools (gpiodetect, gpioget, gpioset, gpiomon) at the hardware boundary, for a machine
 * without /dev/gpiochip*. They record their argv in `calls`, print what the real tools print (formats checked against
 * the gpiod 1.6.3 binaries), honour --active-low, and keep gpioset alive until EOF on stdin like `--mode=wait`.
 * The test plays the outside world: `level()` sets a line's physical level before the tools read it, and `edge()`
 * makes a running gpiomon report a physical change.
 */
export class FakeGpiodTools {
  readonly binDir: string;
  readonly devDir: string;
  readonly #dir: string;
  readonly #options: FakeToolsOptions;

  constructor(dir: string, options: FakeToolsOptions) {
    this.#dir = dir;
    this.binDir = join(dir, 'bin');
    this.devDir = join(dir, 'dev');
    this.#options = options;
  }

  start(): void {
    mkdirSync(this.binDir, { recursive: true });
    mkdirSync(this.devDir, { recursive: true });
    writeFileSync(join(this.#dir, 'calls'), '');
    for (const chip of this.#options.chips) writeFileSync(join(this.devDir, chip.name), '');
    const head = `#!/bin/sh\nHERE='${this.#dir}'\n${RECORD}\nlow=0\nfor a in "$@"; do case "$a" in -l|--active-low) low=1;; esac; done\n${LOGICAL}\n`;
    const detect = this.#options.chips.map((chip) => `echo '${chip.name} [${chip.label}] (${String(chip.lines)} lines)'`).join('\n');
    const busy = (this.#options.busy ?? []).map((offset) => `${String(offset)}=*) echo "gpioset: error setting the GPIO line values: Device or resource busy" >&2; exit 1;;`).join('\n    ');
    const scripts = {
      gpiodetect: `${detect}\n`,
      gpioget: 'for a in "$@"; do offset="$a"; done\nlogical "$(cat "$HERE/level-$offset" 2>/dev/null || echo 0)"\n',
      gpioset: `for a in "$@"; do\n  case "$a" in\n    ${busy}\n  esac\ndone\nread -r _\nprintf "%s\\texit\\n" "$$" >> "$HERE/calls"\n`,
      gpiomon: [
        'fmt="event: %e offset: %o"',
        'for a in "$@"; do case "$a" in --format=*) fmt="${a#--format=}";; esac; offset="$a"; done',
        'exec 3<>"$HERE/edges-$offset"',
        'while read -r physical <&3; do',
        '  printf "%s\\n" "$fmt" | sed "s/%o/$offset/g; s/%e/$(logical "$physical")/g; s/%s/0/g; s/%n/0/g"',
        'done',
        '',
      ].join('\n'),
    };
    for (const [tool, body] of Object.entries(scripts)) {
      const path = join(this.binDir, tool);
      writeFileSync(path, head + body);
      chmodSync(path, 0o755);
    }
  }

  /** Sets the physical level a later gpioget reads; gpiomon's FIFO for the offset is made here too. */
  level(offset: number, physical: 0 | 1): void {
    writeFileSync(join(this.#dir, `level-${String(offset)}`), String(physical));
    const fifo = join(this.#dir, `edges-${String(offset)}`);
    if (!existsSync(fifo)) execFileSync('mkfifo', [fifo]);
  }

  /** Physical changes on the line, seen by the running gpiomon; waits (without blocking) until one has the FIFO open. */
  async edges(offset: number, levels: readonly (0 | 1)[]): Promise<void> {
    const fifo = join(this.#dir, `edges-${String(offset)}`);
    let fd: number | undefined;
    await waitFor(`gpiomon listening on offset ${String(offset)}`, () => {
      try {
        fd = openSync(fifo, constants.O_WRONLY | constants.O_NONBLOCK);
        return true;
      } catch (error) {
        if ((error as NodeJS.ErrnoException).code === 'ENXIO') return false;
        throw error;
      }
    });
    if (fd === undefined) return;
    try {
      for (const level of levels) {
        writeFileSync(join(this.#dir, `level-${String(offset)}`), String(level));
        writeSync(fd, `${String(level)}\n`);
      }
    } finally {
      closeSync(fd);
    }
  }

  /** Every run and release of the fake tools, in order. */
  events(): ToolEvent[] {
    const rows = readFileSync(join(this.#dir, 'calls'), 'utf8').split('\n').filter((row) => row !== '');
    const runs = new Map<string, ToolEvent>();
    return rows.map((row) => {
      const [pid = '', tool = '', ...args] = row.split('\t');
      const run = runs.get(pid);
      if (tool === 'exit' && run !== undefined) return { ...run, event: 'released' };
      const started: ToolEvent = { pid, tool, args: args.filter((arg) => arg !== ''), event: 'run' };
      runs.set(pid, started);
      return started;
    });
  }

  /** The timeline as text, e.g. "run gpioset --mode=wait gpiochip4 17=0", "released gpioset ... 17=0". */
  timeline(tool?: string): string[] {
    return this.events()
      .filter((event) => tool === undefined || event.tool === tool)
      .map((event) => `${event.event} ${event.tool} ${event.args.join(' ')}`);
  }
}
