import { rename, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { DEFAULT_CONFIG_PATH } from '../config/load.js';
import { encodeJpeg, takeSnapshot } from '../ingest/snapshot.js';
import { cameraFromConfig } from './camera-arg.js';

export function registerSnapshot(program: Command): void {
  program
    .command('snapshot')
    .description("Save one frame of a camera, at its detect resolution, as a JPEG")
    .option('-c, --config <file>', 'config file', DEFAULT_CONFIG_PATH)
    .requiredOption('--camera <id>', 'camera id from the config')
    .requiredOption('-o, --out <file>', 'JPEG file to write')
    .action(async (options: { config: string; camera: string; out: string }) => {
      const camera = cameraFromConfig(options.config, options.camera);
      const jpeg = await encodeJpeg(await takeSnapshot(camera));
      // Temp file + rename: an interrupted run never leaves a truncated picture under the requested name.
      const temp = `${options.out}.${String(process.pid)}.tmp`;
      await writeFile(temp, jpeg);
      await rename(temp, options.out);
      process.stdout.write(`${options.out}: ${String(camera.detect.width)}x${String(camera.detect.height)} JPEG of camera ${camera.id}\n`);
    });
}
