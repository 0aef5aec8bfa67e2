import { join } from 'node:path';
import type { AudioConfig } from '../config/actions.js';
import { AudioCache } from './audio-cache.js';
import { ClipRenderer } from './clip-renderer.js';
import { exists, NameClips, wipe, type NameClipReport } from './name-clips.js';
import type { SpokenPerson } from './named-sentences.js';

export type { NameClipReport } from './name-clips.js';

/** An enrolled person as their voice clips know them: the id names the files, name and class fill the sentences. */
export interface VoicedPerson extends SpokenPerson {
  readonly id: string;
}

export interface PersonVoiceOptions {
  readonly audio: AudioConfig;
  /** The sentences warnings can say with this person's name (namedSentences of the running config). */
  readonly sentences: (person: SpokenPerson) => readonly string[];
}

/** Where the name clips live: beside the audio cache, in a folder the cache never evicts from. */
export function nameClipsDir(audio: AudioConfig): string {
  return join(audio.cache.dir, 'names');
}

/**
 * The voice side of enrolling and removing a person: renders their named warnings at enrollment and deletes them at
 * removal. Needs no started Actions (the CLI enrolls while the service runs, or without it), only the audio config:
 * the warnings' renderer finds the clips by the sentence's key in the same folder.
 */
export class PersonVoice {
  readonly #options: PersonVoiceOptions;
  readonly #names: NameClips;
  readonly #renderer: ClipRenderer;
  readonly #cache: AudioCache;

  constructor(options: PersonVoiceOptions) {
    this.#options = options;
    const { audio } = options;
    this.#names = new NameClips(nameClipsDir(audio));
    // The cache is only asked for paths here (never started): the name clips are written by NameClips.
    this.#cache = new AudioCache(audio.cache);
    this.#renderer = new ClipRenderer(this.#cache, { voice: audio.voice, wordsPerMinute: audio.wordsPerMinute }, this.#names);
  }

  get names(): NameClips {
    return this.#names;
  }

  /** Renders the clips of every named sentence of the config for this person (AUDIO_* when synthesis fails). */
  render(person: VoicedPerson): Promise<NameClipReport> {
    return this.#names.render(this.#renderer, person.id, this.#options.sentences(person));
  }

  /**
   * Deletes the person's clips. With their name (when the gallery could still read it), also the copies of their
   * sentences the ordinary cache may hold: a warning synthesizes a named sentence there when it had no clip yet (the
   * person enrolled before a template was changed). Returns the number of files deleted.
   */
  async remove(person: { readonly id: string } & Partial<SpokenPerson>): Promise<number> {
    let removed = await this.#names.remove(person.id);
    if (person.name === undefined) return removed;
    for (const text of this.#options.sentences({ name: person.name, class: person.class })) {
      const path = this.#cache.pathOf(this.#renderer.speechKey(text));
      // Not in the cache is the usual case.
      if (!(await exists(path))) continue;
      await wipe(path);
      removed += 1;
    }
    return removed;
  }
}
