import assert from 'node:assert/strict';
import { execFileSync } from 'node:child_process';
import { stat, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AudioCache } from '../../../edge/actions/audio-cache.js';
import { CLIP_RATE, ClipRenderer } from '../../../edge/actions/clip-renderer.js';
import { isHuxiaoError } from '../../../edge/errors.js';
import { tempDir } from '../../helpers/tmp.js';
import { wavFacts } from '../../helpers/wav.js';

describe('clip renderer (real espeak-ng, sox, ffmpeg)', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let renderer: ClipRenderer;
  before(async () => {
    dir = await tempDir('renderer');
    const cache = new AudioCache({ dir: join(dir.path, 'cache'), maxEntries: 50, maxBytes: 50_000_000 });
    await cache.start();
    renderer = new ClipRenderer(cache, { voice: 'cmn', wordsPerMinute: 150 });
  });
  after(() => dir.remove());

  it('renders Mandarin speech to a normalized, audible WAV of plausible length', async () => {
    const path = await renderer.speech('三年级二班张三同学，请立即离开水边！');
    const facts = wavFacts(path);
    assert.equal(facts.sampleRate, CLIP_RATE);
    assert.equal(facts.channels, 1);
    assert.ok(facts.seconds > 1.5 && facts.seconds < 10, `duration ${String(facts.seconds)} s`);
    assert.ok(facts.rms > 0.05, `rms ${String(facts.rms)}`);
    // Normalized to -1 dBFS peak.
    assert.ok(facts.peak > 0.85 && facts.peak <= 0.9, `peak ${String(facts.peak)}`);
  });

  it('serves a repeated sentence from the cache without rendering it again', async () => {
    const text = '请注意安全';
    assert.equal(await renderer.cachedSpeech(text), undefined);
    const first = await renderer.speech(text);
    const before = (await stat(first)).ino;
    assert.equal(await renderer.cachedSpeech(text), first);
    assert.equal(await renderer.speech(text), first);
    assert.equal((await stat(first)).ino, before);
  });

  it('synthesizes a short non-silent chime', async () => {
    const facts = wavFacts(await renderer.chime());
    assert.ok(facts.seconds > 0.5 && facts.seconds < 2);
    assert.ok(facts.rms > 0.1);
  });

  it('converts an operator MP3 clip once to the common WAV format', async () => {
    const mp3 = join(dir.path, 'operator.mp3');
    execFileSync('ffmpeg', ['-nostdin', '-v', 'error', '-f', 'lavfi', '-i', 'sine=frequency=440:duration=1.5', '-ar', '44100', mp3]);
    const path = await renderer.recording(mp3);
    const facts = wavFacts(path);
    assert.equal(facts.sampleRate, CLIP_RATE);
    assert.ok(Math.abs(facts.seconds - 1.5) < 0.1, `duration ${String(facts.seconds)}`);
    assert.equal(await renderer.recording(mp3), path);
  });

  it('names the file of a broken or missing operator clip', async () => {
    const junk = join(dir.path, 'junk.mp3');
    await writeFile(junk, 'not audio at all');
    await assert.rejects(renderer.recording(junk), (error: unknown) => isHuxiaoError(error) && error.code === 'AUDIO_CLIP' && error.message.includes(junk));
    await assert.rejects(renderer.recording('/nonexistent/clip.wav'), (error: unknown) => isHuxiaoError(error) && error.code === 'AUDIO_CLIP' && error.message.includes('/nonexistent/clip.wav'));
  });
});
