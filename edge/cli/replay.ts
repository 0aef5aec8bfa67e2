import type { Command } from 'commander';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { needsIdentity } from '../config/rules.js';
import type { Config } from '../config/schema.js';
import { Gallery } from '../gallery/gallery.js';
import { GalleryIdentity } from '../gallery/gallery-identity.js';
import { Store } from '../store/store.js';
import { DEFAULT_CONFIG_PATH, readConfigFile } from '../config/load.js';
import { HuxiaoError } from '../errors.js';
import { replay } from '../ingest/replay.js';
import { openReplayPerception } from '../perception-replay.js';
import { checkLabels } from '../vision/config-labels.js';
import { cameraFromConfig } from './camera-arg.js';

function parseStart(text: string | undefined): number {
  if (text === undefined) return 0;
  const ms = Date.parse(text);
  if (!/^\d{4}-\d{2}-\d{2}T/.test(text) || Number.isNaN(ms)) {
    throw new HuxiaoError('REPLAY_INPUT', `--start: expected an ISO 8601 time such as 2025-03-01T07:30:00+08:00, got "${text}"`);
  }
  return ms;
}

/** Waits for stdout to drain, so a slow reader of our output slows decoding instead of growing memory. */
function writeLine(line: string): Promise<void> {
  return new Promise((resolve, reject) => {
    process.stdout.write(line, (error) => {
      if (error) reject(error);
      else resolve();
    });
  });
}

/**
 * The configured gallery, for replays of identity rules: opened from the store as the service opens it, but never
 * creating a store or a key. Undefined (said on stderr) when there is no store yet: nobody is enrolled.
 */
function openGallery(config: Config): { identity: GalleryIdentity; close(): void } | undefined {
  const path = join(config.storage.dir, 'huxiao.db');
  if (!existsSync(path)) {
    process.stderr.write(`replay: no store at ${path}, so no gallery: identity rules identify nobody\n`);
    return undefined;
  }
  const store = new Store({ path });
  store.start();
  const gallery = new Gallery({ store, keyFile: config.identity.keyFile, create: false });
  try {
    gallery.start();
  } catch (error) {
    store.stop();
    throw error;
  }
  return {
    identity: new GalleryIdentity(gallery, config.identity),
    close: () => {
      gallery.stop();
      store.stop();
    },
  };
}

export function registerReplay(program: Command): void {
  program
    .command('replay')
    .description('Run a recorded file through the pipeline as fast as the CPU allows; JSON lines on stdout, same output on any machine')
    .option('-c, --config <file>', 'config file', DEFAULT_CONFIG_PATH)
    .requiredOption('--camera <id>', 'camera whose detect size, fps and rules apply')
    .requiredOption('-i, --input <file>', 'video file (anything ffmpeg decodes)')
    .option('--start <iso>', 'wall time of the first frame (ISO 8601); default 1970-01-01T00:00:00Z')
    .action(async (options: { config: string; camera: string; input: string; start?: string }) => {
      const camera = cameraFromConfig(options.config, options.camera);
      const anchor = parseStart(options.start);
      const loaded = readConfigFile(options.config);
      await checkLabels(loaded);
      // Rule hits, clears and count records of the camera's rules are printed between the frame lines; a camera
      // without rules only decodes (and needs no model).
      const gallery = needsIdentity(loaded.config) ? openGallery(loaded.config) : undefined;
      let perception;
      try {
        perception = await openReplayPerception({ config: loaded.config, camera, ...(gallery === undefined ? {} : { matcher: gallery.identity }) });
      } catch (error) {
        gallery?.close();
        throw error;
      }
      const started = performance.now();
      let summary;
      try {
        summary = await replay({ camera, input: options.input, anchor, write: writeLine, ...(perception.pipeline === undefined ? {} : { pipeline: perception.pipeline }) });
      } finally {
        await perception.stop();
        gallery?.close();
      }
      const wallSeconds = (performance.now() - started) / 1000;
      // Speed depends on the machine, so it goes to stderr: stdout must be identical everywhere.
      process.stderr.write(
        `replay: ${String(summary.frames)} frames, ${summary.mediaSeconds.toFixed(1)} media s in ${wallSeconds.toFixed(1)} s ` +
          `(${(summary.frames / wallSeconds).toFixed(1)} frames/s, ${(summary.mediaSeconds / wallSeconds).toFixed(1)}x real time)\n`,
      );
    });
}
