import { existsSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { CLIP_RATE } from '../../edge/actions/clip-renderer.js';

export interface SinkEvent {
  readonly event: 'open' | 'close';
  readonly at: number;
  readonly pid: number;
  readonly bytes?: number;
}

/**
 * An ALSA device string that plays into a real-time paced pipe instead of a sound card (this container has none):
 * aplay, the ALSA file plugin and the null PCM all run for real; only the card is replaced.
 */
export function soundSink(dir: string, name: string): { device: string; events(): SinkEvent[] } {
  const log = join(dir, `${name}.log`);
  const script = fileURLToPath(new URL('./sound-sink-process.js', import.meta.url));
  const bytesPerSecond = CLIP_RATE * 2;
  return {
    device: `file:FILE="|exec ${process.execPath} ${script} ${log} ${String(bytesPerSecond)}",FORMAT=raw`,
    events: () =>
      existsSync(log)
        ? readFileSync(log, 'utf8')
            .split('\n')
            .filter((line) => line !== '')
            .map((line) => JSON.parse(line) as SinkEvent)
        : [],
  };
}
