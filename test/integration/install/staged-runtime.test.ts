import assert from 'node:assert/strict';
import { execFile } from 'node:child_process';
import { existsSync, mkdirSync, readdirSync, readFileSync, symlinkSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { promisify } from 'node:util';
import { runCli, runCommand, type CliResult } from '../../helpers/cli.js';
import { packageRoot, shortClip } from '../../helpers/footage.js';
import { tempDir } from '../../helpers/tmp.js';

const ROOT = packageRoot();

interface LockEntry {
  readonly dev?: boolean;
}

/**
 * What `npm ci --omit=dev` installs from the lockfile, linked from the checkout's node_modules (npm ci needs the
 * registry). Only top-level packages are linked; each brings its nested node_modules. Run with --preserve-symlinks,
 * every package then resolves its own dependencies inside this set, as it would in the installed app.
 */
function linkProductionModules(app: string): string[] {
  const lock = JSON.parse(readFileSync(join(app, 'package-lock.json'), 'utf8')) as { packages: Record<string, LockEntry> };
  const linked: string[] = [];
  for (const [path, entry] of Object.entries(lock.packages)) {
    if (entry.dev === true || !/^node_modules\/(@[^/]+\/)?[^/]+$/.test(path)) continue;
    const installed = join(ROOT, path);
    // Optional packages for other platforms (sharp's, onnxruntime's) are in the lockfile but not installed.
    if (!existsSync(installed)) continue;
    mkdirSync(dirname(join(app, path)), { recursive: true });
    symlinkSync(installed, join(app, path));
    linked.push(path.slice('node_modules/'.length));
  }
  return linked;
}

/** The installed app's CLI, as systemd runs it (cwd the app, no access to the checkout's node_modules). */
function runInstalled(app: string, args: readonly string[]): Promise<CliResult> {
  return runCommand(process.execPath, ['--preserve-symlinks', join(app, 'dist', 'edge', 'cli', 'main.js'), ...args], {
    cwd: app,
    env: { ...process.env, HUXIAO_LOG_LEVEL: 'warn', NODE_PATH: '' },
  });
}

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, withFileTypes: true })
    .filter((entry) => entry.isFile())
    .map((entry) => join(entry.parentPath, entry.name).slice(dir.length + 1))
    .sort();
}

describe('the installed app: scripts/stage-runtime.sh output with production dependencies only', { timeout: 300_000 }, () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  let app: string;
  let linked: string[];

  before(async () => {
    dir = await tempDir('staged');
    app = join(dir.path, 'huxiao-edge');
    await promisify(execFile)(join(ROOT, 'scripts', 'stage-runtime.sh'), [app]);
    linked = linkProductionModules(app);
  });
  after(() => dir.remove());

  it('holds the runtime alone: every compiled module comes from edge/, nothing of the tests, scripts or dev kit', () => {
    assert.deepEqual(readdirSync(join(app, 'dist')), ['edge']);
    const compiled = files(join(app, 'dist', 'edge'));
    const sources = files(join(ROOT, 'edge')).filter((file) => file.endsWith('.ts'));
    assert.deepEqual(compiled, sources.map((file) => file.replace(/\.ts$/, '.js')));
    assert.deepEqual(readdirSync(app).sort(), ['README.md', 'config', 'dist', 'models', 'node_modules', 'package-lock.json', 'package.json']);
  });

  it('gets every dependency, and none of the development tools or the demo\'s broker', () => {
    const manifest = JSON.parse(readFileSync(join(app, 'package.json'), 'utf8')) as { dependencies: Record<string, string> };
    for (const name of Object.keys(manifest.dependencies)) assert.equal(linked.includes(name), true, `${name} is a dependency`);
    for (const name of ['typescript', 'eslint', 'typescript-eslint', '@tensorflow/tfjs', 'protobufjs', 'playwright-core', 'aedes']) assert.equal(linked.includes(name), false, `${name} is not for the gateway`);
  });

  it('loads every command and answers --version', async () => {
    const result = await runInstalled(app, ['--version']);
    assert.equal(result.code, 0, result.stderr);
    assert.equal(result.stdout.trim(), (JSON.parse(readFileSync(join(ROOT, 'package.json'), 'utf8')) as { version: string }).version);
  });

  it('replays footage through the detector and the rules exactly as the development build does', async () => {
    // 48-56 s of the footage: a pair walks onto the demo's "pond fence" lawn.
    const clip = await shortClip(8, { startSeconds: 48 });
    const args = ['replay', '--config', join(ROOT, 'config', 'demo.yaml'), '--camera', 'lawn', '--input', clip];
    const installed = await runInstalled(app, args);
    const checkout = await runCli(args);
    assert.equal(installed.code, 0, installed.stderr);
    assert.equal(checkout.code, 0, checkout.stderr);
    assert.equal(installed.stdout, checkout.stdout);
    const records = installed.stdout.trimEnd().split('\n').map((line) => JSON.parse(line) as { type: string; rule?: string; frames?: number });
    assert.ok(records.some((record) => record.type === 'hit' && record.rule === 'fence-intrusion'), 'the detector found someone on the lawn');
    assert.deepEqual(records.at(-1), { type: 'end', frames: 40, mediaSeconds: 8 });
  });

  it('says that the demo belongs to the dev kit, and how to run it', async () => {
    const result = await runInstalled(app, ['demo']);
    assert.equal(result.code, 1);
    assert.match(result.stderr, /^huxiao: DEVKIT_MISSING: the demo is part of the dev kit, which this installation does not have .*; run it from a checkout of huxiao-edge: scripts\/setup\.sh, then npm run demo\n$/);
  });
});
