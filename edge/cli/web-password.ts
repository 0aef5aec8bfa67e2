import { existsSync } from 'node:fs';
import type { Command } from 'commander';
import { DEFAULT_CONFIG_PATH, readConfigFile } from '../config/load.js';
import { DEFAULT_PASSWORD_FILE } from '../config/web.js';
import { HuxiaoError } from '../errors.js';
import { writePasswordFile } from '../web/password.js';

/** Reads one line from a terminal without echoing it. */
function promptHidden(question: string): Promise<string> {
  const stdin = process.stdin;
  process.stderr.write(question);
  stdin.setRawMode(true);
  stdin.resume();
  stdin.setEncoding('utf8');
  return new Promise((resolve, reject) => {
    let typed = '';
    const done = (error?: Error): void => {
      stdin.off('data', onData);
      stdin.setRawMode(false);
      stdin.pause();
      process.stderr.write('\n');
      if (error === undefined) resolve(typed);
      else reject(error);
    };
    const onData = (chunk: string): void => {
      for (const char of chunk) {
        if (char === '\r' || char === '\n') {
          done();
          return;
        }
        if (char === '\u0003') {
          done(new HuxiaoError('WEB_PASSWORD', 'interrupted; the password was not changed'));
          return;
        }
        if (char === '\u007f' || char === '\b') typed = typed.slice(0, -1);
        else typed += char;
      }
    };
    stdin.on('data', onData);
  });
}

async function readStdinLine(): Promise<string> {
  let text = '';
  process.stdin.setEncoding('utf8');
  for await (const chunk of process.stdin) text += String(chunk);
  return text.split(/\r?\n/)[0] ?? '';
}

async function newPassword(): Promise<string> {
  if (!process.stdin.isTTY) return readStdinLine();
  const first = await promptHidden('New password for the local page: ');
  const second = await promptHidden('Again: ');
  if (first !== second) throw new HuxiaoError('WEB_PASSWORD', 'the two passwords differ; nothing was changed');
  return first;
}

/** web.passwordFile of the config when there is one (its secrets need not exist here), else the default path. */
function passwordFileOf(configPath: string): string {
  if (!existsSync(configPath)) return DEFAULT_PASSWORD_FILE;
  return readConfigFile(configPath, { secrets: 'defer' }).config.web.passwordFile;
}

export function registerWebPassword(program: Command): void {
  program
    .command('web-password')
    .description('Set the password of the local page: reads it from standard input (one line; at a terminal it asks twice without echo) and stores its scrypt hash in web.passwordFile')
    .option('-c, --config <file>', 'config file naming web.passwordFile', DEFAULT_CONFIG_PATH)
    .option('-f, --file <file>', 'hash file to write, instead of the config\'s web.passwordFile')
    .action(async (options: { config: string; file?: string }) => {
      const file = options.file ?? passwordFileOf(options.config);
      await writePasswordFile(file, await newPassword());
      process.stdout.write(`${file}: password set; the next login on the page uses it (no restart needed)\n`);
    });
}
