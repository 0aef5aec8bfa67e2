import assert from 'node:assert/strict';
import { it } from 'node:test';
import { failureReport } from '../../../edge/cli/failure.js';
import { ConfigError } from '../../../edge/config/load.js';
import { ERROR_CODES, HuxiaoError } from '../../../edge/errors.js';

it('reports a failure without a code as UNEXPECTED, exit 1, with its stack, fields and cause', () => {
  const cause = Object.assign(new Error('ENOTDIR: not a directory, mkdir \'/tmp/file/out\''), { code: 'ENOTDIR' });
  const report = failureReport(new Error('the demo output cannot be prepared', { cause }));
  assert.equal(report.code, 'UNEXPECTED');
  assert.ok('UNEXPECTED' in ERROR_CODES);
  assert.equal(report.exitCode, 1);
  const [first, ...rest] = report.text.split('\n');
  assert.equal(first, 'huxiao: UNEXPECTED: unexpected failure: the demo output cannot be prepared');
  const whole = rest.join('\n');
  assert.match(whole, /^Error: the demo output cannot be prepared\n {4}at .*failure\.test\.js/);
  assert.match(whole, /\[cause\]: Error: ENOTDIR: not a directory, mkdir '\/tmp\/file\/out'\n +at /);
  assert.match(whole, /code: 'ENOTDIR'/);
  assert.equal(failureReport('a thrown string').text.split('\n')[0], 'huxiao: UNEXPECTED: unexpected failure: a thrown string');
});

it('reports a coded error as "huxiao: CODE: message": exit 2 for bad input, 1 for a runtime failure', () => {
  const input = failureReport(new ConfigError('CONFIG_INVALID', 'config.yaml', [{ path: 'gateway.id', message: 'expected string, got number', line: 2 }]));
  assert.equal(input.code, 'CONFIG_INVALID');
  assert.equal(input.exitCode, 2);
  assert.equal(input.text, 'huxiao: CONFIG_INVALID: config.yaml: one problem\n  gateway.id: expected string, got number (line 2)\n');
  assert.deepEqual(failureReport(new HuxiaoError('CAMERA_UNKNOWN', 'camera "x" is not in the config')), { code: 'CAMERA_UNKNOWN', text: 'huxiao: CAMERA_UNKNOWN: camera "x" is not in the config\n', exitCode: 2 });
  assert.deepEqual(failureReport(new HuxiaoError('PROBE_FAILED', 'refused')), { code: 'PROBE_FAILED', text: 'huxiao: PROBE_FAILED: refused\n', exitCode: 1 });
});
