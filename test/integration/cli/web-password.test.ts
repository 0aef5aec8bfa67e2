import assert from 'node:assert/strict';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { readPasswordFile, verifyPassword } from '../../../edge/web/password.js';
import { CLI, runCommand, type CliResult } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';

/** The built CLI with `input` on its standard input, as the install script pipes the password. */
function runWithInput(args: readonly string[], input: string): Promise<CliResult> {
  return runCommand(process.execPath, [CLI, ...args], { stdin: input });
}

describe('huxiao web-password', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  before(async () => {
    dir = await tempDir('web-password');
  });
  after(async () => {
    await dir.remove();
  });

  it('writes the hash of the line on stdin to the config\'s web.passwordFile, without its secrets', async () => {
    const file = join(dir.path, 'hash');
    const config = join(dir.path, 'config.yaml');
    writeFileSync(config, `gateway: { id: gw-1 }\ncameras:\n  - { id: gate, url: "rtsp://10.0.0.2/s", password: { env: HUXIAO_UNSET_PASSWORD } }\nweb: { passwordFile: "${file}" }\n`);
    const result = await runWithInput(['web-password', '--config', config], 'guard room 2024\nignored second line\n');
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout, `${file}: password set; the next login on the page uses it (no restart needed)\n`);
    const hash = await readPasswordFile(file);
    assert.ok(hash !== undefined);
    assert.equal(await verifyPassword('guard room 2024', hash), true);
    assert.equal(await verifyPassword('ignored second line', hash), false);
  });

  it('refuses a short password with WEB_PASSWORD and writes nothing', async () => {
    const file = join(dir.path, 'short');
    const result = await runWithInput(['web-password', '--file', file], 'short\n');
    assert.equal(result.code, 1);
    assert.equal(result.stderr, 'huxiao: WEB_PASSWORD: the page\'s password must have at least 8 characters\n');
    assert.equal(await readPasswordFile(file), undefined);
  });
});
