import type { Command } from 'commander';
import { formatIssue } from '../config/issues.js';
import { DEFAULT_CONFIG_PATH, readConfigFile } from '../config/load.js';
import { checkLabels } from '../vision/config-labels.js';

const count = (n: number, noun: string): string => `${n} ${noun}${n === 1 ? '' : 's'}`;

export function registerCheck(program: Command): void {
  program
    .command('check')
    .description('Validate a config file; prints every problem as "path: what is wrong (line N)" and exits non-zero if there is one')
    .option('-c, --config <file>', 'config file', DEFAULT_CONFIG_PATH)
    .option('--no-secrets', 'do not require the secrets ({ env } variables, { file } files) to exist: list the missing ones as notes (for checking a file before it is deployed)')
    .action(async (options: { config: string; secrets: boolean }) => {
      const loaded = readConfigFile(options.config, { secrets: options.secrets ? 'resolve' : 'defer' });
      const labels = await checkLabels(loaded);
      const { config } = loaded;
      const enabled = config.cameras.filter((camera) => camera.enabled).length;
      const checked = 'model' in labels ? `labels match the detector ${labels.model}` : 'labels not checked against the detector';
      const lines = [`${options.config}: ok (gateway ${config.gateway.id}: ${count(config.cameras.length, 'camera')}, ${enabled} enabled, ${count(config.rules.length, 'rule')}; ${checked})`];
      if ('unchecked' in labels) lines.push(`  note: ${labels.unchecked}`);
      if (loaded.notes.length > 0) lines.push(`${count(loaded.notes.length, 'secret')} not resolved (--no-secrets); provide them on the gateway:`);
      for (const note of loaded.notes) lines.push(`  ${formatIssue(note)}`);
      process.stdout.write(`${lines.join('\n')}\n`);
    });
}
