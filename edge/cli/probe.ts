import { Option, type Command } from 'commander';
import { probe } from '../ingest/probe.js';

export function registerProbe(program: Command): void {
  program
    .command('probe')
    .description('Read codec, resolution and frame rate of an RTSP stream (JSON on stdout); says why when it cannot')
    .argument('<url>', 'rtsp:// URL; credentials may be inline (they are never printed)')
    .addOption(new Option('-t, --transport <transport>', 'RTSP transport').choices(['tcp', 'udp']).default('tcp'))
    .action(async (url: string, options: { transport: 'tcp' | 'udp' }) => {
      const result = await probe(url, { transport: options.transport });
      process.stdout.write(`${JSON.stringify(result)}\n`);
    });
}
