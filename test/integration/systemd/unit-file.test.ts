import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { packageRoot } from '../../helpers/footage.js';
import { tempDir } from '../../helpers/tmp.js';

const run = promisify(execFile);
const UNIT = readFileSync(join(packageRoot(), 'systemd', 'huxiao-edge.service'), 'utf8');

/** `systemd-analyze <args>`, with its exit code and both streams (verify prints problems and still exits 0). */
async function analyze(args: readonly string[]): Promise<{ code: number; output: string }> {
  try {
    const { stdout, stderr } = await run('systemd-analyze', args);
    return { code: 0, output: `${stdout}${stderr}` };
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: string; stderr?: string };
    if (failed.code === 'ENOENT') throw new Error('systemd-analyze is not installed (apt-get install systemd; scripts/setup.sh does it)');
    return { code: typeof failed.code === 'number' ? failed.code : -1, output: `${failed.stdout ?? ''}${failed.stderr ?? ''}` };
  }
}

function directive(key: string): string[] {
  return UNIT.split('\n').filter((line) => line.startsWith(`${key}=`)).map((line) => line.slice(key.length + 1));
}

describe('systemd/huxiao-edge.service', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  /** The unit as installed, with node where this machine has it (verify checks that ExecStart's binary exists). */
  let copy: (text: string) => string;

  before(async () => {
    dir = await tempDir('unit');
    copy = (text) => {
      const path = join(dir.path, 'huxiao-edge.service');
      writeFileSync(path, text.replaceAll('/opt/huxiao-edge/node/bin/node ', `${process.execPath} `));
      return path;
    };
  });
  after(async () => {
    await dir.remove();
  });

  it('passes systemd-analyze verify without a single complaint', async () => {
    const result = await analyze(['verify', copy(UNIT)]);
    assert.deepEqual(result, { code: 0, output: '' });
  });

  it('the check can fail: a key this systemd does not know is reported', async () => {
    const result = await analyze(['verify', copy(UNIT.replace('[Service]\n', '[Service]\nRestartStepz=5\n'))]);
    assert.match(result.output, /Unknown key( name)? 'RestartStepz' in section '?\[?Service\]?'?, ignoring/);
  });

  it('is a notify service whose watchdog and restarts are set, with the hardening kept', async () => {
    const expected: Readonly<Record<string, string>> = {
      Type: 'notify', NotifyAccess: 'all', WatchdogSec: '30', Restart: 'on-failure', RestartSec: '10', TimeoutStopSec: '30', KillMode: 'mixed',
      StartLimitIntervalSec: '0', User: 'huxiao',
    };
    for (const [key, value] of Object.entries(expected)) assert.deepEqual(directive(key), [value], key);

    const security = await analyze(['security', '--offline=true', copy(UNIT)]);
    assert.equal(security.code, 0, security.output);
    const kept = ['NoNewPrivileges=', 'ProtectSystem=', 'ProtectHome=', 'PrivateTmp=', 'ProtectKernelTunables=', 'ProtectKernelModules=', 'ProtectControlGroups=', 'RestrictSUIDSGID=', 'LockPersonality=', 'RestrictRealtime=', 'User=/DynamicUser=', 'RestrictAddressFamilies=~AF_PACKET'];
    const passed = security.output.split('\n').filter((line) => line.startsWith('✓ ')).map((line) => line.slice(2).split(/\s+/)[0]);
    assert.deepEqual(kept.filter((name) => !passed.includes(name)), []);
    const exposure = Number(/Overall exposure level for huxiao-edge\.service: (\d+\.\d)/.exec(security.output)?.[1]);
    assert.ok(exposure <= 4, `exposure ${String(exposure)}: ${security.output.split('\n').at(-2) ?? ''}`);
  });

  it('runs the Node.js install.sh installs, and lets the zone editor save /etc/huxiao/config.yaml while the secrets stay read-only', () => {
    for (const key of ['ExecStartPre', 'ExecStart']) assert.match(directive(key)[0] ?? '', /^\/opt\/huxiao-edge\/node\/bin\/node \/opt\/huxiao-edge\/dist\/edge\/cli\/main\.js /, key);
    assert.deepEqual(directive('ReadWritePaths'), ['/etc/huxiao /var/lib/huxiao']);
    assert.deepEqual(directive('ReadOnlyPaths'), ['-/etc/huxiao/secrets']);
    // install.sh's mode for /etc/huxiao; systemd warns at every start when an existing configuration directory differs.
    assert.deepEqual(directive('ConfigurationDirectoryMode'), ['1770']);
  });
});
