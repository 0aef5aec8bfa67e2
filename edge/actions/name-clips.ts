import { mkdir, open, readdir, rename, rm, rmdir, stat } from 'node:fs/promises';
import { join } from 'node:path';
import { moduleLogger } from '../log.js';
import type { ClipRenderer } from './clip-renderer.js';

/** What rendering one person's sentences did. */
export interface NameClipReport {
  /** Clips synthesized now. */
  readonly rendered: number;
  /** Clips that were already there (the same sentence enrolled before). */
  readonly kept: number;
  /** The person's clips of sentences no longer said (a changed name or template), deleted. */
  readonly removed: number;
}

const log = moduleLogger('name-clips');
const SUFFIX = '.wav';
const KEY = /^[0-9a-f]{32}$/;

/**
 * The warnings that say an enrolled person's name, rendered at enrollment so the first warning does not wait for
 * speech synthesis: `<dir>/<sentence key>/<person id>.wav`, the key being the renderer's speech key of the sentence.
 * A lookup by key finds the clip wherever the sentence came from, without the person id the warning does not have;
 * two persons with the same name and class have a clip each, so removing one never silences the other. Unlike the
 * audio cache these clips are never evicted (a school of 1,000 would push each other out), and a removal overwrites
 * a clip with zeros before unlinking it: it says a child's name. Another process (the CLI) may add or remove clips
 * while the service runs: every lookup reads the directory.
 */
export class NameClips {
  readonly #dir: string;
  #sequence = 0;

  constructor(dir: string) {
    this.#dir = dir;
  }

  get dir(): string {
    return this.#dir;
  }

  /** The clip of a sentence key, if some enrolled person has one. */
  async lookup(key: string): Promise<string | undefined> {
    if (!KEY.test(key)) return undefined;
    try {
      const name = (await readdir(join(this.#dir, key))).find((file) => file.endsWith(SUFFIX) && !file.includes('.tmp-'));
      return name === undefined ? undefined : join(this.#dir, key, name);
    } catch {
      return undefined;
    }
  }

  /** Paths of a person's clips. */
  async clipsOf(person: string): Promise<string[]> {
    const clips: string[] = [];
    for (const key of await this.#keys()) {
      const path = join(this.#dir, key, `${person}${SUFFIX}`);
      if (await exists(path)) clips.push(path);
    }
    return clips;
  }

  /**
   * Makes the person's clips exactly the given sentences: missing ones are synthesized (temp file + rename), ones of
   * sentences no longer in the list are deleted. A synthesis failure (AUDIO_*) is thrown once the others are done.
   */
  async render(renderer: ClipRenderer, person: string, sentences: readonly string[]): Promise<NameClipReport> {
    const wanted = new Map(sentences.map((text) => [renderer.speechKey(text), text]));
    let rendered = 0;
    let kept = 0;
    let failure: Error | undefined;
    for (const [key, text] of wanted) {
      const path = join(this.#dir, key, `${person}${SUFFIX}`);
      if (await exists(path)) {
        kept += 1;
        continue;
      }
      try {
        await this.#produce(renderer, key, person, text);
        rendered += 1;
      } catch (error) {
        failure ??= error instanceof Error ? error : new Error(String(error));
      }
    }
    let removed = 0;
    for (const key of await this.#keys()) if (!wanted.has(key) && (await this.#delete(key, person))) removed += 1;
    if (failure !== undefined) throw failure;
    return { rendered, kept, removed };
  }

  /** Deletes every clip of the person (and a leftover temp file); the number of clips deleted. */
  async remove(person: string): Promise<number> {
    let removed = 0;
    for (const key of await this.#keys()) if (await this.#delete(key, person)) removed += 1;
    return removed;
  }

  async #produce(renderer: ClipRenderer, key: string, person: string, text: string): Promise<void> {
    const folder = join(this.#dir, key);
    await mkdir(folder, { recursive: true, mode: 0o700 });
    this.#sequence += 1;
    const temp = join(folder, `${person}.tmp-${String(process.pid)}-${String(this.#sequence)}${SUFFIX}`);
    try {
      await renderer.synthesize(text, temp);
      await rename(temp, join(folder, `${person}${SUFFIX}`));
    } catch (error) {
      await rm(temp, { force: true });
      throw error;
    }
  }

  async #delete(key: string, person: string): Promise<boolean> {
    const folder = join(this.#dir, key);
    let deleted = false;
    let files: string[];
    try {
      files = await readdir(folder);
    } catch {
      return false;
    }
    for (const file of files) {
      if (file !== `${person}${SUFFIX}` && !file.startsWith(`${person}.tmp-`)) continue;
      await wipe(join(folder, file));
      if (file === `${person}${SUFFIX}`) deleted = true;
    }
    try {
      await rmdir(folder);
    } catch {
      // Another person's clip of the same sentence is still in it.
    }
    return deleted;
  }

  async #keys(): Promise<string[]> {
    try {
      return (await readdir(this.#dir)).filter((name) => KEY.test(name));
    } catch {
      return [];
    }
  }
}

export async function exists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}

/**
 * Zeros over the clip, synced, then unlinked: ext4 overwrites in place, so the samples are gone, not just the file
 * name. Copy-on-write and log-structured file systems (btrfs, f2fs) and flash remapping may keep old blocks; full-disk
 * encryption covers those, as for the database (docs/gallery.md).
 */
export async function wipe(path: string): Promise<void> {
  try {
    const handle = await open(path, 'r+');
    try {
      const { size } = await handle.stat();
      await handle.write(Buffer.alloc(size), 0, size, 0);
      await handle.sync();
    } finally {
      await handle.close();
    }
  } catch (error) {
    log.warn({ err: error, path }, 'name clip not overwritten before deletion');
  }
  await rm(path, { force: true });
}
