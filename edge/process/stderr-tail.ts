export interface TailLimits {
  /** Lines kept (default 20). */
  readonly lines?: number;
  /** Characters kept over all lines (default 4000); a longer single line is cut to this. */
  readonly chars?: number;
}

/**
 * The last lines a tool wrote to stderr, bounded by count and by size: a decoder can print a warning per packet for
 * hours, and the lines that explain an exit are the last ones. A ring, so a chatty tool costs no copying per line.
 */
export class StderrTail {
  readonly #maxChars: number;
  readonly #ring: string[];
  #start = 0;
  #size = 0;
  #chars = 0;

  constructor(limits: TailLimits = {}) {
    const lines = limits.lines ?? 20;
    if (!Number.isInteger(lines) || lines < 1) throw new RangeError(`tail lines must be a positive integer, got ${String(lines)}`);
    this.#maxChars = limits.chars ?? 4000;
    this.#ring = new Array<string>(lines);
  }

  push(line: string): void {
    const kept = line.length > this.#maxChars ? `${line.slice(0, this.#maxChars - 1)}…` : line;
    if (this.#size === this.#ring.length) this.#dropOldest();
    this.#ring[(this.#start + this.#size) % this.#ring.length] = kept;
    this.#size += 1;
    this.#chars += kept.length;
    while (this.#chars > this.#maxChars && this.#size > 1) this.#dropOldest();
  }

  /** The kept lines, oldest first. */
  lines(): string[] {
    const lines: string[] = [];
    for (let index = 0; index < this.#size; index++) lines.push(this.#ring[(this.#start + index) % this.#ring.length] ?? '');
    return lines;
  }

  #dropOldest(): void {
    this.#chars -= this.#ring[this.#start]?.length ?? 0;
    this.#ring[this.#start] = '';
    this.#start = (this.#start + 1) % this.#ring.length;
    this.#size -= 1;
  }
}
