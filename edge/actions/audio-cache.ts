import { createHash } from 'node:crypto';
import { mkdir, readdir, rename, rm, stat, utimes } from 'node:fs/promises';
import { join } from 'node:path';
import { moduleLogger } from '../log.js';

export interface AudioCacheOptions {
  readonly dir: string;
  readonly maxEntries: number;
  readonly maxBytes: number;
}

/** Produces a WAV file at the given path; the cache renames it into place only once it is complete. */
export type Producer = (tempPath: string) => Promise<void>;

const log = moduleLogger('audio-cache');
const SUFFIX = '.wav';

export function cacheKey(parts: readonly (string | number)[]): string {
  return createHash('sha256').update(JSON.stringify(parts)).digest('hex').slice(0, 32);
}

/**
 * Rendered clips on disk, named by a hash of what produced them, so a restart finds them again.
 * Writes are temp file + rename, so a crash mid-render never leaves a truncated clip under a real name.
 * Recency is the file's mtime, touched on every use, so LRU order survives restarts without an index file.
 */
export class AudioCache {
  readonly #options: AudioCacheOptions;
  readonly #pending = new Map<string, Promise<string>>();
  #sequence = 0;

  constructor(options: AudioCacheOptions) {
    this.#options = options;
  }

  async start(): Promise<void> {
    await mkdir(this.#options.dir, { recursive: true });
    // Temp files are leftovers of a render interrupted by a crash or power cut.
    for (const name of await readdir(this.#options.dir)) {
      if (name.includes('.tmp-')) await rm(join(this.#options.dir, name), { force: true });
    }
    await this.evict();
  }

  pathOf(key: string): string {
    return join(this.#options.dir, `${key}${SUFFIX}`);
  }

  /** The cached clip's path if present (and marks it recently used), else undefined. */
  async lookup(key: string): Promise<string | undefined> {
    const path = this.pathOf(key);
    try {
      const now = new Date();
      await utimes(path, now, now);
      return path;
    } catch {
      return undefined;
    }
  }

  /** The clip for `key`, produced once even when asked for concurrently. */
  async get(key: string, produce: Producer): Promise<string> {
    const hit = await this.lookup(key);
    if (hit !== undefined) return hit;
    const running = this.#pending.get(key);
    if (running !== undefined) return running;
    const job = this.#produce(key, produce).finally(() => this.#pending.delete(key));
    this.#pending.set(key, job);
    return job;
  }

  async #produce(key: string, produce: Producer): Promise<string> {
    this.#sequence += 1;
    const temp = join(this.#options.dir, `${key}.tmp-${process.pid}-${this.#sequence}${SUFFIX}`);
    try {
      await produce(temp);
      await rename(temp, this.pathOf(key));
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
    await this.evict();
    return this.pathOf(key);
  }

  /** Removes the least recently used clips until both bounds hold. */
  async evict(): Promise<void> {
    const entries: { path: string; size: number; mtimeMs: number }[] = [];
    for (const name of await readdir(this.#options.dir)) {
      if (!name.endsWith(SUFFIX) || name.includes('.tmp-')) continue;
      const path = join(this.#options.dir, name);
      try {
        const info = await stat(path);
        entries.push({ path, size: info.size, mtimeMs: info.mtimeMs });
      } catch {
        continue;
      }
    }
    entries.sort((a, b) => a.mtimeMs - b.mtimeMs);
    let bytes = entries.reduce((sum, entry) => sum + entry.size, 0);
    let count = entries.length;
    for (const entry of entries) {
      if (count <= this.#options.maxEntries && bytes <= this.#options.maxBytes) break;
      await rm(entry.path, { force: true });
      count -= 1;
      bytes -= entry.size;
      log.debug({ path: entry.path, size: entry.size }, 'evicted cached clip');
    }
  }
}
