import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, it } from 'node:test';
import { ConfigError, loadConfig, parseConfig } from '../../../edge/config/load.js';

const minimal = `
gateway: { id: gw-1 }
cameras:
  - id: cam1
    url: rtsp://10.0.0.2/stream
`;

function problems(text: string): string[] {
  try {
    parseConfig(text, 'test.yaml');
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.issues.map((issue) => `${issue.path}: ${issue.message}${issue.line === undefined ? '' : ` @${issue.line}`}`);
  }
  assert.fail('expected the config to be rejected');
}

describe('config loading', () => {
  it('fills defaults from the schema and freezes the result', () => {
    const config = parseConfig(minimal, 'test.yaml');
    const camera = config.cameras[0];
    assert.ok(camera);
    assert.equal(config.version, 1);
    assert.equal(config.gateway.timezone, 'Asia/Shanghai');
    assert.deepEqual(camera.detect, { width: 1280, height: 720, fps: 5 });
    assert.equal(camera.input.transport, 'tcp');
    assert.equal(camera.reconnect.stallTimeoutSeconds, 10);
    assert.equal(camera.enabled, true);
    assert.ok(Object.isFrozen(config) && Object.isFrozen(camera.detect));
  });

  it('rejects unknown keys with their path and line', () => {
    assert.deepEqual(problems(`${minimal}    colour: red\n`), ['cameras[0].colour: unknown key @6']);
  });

  it('reports every problem with path, expectation, the value given and the line', () => {
    const text = ['gateway: { id: "a/b" }', 'cameras:', '  - id: c', '    url: http://x', '    detect: { width: 641, fps: 0 }', ''].join('\n');
    assert.deepEqual(problems(text), [
      'gateway.id: expected 1-64 letters, digits, "_", "." or "-", starting with a letter or digit, got "a/b" @1',
      'cameras[0].url: expected an rtsp:// or rtsps:// URL with a host, got "http://x" @4',
      'cameras[0].detect.width: expected a multiple of 2, got 641 @5',
      'cameras[0].detect.fps: expected >= 0.5, got 0 @5',
    ]);
  });

  it('rejects duplicate camera ids', () => {
    const text = `${minimal}  - id: cam1\n    url: rtsp://10.0.0.3/stream\n`;
    assert.deepEqual(problems(text), ['cameras[1].id: duplicate camera id "cam1" @6']);
  });

  it('reports YAML syntax errors with a line', () => {
    assert.throws(() => parseConfig('gateway: [\n  id', 'bad.yaml'), (error: unknown) => error instanceof ConfigError && error.code === 'CONFIG_SYNTAX' && error.issues[0]?.line !== undefined);
  });

  it('takes secrets from the environment and from files, and never prints them', () => {
    const dir = mkdtempSync(join(tmpdir(), 'huxiao-config-'));
    const secretFile = join(dir, 'cam2.secret');
    writeFileSync(secretFile, 'file-pass\n');
    process.env.HUXIAO_TEST_CAM1 = 'env-pass';
    const text = `${minimal}    password: { env: HUXIAO_TEST_CAM1 }\n  - id: cam2\n    url: rtsp://10.0.0.3/s\n    password: { file: ${secretFile} }\n`;
    const config = parseConfig(text, 'test.yaml');
    assert.equal(config.cameras[0]?.password?.reveal(), 'env-pass');
    assert.equal(config.cameras[1]?.password?.reveal(), 'file-pass');
    assert.doesNotMatch(JSON.stringify(config), /env-pass|file-pass/);
  });

  it('names a missing secret source', () => {
    delete process.env.HUXIAO_TEST_MISSING;
    assert.deepEqual(problems(`${minimal}    password: { env: HUXIAO_TEST_MISSING }\n`), ['cameras[0].password: environment variable HUXIAO_TEST_MISSING is not set @6']);
  });

  it('reports a missing file as CONFIG_NOT_FOUND', () => {
    assert.throws(() => loadConfig('/nonexistent/huxiao.yaml'), (error: unknown) => error instanceof ConfigError && error.code === 'CONFIG_NOT_FOUND');
  });

  it('accepts every example config shipped in config/', () => {
    const dir = new URL('../../../../config/', import.meta.url);
    process.env.HUXIAO_POND_EAST_PASSWORD = 'x';
    process.env.HUXIAO_ENTRANCE_PASSWORD = 'x';
    const examples = readdirSync(dir).filter((name) => name.endsWith('.yaml'));
    assert.ok(examples.length >= 3);
    for (const name of examples) {
      const text = readFileSync(new URL(name, dir), 'utf8');
      // Secret files of the examples live on the gateway; point them at an existing file for the check.
      const config = parseConfig(text.replaceAll(/\/etc\/huxiao\/secrets\/[\w-]+/g, '/etc/hostname'), name);
      assert.ok(config.cameras.length > 0, name);
    }
  });
});
