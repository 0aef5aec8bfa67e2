import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { after, before, describe, it } from 'node:test';
import { HuxiaoError } from '../../edge/errors.js';
import { moduleLogger, routeLogs, stderrSink } from '../../edge/log.js';
import { captureLogs, logEnv, logLevels, loggedError } from '../helpers/logs.js';
import { tempDir } from '../helpers/tmp.js';

const LOG_MODULE = new URL('../../edge/log.js', import.meta.url).href;
/** Logs one line at each of info, warn and error through a module logger, as the runtime's modules do. */
const LOGS_EACH_LEVEL = `import { moduleLogger } from ${JSON.stringify(LOG_MODULE)};
const log = moduleLogger('probe');
log.info('an info line');
log.warn('a warning');
log.error('an error');`;

function run(args: readonly string[], env: NodeJS.ProcessEnv): Promise<{ code: number | null; output: string; stderr: string }> {
  return new Promise((resolve, reject) => {
    const child = spawn(process.execPath, args, { stdio: ['ignore', 'pipe', 'pipe'], env });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    child.on('error', reject);
    child.on('close', (code) => {
      resolve({ code, output: stdout + stderr, stderr });
    });
  });
}

describe('the log level', () => {
  let dir: Awaited<ReturnType<typeof tempDir>>;
  before(async () => {
    dir = await tempDir('log');
  });
  after(async () => {
    await dir.remove();
  });

  it('is warn in the processes a test spawns, info when HUXIAO_LOG_LEVEL says so, and info outside the test runner', async () => {
    assert.notEqual(process.env.NODE_TEST_CONTEXT, undefined, 'this file runs under node --test');
    const script = ['--input-type=module', '-e', LOGS_EACH_LEVEL];
    const quiet = await run(script, logEnv());
    assert.deepEqual(logLevels(quiet.stderr), [40, 50], quiet.stderr);
    const asked = await run(script, logEnv({ HUXIAO_LOG_LEVEL: 'info' }));
    assert.deepEqual(logLevels(asked.stderr), [30, 40, 50], asked.stderr);
    const errorsOnly = await run(script, logEnv({ LOG_LEVEL: 'error' }));
    assert.deepEqual(logLevels(errorsOnly.stderr), [50], errorsOnly.stderr);
    const user = await run(script, logEnv({}, { outsideTestRunner: true }));
    assert.deepEqual(logLevels(user.stderr), [30, 40, 50], user.stderr);
  });

  it('keeps a test file run directly with node --test free of info lines, unless HUXIAO_LOG_LEVEL=info', async () => {
    const file = join(dir.path, 'logs.test.mjs');
    writeFileSync(file, `import { it } from 'node:test';\nit('logs', async () => {\n  await import(${JSON.stringify(`data:text/javascript,${encodeURIComponent(LOGS_EACH_LEVEL)}`)});\n});\n`);
    // A runner of its own, as `node --test` from a shell starts it: nothing of this runner's environment marks it.
    const direct = await run(['--test', '--test-reporter=spec', file], logEnv({}, { outsideTestRunner: true }));
    assert.equal(direct.code, 0, direct.output);
    assert.doesNotMatch(direct.output, /"level":30/);
    assert.match(direct.output, /"level":40.*"msg":"a warning"/);
    const asked = await run(['--test', '--test-reporter=spec', file], logEnv({ HUXIAO_LOG_LEVEL: 'info' }, { outsideTestRunner: true }));
    assert.match(asked.output, /"level":30.*"msg":"an info line"/);
  });
});

describe('log lines', () => {
  it('carry an error whole: type, message, stack, code, and its cause with its own stack and code', () => {
    const capture = captureLogs();
    try {
      const cause = Object.assign(new Error('EACCES: permission denied, open \'/var/lib/huxiao/huxiao.db\''), { code: 'EACCES' });
      moduleLogger('probe').error({ err: new HuxiaoError('STORE_FULL', 'the alert could not be written', { cause }) }, 'write failed');
      const err = loggedError(capture.records(), 'write failed');
      assert.equal(err.type, 'HuxiaoError');
      assert.equal(err.message, 'the alert could not be written');
      assert.equal(err.code, 'STORE_FULL');
      assert.match(err.stack, /^HuxiaoError: the alert could not be written\n {4}at /);
      assert.equal(err.cause?.code, 'EACCES');
      assert.match(err.cause.stack, /^Error: EACCES: permission denied, open '\/var\/lib\/huxiao\/huxiao.db'\n {4}at /);
    } finally {
      capture.restore();
    }
  });

  it('go to each route whose level they reach', () => {
    const all: string[] = [];
    const warnings: string[] = [];
    routeLogs([
      { level: 'trace', sink: { write: (line: string) => all.push(line) } },
      { level: 'warn', sink: { write: (line: string) => warnings.push(line) } },
    ]);
    try {
      const log = moduleLogger('probe');
      // Under the test runner the root level is warn; this logger lets info through to show the routes choose.
      log.level = 'info';
      log.debug('not logged');
      log.info('first');
      log.warn('second');
      log.error('third');
    } finally {
      routeLogs([{ level: 'trace', sink: stderrSink }]);
    }
    const messages = (lines: string[]): string[] => lines.map((line) => (JSON.parse(line) as { msg: string }).msg);
    assert.deepEqual(messages(all), ['first', 'second', 'third']);
    assert.deepEqual(messages(warnings), ['second', 'third']);
  });
});
