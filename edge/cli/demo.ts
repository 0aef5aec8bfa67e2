import type { Command } from 'commander';

export function registerDemo(program: Command): void {
  program
    .command('demo')
    .description('Run the whole pipeline on the shipped footage with an embedded broker')
    .action(() => {
      process.stdout.write('huxiao demo: not yet. The end-to-end demo lands with the vertical-slice issue; meanwhile try `huxiao replay`.\n');
      process.exitCode = 3;
    });
}
