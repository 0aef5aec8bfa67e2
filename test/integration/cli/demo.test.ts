import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { it } from 'node:test';
import { parseDocument } from 'yaml';
import { packageRoot } from '../../helpers/footage.js';
import { CLI } from '../../helpers/cli.js';
import type { LogRecord } from '../../helpers/logs.js';
import { tempDir } from '../../helpers/tmp.js';

/**
 * `huxiao demo` in text mode, as a newcomer runs it, stopped with Ctrl-C once the footage runs: the terminal shows the
 * demo's own lines and the warnings as readable lines, and the whole log goes to the file it names first.
 */
it('huxiao demo names its log file first and keeps raw log lines off the terminal, showing warnings readably', { timeout: 120_000 }, async () => {
  const dir = await tempDir('demo-cli');
  try {
    // An amplifier on a box without GPIO: a warning at start, which the terminal must show.
    const doc = parseDocument(readFileSync(join(packageRoot(), 'config', 'demo.yaml'), 'utf8'));
    doc.setIn(['gpio', 'amplifier'], { line: { chip: 'pinctrl-bcm2711', line: 18 } });
    const config = join(dir.path, 'demo.yaml');
    writeFileSync(config, String(doc));
    const out = join(dir.path, 'out');

    // Info asked for, as a user's shell may: it still reaches only the file.
    const child = spawn(process.execPath, [CLI, 'demo', '--config', config, '--out', out], { stdio: ['ignore', 'pipe', 'pipe'], env: { ...process.env, HUXIAO_LOG_LEVEL: 'info' } });
    let stdout = '';
    let stderr = '';
    child.stdout.setEncoding('utf8').on('data', (chunk: string) => {
      stdout += chunk;
      if (stdout.includes('running the footage') && child.signalCode === null && !child.killed) child.kill('SIGINT');
    });
    child.stderr.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
    const code = await new Promise<number | null>((resolve) => child.on('close', resolve));
    assert.equal(code, 0, stderr);

    const logFile = join(out, 'huxiao.log');
    assert.equal(stdout.split('\n')[0], `log      ${logFile} (warnings and errors are shown here too)`);
    assert.match(stdout, /^camera {3}RTSP rtsp:\/\/127\.0\.0\.1:\d+\/vtest/m);
    assert.match(stdout, /^── demo summary \(interrupted\) ──$/m);
    const terminal = [...stdout.split('\n'), ...stderr.split('\n')];
    assert.deepEqual(terminal.filter((line) => line.startsWith('{')), [], 'raw log lines on the terminal');
    assert.match(stderr, /^\d{2}:\d{2}:\d{2}\.\d{3} warning gpio: no GPIO on this box \(neither sysfs GPIO nor a gpiochip device/m);

    const records = readFileSync(logFile, 'utf8').trimEnd().split('\n').map((line) => JSON.parse(line) as LogRecord);
    const find = (msg: string): LogRecord | undefined => records.find((record) => record.msg === msg || record.msg.startsWith(msg));
    assert.equal(find('footage ready')?.level, 30);
    assert.equal(find('gateway started')?.level, 30);
    assert.equal(find('no GPIO on this box')?.level, 40);
    assert.equal(find('gateway stopped')?.level, 30, 'the log was flushed at exit');
  } finally {
    await dir.remove();
  }
});
