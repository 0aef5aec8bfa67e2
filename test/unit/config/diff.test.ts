import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { cameraChanges, changedSections, sameConfig } from '../../../edge/config/diff.js';
import { parseConfig } from '../../../edge/config/load.js';
import { Secret } from '../../../edge/config/secret.js';

function config(options: { password?: string; fps?: number; backEnabled?: boolean; rules?: string } = {}) {
  return parseConfig(
    `
gateway: { id: gw, timezone: UTC }
cameras:
  - id: front
    url: rtsp://10.0.0.2/s
    username: admin
    password: ${options.password ?? 'first-secret'}
    detect: { width: 320, height: 240, fps: ${String(options.fps ?? 5)} }
    zones: [{ id: gate, polygon: [[0, 0], [1, 0], [1, 1], [0, 1]] }]
  - id: back
    url: rtsp://10.0.0.3/s
    enabled: ${String(options.backEnabled ?? true)}
    zones: [{ id: yard, polygon: [[0, 0], [1, 0], [1, 1], [0, 1]] }]
rules:
  - { id: gate-in, type: intrusion, camera: front, zone: gate }
${options.rules ?? ''}
`,
    'test.yaml',
  );
}

describe('config diff', () => {
  it('sees a changed camera password that the JSON of the config hides', () => {
    const before = config();
    const after = config({ password: 'second-secret' });
    assert.equal(JSON.stringify(before), JSON.stringify(after), 'both read "[redacted]" as JSON');
    assert.deepEqual(changedSections(before, after), ['cameras']);
    assert.deepEqual(cameraChanges(before, after), { added: [], removed: [], changed: ['front'], rulesChanged: [] });
    assert.deepEqual(changedSections(before, config()), []);
  });

  it('compares secrets by value and never equal to text', () => {
    assert.equal(sameConfig(new Secret('a'), new Secret('a')), true);
    assert.equal(sameConfig(new Secret('a'), new Secret('b')), false);
    assert.equal(sameConfig(new Secret('[redacted]'), '[redacted]'), false);
    assert.equal(sameConfig({ a: 1, b: undefined }, { a: 1 }), true, 'an undefined key is an absent key');
    assert.equal(sameConfig([1, 2], [2, 1]), false);
  });

  it('tells a camera whose own config changed from one whose rules alone changed', () => {
    const before = config();
    assert.deepEqual(cameraChanges(before, config({ fps: 10 })), { added: [], removed: [], changed: ['front'], rulesChanged: [] });
    const withRule = config({ rules: '  - { id: yard-in, type: intrusion, camera: back, zone: yard }' });
    assert.deepEqual(changedSections(before, withRule), ['rules']);
    assert.deepEqual(cameraChanges(before, withRule), { added: [], removed: [], changed: [], rulesChanged: ['back'] });
  });

  it('counts a disabled camera as absent', () => {
    const running = config();
    const disabled = config({ backEnabled: false });
    assert.deepEqual(cameraChanges(running, disabled), { added: [], removed: ['back'], changed: [], rulesChanged: [] });
    assert.deepEqual(cameraChanges(disabled, running), { added: ['back'], removed: [], changed: [], rulesChanged: [] });
  });
});
