import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { it } from 'node:test';
import { logEnv, logLevels, type LogRecord } from '../../helpers/logs.js';
import { soundSink } from '../../helpers/sound-sink.js';
import { tempDir } from '../../helpers/tmp.js';

it('huxiao speaker-test renders and plays the chime and the message, and says what it did', async () => {
  const dir = await tempDir('speaker-test');
  try {
    const config = join(dir.path, 'config.yaml');
    writeFileSync(config, `gateway: { id: gw-1 }\naudio:\n  cache: { dir: ${join(dir.path, 'cache')} }\ngpio:\n  amplifier: { line: { chip: pinctrl-bcm2711, line: 17 } }\n`);
    const sink = soundSink(dir.path, 'sink');
    const main = fileURLToPath(new URL('../../../edge/cli/main.js', import.meta.url));
    const result = spawnSync(process.execPath, [main, 'speaker-test', '-c', config, '-D', sink.device, '--text', '喇叭测试'], { encoding: 'utf8' });
    assert.equal(result.status, 0, result.stderr);
    assert.match(result.stdout, /^message: {3}喇叭测试$/m);
    assert.match(result.stdout, /^played: {4}completed/m);
    // No GPIO in this container: said once on stderr, and the voice still played.
    assert.match(result.stdout, /^amplifier: no-gpio$/m);
    assert.equal(result.stderr.split('no GPIO on this box').length - 1, 1);
    const bytes = sink.events().find((event) => event.event === 'close')?.bytes ?? 0;
    assert.ok(bytes > 22_050 * 2, `the sink received ${String(bytes)} bytes`);
  } finally {
    await dir.remove();
  }
});

it('huxiao speaker-test run by a test prints warnings but no info lines, unless HUXIAO_LOG_LEVEL=info', async () => {
  const dir = await tempDir('speaker-test-log');
  try {
    const config = join(dir.path, 'config.yaml');
    writeFileSync(config, `gateway: { id: gw-1 }\naudio:\n  cache: { dir: ${join(dir.path, 'cache')} }\ngpio:\n  amplifier: { line: { chip: pinctrl-bcm2711, line: 17 } }\n`);
    const main = fileURLToPath(new URL('../../../edge/cli/main.js', import.meta.url));
    const speak = (level: Record<string, string>): string => {
      const result = spawnSync(process.execPath, [main, 'speaker-test', '-c', config, '-D', soundSink(dir.path, 'sink').device, '--text', '测试'], { encoding: 'utf8', env: logEnv(level) });
      assert.equal(result.status, 0, result.stderr);
      return result.stderr;
    };
    // This process's environment, which node's test runner marked, as every process a test spawns inherits it.
    const quiet = speak({});
    assert.deepEqual(logLevels(quiet), [40], quiet);
    assert.match(quiet, /no GPIO on this box/);
    const asked = speak({ HUXIAO_LOG_LEVEL: 'info' });
    assert.ok(logLevels(asked).includes(30), asked);
    const playing = asked.split('\n').filter((line) => line.startsWith('{')).map((line) => JSON.parse(line) as LogRecord).find((record) => record.msg === 'warning playing');
    assert.equal(playing?.level, 30);
    assert.equal(playing.text, '测试');
  } finally {
    await dir.remove();
  }
});
