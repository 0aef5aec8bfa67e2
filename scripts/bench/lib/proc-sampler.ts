import { childPids, processCpuSeconds, processRssBytes } from './ingest-proc.js';

export interface ProcReading {
  readonly pid: number;
  /** `root` for the sampled process itself, else the command name of its child. */
  readonly role: string;
  /** CPU seconds used so far. */
  readonly cpu: number;
  readonly rssBytes: number;
}

export interface Tick {
  readonly at: number;
  readonly procs: readonly ProcReading[];
}

/** Reads /proc once a second for a process and its children of the given command names (the gateway and its ffmpegs). */
export class ProcSampler {
  readonly #root: number;
  readonly #children: readonly string[];
  readonly #ticks: Tick[] = [];
  #timer: NodeJS.Timeout | undefined;

  constructor(root: number, children: readonly string[]) {
    this.#root = root;
    this.#children = children;
  }

  start(intervalMs = 1000): void {
    this.#sample();
    this.#timer = setInterval(() => {
      this.#sample();
    }, intervalMs);
  }

  /** Stops sampling (after one last reading, the first time) and returns every tick. */
  stop(): readonly Tick[] {
    if (this.#timer === undefined) return this.#ticks;
    clearInterval(this.#timer);
    this.#timer = undefined;
    this.#sample();
    return this.#ticks;
  }

  #sample(): void {
    const procs: ProcReading[] = [];
    const read = (pid: number, role: string): void => {
      const cpu = processCpuSeconds(pid);
      const rssBytes = processRssBytes(pid);
      if (cpu !== undefined && rssBytes !== undefined) procs.push({ pid, role, cpu, rssBytes });
    };
    read(this.#root, 'root');
    for (const comm of this.#children) for (const pid of childPids(comm, this.#root)) read(pid, comm);
    this.#ticks.push({ at: Date.now(), procs });
  }
}

function within(ticks: readonly Tick[], from: number, to: number): Tick[] {
  return ticks.filter((tick) => tick.at >= from && tick.at <= to);
}

/**
 * Cores used by the processes of `role` over the ticks inside [from, to]: each process's CPU between its first and
 * last reading there, summed, over the time between the window's first and last tick. A process that started inside
 * the window (ffmpeg reconnecting) counts from its first reading. Undefined with fewer than two ticks.
 */
export function cores(ticks: readonly Tick[], from: number, to: number, role: string): number | undefined {
  const window = within(ticks, from, to);
  const first = window[0];
  const last = window.at(-1);
  if (first === undefined || last === undefined || last.at <= first.at) return undefined;
  const span = new Map<number, { first: number; last: number }>();
  for (const tick of window) {
    for (const proc of tick.procs) {
      if (proc.role !== role) continue;
      const known = span.get(proc.pid);
      span.set(proc.pid, { first: known?.first ?? proc.cpu, last: proc.cpu });
    }
  }
  let cpu = 0;
  for (const { first: start, last: end } of span.values()) cpu += end - start;
  return cpu / ((last.at - first.at) / 1000);
}

/** The largest total resident memory of the processes of `role` at any tick inside [from, to], in bytes. */
export function peakRss(ticks: readonly Tick[], from: number, to: number, role: string): number {
  let peak = 0;
  for (const tick of within(ticks, from, to)) {
    const total = tick.procs.filter((proc) => proc.role === role).reduce((sum, proc) => sum + proc.rssBytes, 0);
    peak = Math.max(peak, total);
  }
  return peak;
}
