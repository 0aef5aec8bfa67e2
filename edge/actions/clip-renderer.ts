import { rm, stat } from 'node:fs/promises';
import { HuxiaoError } from '../errors.js';
import { AudioCache, cacheKey } from './audio-cache.js';
import { run } from './exec.js';
import type { NameClips } from './name-clips.js';

export interface SpeechSettings {
  readonly voice: string;
  readonly wordsPerMinute: number;
}

/** Every clip is brought to one format, so the player and a sound-card sink see the same rate whatever the source. */
export const CLIP_RATE = 22_050;
const FORMAT = ['-r', String(CLIP_RATE), '-c', '1', '-b', '16'] as const;
/** Bump when the rendering chain changes, so old cached clips are not reused. */
const RENDER_VERSION = 1;

/**
 * Turns text, operator recordings and the chime into normalized WAV files in the cache:
 * espeak-ng synthesizes, sox normalizes to -1 dBFS peak and resamples, ffmpeg decodes MP3 or odd WAVs.
 */
export class ClipRenderer {
  readonly #cache: AudioCache;
  readonly #speech: SpeechSettings;
  readonly #names: NameClips | undefined;

  /** `names`: the clips of enrolled persons' sentences, looked up before the cache and never evicted (name-clips.ts). */
  constructor(cache: AudioCache, speech: SpeechSettings, names?: NameClips) {
    this.#cache = cache;
    this.#speech = speech;
    this.#names = names;
  }

  speechKey(text: string): string {
    return cacheKey(['speech', RENDER_VERSION, text, this.#speech.voice, this.#speech.wordsPerMinute]);
  }

  /** The cached clip for `text` if it was rendered before, without rendering. */
  cachedSpeech(text: string): Promise<string | undefined> {
    return this.#cache.lookup(this.speechKey(text));
  }

  /** The clip of `text`: an enrolled person's pre-rendered sentence, else from the cache, else synthesized into it. */
  async speech(text: string): Promise<string> {
    const key = this.speechKey(text);
    const named = await this.#names?.lookup(key);
    if (named !== undefined) return named;
    return this.#cache.get(key, (target) => this.synthesize(text, target));
  }

  /** Synthesizes `text` into a normalized WAV at `target`, cached nowhere: the caller owns the file. */
  async synthesize(text: string, target: string): Promise<void> {
    const raw = `${target}.espeak.wav`;
    try {
      await run('espeak-ng', ['-v', this.#speech.voice, '-s', String(this.#speech.wordsPerMinute), '-b', '1', '-w', raw], { stdin: text, purpose: 'speech synthesis' });
      await run('sox', [raw, ...FORMAT, target, 'gain', '-n', '-1'], { purpose: 'speech normalization' });
    } finally {
      await rm(raw, { force: true });
    }
  }

  /** An operator recording (WAV or MP3) converted once; a changed file (size or mtime) is converted again. */
  async recording(path: string): Promise<string> {
    let info;
    try {
      info = await stat(path);
    } catch (error) {
      throw new HuxiaoError('AUDIO_CLIP', `audio clip ${path}: cannot read: ${(error as NodeJS.ErrnoException).code ?? String(error)}`);
    }
    const key = cacheKey(['recording', RENDER_VERSION, path, info.size, info.mtimeMs]);
    return this.#cache.get(key, async (target) => {
      const decoded = `${target}.ffmpeg.wav`;
      try {
        await run('ffmpeg', ['-nostdin', '-v', 'error', '-y', '-i', path, '-ac', '1', '-ar', String(CLIP_RATE), '-c:a', 'pcm_s16le', decoded], { purpose: `conversion of audio clip ${path}` });
        await run('sox', [decoded, ...FORMAT, target, 'gain', '-n', '-1'], { purpose: `normalization of audio clip ${path}` });
      } catch (error) {
        throw error instanceof HuxiaoError && error.code === 'AUDIO_RENDER' ? new HuxiaoError('AUDIO_CLIP', `audio clip ${path} is not a playable WAV or MP3: ${error.message}`) : error;
      } finally {
        await rm(decoded, { force: true });
      }
    });
  }

  /** A soft two-tone chime (E6 then C6, faded), synthesized rather than shipped so no binary lives in the repo. */
  chime(): Promise<string> {
    return this.#cache.get(cacheKey(['chime', RENDER_VERSION]), async (target) => {
      const high = `${target}.high.wav`;
      const low = `${target}.low.wav`;
      try {
        await run('sox', ['-n', ...FORMAT, high, 'synth', '0.3', 'sine', '1318.5', 'fade', 'q', '0.01', '0.3', '0.1', 'gain', '-4'], { purpose: 'chime synthesis' });
        await run('sox', ['-n', ...FORMAT, low, 'synth', '0.5', 'sine', '1046.5', 'fade', 'q', '0.01', '0.5', '0.35', 'gain', '-4'], { purpose: 'chime synthesis' });
        await run('sox', [high, low, target, 'pad', '0', '0.15'], { purpose: 'chime synthesis' });
      } finally {
        await Promise.all([rm(high, { force: true }), rm(low, { force: true })]);
      }
    });
  }
}
