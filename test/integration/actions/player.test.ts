import assert from 'node:assert/strict';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { AudioCache } from '../../../edge/actions/audio-cache.js';
import { ClipRenderer } from '../../../edge/actions/clip-renderer.js';
import { Player, type AmplifierControl, type PlaybackEvent, type PlayRequest } from '../../../edge/actions/player.js';
import { soundSink } from '../../helpers/sound-sink.js';
import { tempDir } from '../../helpers/tmp.js';
import { wavFacts } from '../../helpers/wav.js';

/** The amplifier is a GPIO line (hardware boundary); here it only records when it was asked to switch. */
class RecordingAmplifier implements AmplifierControl {
  readonly log: string[] = [];
  on(): Promise<void> {
    this.log.push('on');
    return Promise.resolve();
  }
  off(): void {
    this.log.push('off');
  }
}

function collect(player: Player): PlaybackEvent[] {
  const events: PlaybackEvent[] = [];
  player.onPlayback((event) => events.push(event));
  return events;
}

function until(events: PlaybackEvent[], test: (event: PlaybackEvent) => boolean): Promise<PlaybackEvent> {
  return new Promise((resolve) => {
    const poll = (): void => {
      const found = events.find(test);
      if (found === undefined) setTimeout(poll, 5);
      else resolve(found);
    };
    poll();
  });
}

describe('player (real aplay into a paced ALSA file sink)', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let renderer: ClipRenderer;
  let short: string;
  let long: string;
  let chime: string;
  before(async () => {
    dir = await tempDir('player');
    const cache = new AudioCache({ dir: join(dir.path, 'cache'), maxEntries: 50, maxBytes: 50_000_000 });
    await cache.start();
    renderer = new ClipRenderer(cache, { voice: 'cmn', wordsPerMinute: 150 });
    [short, long, chime] = await Promise.all([
      renderer.speech('请离开'),
      renderer.speech('同学你好，这里是水边危险区域，请你立即离开水边，回到安全的地方，谢谢配合。'),
      renderer.chime(),
    ]);
  });
  after(() => dir.remove());

  const request = (alertId: string, wavPath: string, priority: PlayRequest['priority'], chimePath?: string): PlayRequest => ({
    alertId,
    text: alertId,
    wavPath,
    priority,
    ...(chimePath === undefined ? {} : { chimePath }),
  });

  it('plays the chime then the message through one aplay, between amplifier on and off', async () => {
    const sink = soundSink(dir.path, 'chime');
    const amplifier = new RecordingAmplifier();
    const player = new Player({ device: sink.device, queueSize: 4, amplifier });
    const events = collect(player);
    player.start();
    player.play(request('a1', short, 'normal', chime));
    const end = await until(events, (event) => event.kind === 'end');
    await player.stop();
    assert.deepEqual(
      events.map((event) => event.kind),
      ['start', 'end'],
    );
    assert.ok(end.kind === 'end' && end.outcome === 'completed' && end.startedAt !== undefined);
    assert.deepEqual(amplifier.log, ['on', 'off']);
    // The sink received the PCM data of both files (raw output: data bytes, headers stripped, padded to a period).
    const expected = Math.round((wavFacts(chime).seconds + wavFacts(short).seconds) * 22_050 * 2);
    const received = sink.events().find((event) => event.event === 'close')?.bytes ?? 0;
    assert.ok(Math.abs(received - expected) < 22_050, `received ${String(received)} bytes, expected about ${String(expected)}`);
  });

  it('lets an emergency pre-empt a playing warning and never plays two clips at once', async () => {
    const sink = soundSink(dir.path, 'sink');
    const player = new Player({ device: sink.device, queueSize: 4, amplifier: new RecordingAmplifier() });
    const events = collect(player);
    player.start();
    player.play(request('normal-1', long, 'normal'));
    await until(events, (event) => event.kind === 'start');
    player.play(request('normal-2', short, 'normal'));
    player.play(request('emergency', short, 'emergency'));
    await until(events, (event) => event.kind === 'end' && event.request.alertId === 'normal-2');
    await player.stop();
    const sequence = events.map((event) => `${event.kind}:${event.request.alertId}${event.kind === 'end' ? `:${event.outcome}` : ''}`);
    assert.deepEqual(sequence, ['start:normal-1', 'end:normal-1:preempted', 'start:emergency', 'end:emergency:completed', 'start:normal-2', 'end:normal-2:completed']);
    const starts = events.filter((event) => event.kind === 'start').map((event) => event.startedAt);
    const ends = events.flatMap((event) => (event.kind === 'end' ? [event.endedAt] : []));
    for (let i = 1; i < starts.length; i++) assert.ok((starts[i] ?? 0) >= (ends[i - 1] ?? Infinity), 'a clip started before the previous ended');
  });

  it('cancels the playing and queued clips of an acknowledged alert, and drops the oldest least urgent when the queue is full', async () => {
    const sink = soundSink(dir.path, 'cancel');
    const player = new Player({ device: sink.device, queueSize: 2, amplifier: new RecordingAmplifier() });
    const events = collect(player);
    player.start();
    player.play(request('ack', long, 'high'));
    await until(events, (event) => event.kind === 'start');
    player.play(request('ack', short, 'high'));
    player.play(request('n1', short, 'normal'));
    player.play(request('n2', short, 'normal'));
    const dropped = events.find((event) => event.kind === 'dropped');
    assert.equal(dropped?.request.alertId, 'n1');
    player.cancel('ack');
    await until(events, (event) => event.kind === 'end' && event.request.alertId === 'n2');
    await player.stop();
    const sequence = events.map((event) => `${event.kind}:${event.request.alertId}${event.kind === 'end' ? `:${event.outcome}` : ''}`);
    assert.deepEqual(sequence, ['start:ack', 'dropped:n1', 'end:ack:cancelled', 'start:n2', 'end:n2:completed']);
  });

  it('reports a missing aplay as a failed playback and keeps running', async () => {
    const player = new Player({ device: 'null', queueSize: 2, amplifier: new RecordingAmplifier(), aplay: join(dir.path, 'no-such-aplay') });
    const events = collect(player);
    player.start();
    player.play(request('x', short, 'normal'));
    const end = await until(events, (event) => event.kind === 'end');
    assert.ok(end.kind === 'end' && end.outcome === 'failed' && end.error?.includes('alsa-utils') === true);
    player.play(request('y', short, 'normal'));
    await until(events, (event) => event.kind === 'end' && event.request.alertId === 'y');
    await player.stop();
  });
});
