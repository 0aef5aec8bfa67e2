/** Splits a child's output stream into lines across chunk boundaries; "\r" ends a line too (ffmpeg's progress lines). */
export class LineSplitter {
  #rest = '';

  push(chunk: string, onLine: (line: string) => void): void {
    const parts = (this.#rest + chunk).split(/\r?\n|\r/);
    this.#rest = parts.pop() ?? '';
    // A \r\n split across two chunks leaves an empty part; empty lines carry nothing anyway.
    for (const part of parts) if (part !== '') onLine(part);
  }

  flush(onLine: (line: string) => void): void {
    if (this.#rest !== '') onLine(this.#rest);
    this.#rest = '';
  }
}
