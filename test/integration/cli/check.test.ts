import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readdirSync } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { after, before, describe, it } from 'node:test';
import { CLI, runCli, type CliResult } from '../../helpers/cli.js';
import { tempDir } from '../../helpers/tmp.js';

const CONFIG_DIR = fileURLToPath(new URL('../../../../config/', import.meta.url));
const EXAMPLES = readdirSync(CONFIG_DIR).filter((name) => name.endsWith('.yaml'));
/** The examples' environment secrets, unset (the loader treats an empty variable as unset) as on a laptop. */
const NO_SECRETS = { HUXIAO_POND_EAST_PASSWORD: '', HUXIAO_ENTRANCE_PASSWORD: '' };

/** `huxiao run`, killed if it is still running after `ms`: a config it should refuse must not start a gateway. */
function runGateway(config: string, ms: number): Promise<CliResult & { killed: boolean }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, [CLI, 'run', '--config', config], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HUXIAO_LOG_LEVEL: 'warn' } });
    let stdout = '';
    let stderr = '';
    let killed = false;
    const timer = setTimeout(() => {
      killed = true;
      child.kill('SIGTERM');
    }, ms);
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      clearTimeout(timer);
      resolve({ code, stdout, stderr, killed });
    });
  });
}

describe('huxiao check', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  before(async () => {
    dir = await tempDir('check');
  });
  after(async () => {
    await dir.remove();
  });

  const file = async (name: string, lines: readonly string[]): Promise<string> => {
    const path = join(dir.path, name);
    await writeFile(path, `${lines.join('\n')}\n`);
    return path;
  };

  it('refuses an alias without its anchor with exit 2, the path and the line, and no stack trace', async () => {
    const path = await file('alias.yaml', ['gateway: { id: gw-1 }', 'cameras: *nope']);
    const result = await runCli(['check', '--config', path]);
    assert.equal(result.code, 2);
    assert.equal(result.stderr, `huxiao: CONFIG_INVALID: ${path}: one problem\n  cameras: alias *nope has no anchor &nope before it (line 2)\n`);
    assert.equal(result.stdout, '');
  });

  for (const name of EXAMPLES) {
    it(`${name}: valid with --no-secrets, the missing secrets listed; refused by the strict default for them alone`, async () => {
      const path = join(CONFIG_DIR, name);
      const lenient = await runCli(['check', '--config', path, '--no-secrets'], NO_SECRETS);
      assert.equal(lenient.code, 0, lenient.stderr);
      assert.equal(lenient.stderr, '');
      const [head = '', ...rest] = lenient.stdout.trimEnd().split('\n');
      assert.match(head, new RegExp(`^${path.replaceAll('.', '\\.')}: ok \\(gateway [\\w.-]+: \\d+ cameras?, \\d+ enabled, \\d+ rules?; labels match the detector nanodet-int8\\)$`));
      const secrets = rest.slice(1);
      if (rest.length > 0) assert.match(rest[0] ?? '', /^\d+ secrets? not resolved \(--no-secrets\); provide them on the gateway:$/);
      assert.ok(secrets.every((line) => /^ {2}[\w.[\]]+\.password: .+ \(line \d+\)$/.test(line)), secrets.join('\n'));
      assert.equal(secrets.length === 0, name === 'demo.yaml', 'every example but the demo has secrets');

      const strict = await runCli(['check', '--config', path], NO_SECRETS);
      if (secrets.length === 0) {
        assert.equal(strict.code, 0, strict.stderr);
        return;
      }
      assert.equal(strict.code, 2);
      const [strictHead, ...problems] = strict.stderr.trimEnd().split('\n');
      assert.equal(strictHead, `huxiao: CONFIG_INVALID: ${path}: ${secrets.length === 1 ? 'one problem' : `${secrets.length} problems`}`);
      assert.deepEqual(problems, secrets);
    });
  }

  it('refuses a label the detector does not know, with its path and line, in check and before run starts anything', async () => {
    const path = await file('persn.yaml', [
      'gateway: { id: gw-1 }',
      'cameras:',
      '  - id: pond',
      '    url: rtsp://127.0.0.1:9/none',
      '    enabled: false',
      '    zones:',
      '      - { id: bank, polygon: [[0, 0], [100, 0], [100, 100]], labels: [persn] }',
      'rules: [{ id: in, type: intrusion, camera: pond, zone: bank }]',
      `storage: { dir: ${join(dir.path, 'store')} }`,
    ]);
    const expected = `huxiao: CONFIG_INVALID: ${path}: one problem\n  cameras[0].zones[0].labels[0]: "persn" is not a class of the detector nanodet-int8 (did you mean "person"?); its classes are listed in models/manifest.json (line 7)\n`;
    const check = await runCli(['check', '--config', path]);
    assert.equal(check.code, 2);
    assert.equal(check.stderr, expected);

    const run = await runGateway(path, 20_000);
    assert.equal(run.killed, false, `run did not stop on the bad label; it logged:\n${run.stderr}`);
    assert.equal(run.code, 2);
    assert.equal(run.stderr, expected);
  });
});
