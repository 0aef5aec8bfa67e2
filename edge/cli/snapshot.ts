import { rename, writeFile } from 'node:fs/promises';
import type { Command } from 'commander';
import { DEFAULT_CONFIG_PATH } from '../config/load.js';
import { encodeJpeg, takeSnapshot } from '../ingest/snapshot.js';
import { drawZones } from '../rules/draw-zones.js';
import { cameraFromConfig } from './camera-arg.js';

export function registerSnapshot(program: Command): void {
  program
    .command('snapshot')
    .description("Save one frame of a camera, at its detect resolution, as a JPEG with the camera's zones and lines drawn")
    .option('-c, --config <file>', 'config file', DEFAULT_CONFIG_PATH)
    .requiredOption('--camera <id>', 'camera id from the config')
    .requiredOption('-o, --out <file>', 'JPEG file to write')
    .option('--no-zones', 'leave out the zones and lines drawn from the config')
    .action(async (options: { config: string; camera: string; out: string; zones: boolean }) => {
      const camera = cameraFromConfig(options.config, options.camera);
      const picture = await takeSnapshot(camera);
      const jpeg = await encodeJpeg(options.zones ? await drawZones(picture, camera) : picture);
      // Temp file + rename: an interrupted run never leaves a truncated picture under the requested name.
      const temp = `${options.out}.${String(process.pid)}.tmp`;
      await writeFile(temp, jpeg);
      await rename(temp, options.out);
      process.stdout.write(`${options.out}: ${String(camera.detect.width)}x${String(camera.detect.height)} JPEG of camera ${camera.id}\n`);
    });
}
