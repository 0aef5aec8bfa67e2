import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, parseConfig } from '../../../edge/config/load.js';
import { identityCameras } from '../../../edge/config/rules.js';

const cameras = `
gateway: { id: gw-1 }
cameras:
  - id: pond
    url: rtsp://10.0.0.2/stream
    detect: { width: 768, height: 576 }
    zones:
      - { id: bank, polygon: [[0, 0.5], [1, 0.5], [1, 1], [0, 1]] }
      - { id: road, polygon: [[0, 0], [1, 0], [1, 0.4]], labels: [car] }
  - id: door
    url: rtsp://10.0.0.3/stream
    detect: { width: 768, height: 576 }
  - id: spare
    url: rtsp://10.0.0.4/stream
    detect: { width: 768, height: 576 }
    enabled: false
`;

function problems(text: string): string[] {
  try {
    parseConfig(text, 'test.yaml');
  } catch (error) {
    assert.ok(error instanceof ConfigError);
    return error.issues.map((issue) => `${issue.path}: ${issue.message}`);
  }
  assert.fail('expected the config to be rejected');
}

describe('identity rules in the config', () => {
  it('parses watchlist, minor-venue and identify, with their defaults', () => {
    const config = parseConfig(
      `${cameras}rules:
  - { id: fence, type: intrusion, camera: pond, zone: bank, identify: true }
  - { id: stay, type: dwell, camera: pond, zone: bank }
  - { id: minors, type: minor-venue, camera: door }
  - { id: watch, type: watchlist, camera: door, categories: [theft, drugs] }
  - { id: watch-all, type: watchlist, camera: door }
`,
      'test.yaml',
    );
    const [fence, stay, minors, watch, watchAll] = config.rules;
    assert.equal(fence?.type === 'intrusion' && fence.identify, true);
    assert.equal(stay?.type === 'dwell' && stay.identify, false);
    assert.deepEqual(minors, { id: 'minors', type: 'minor-venue', camera: 'door', severity: 'warning', enabled: true, cooldownSeconds: 30, actions: [] });
    assert.deepEqual(watch?.type === 'watchlist' ? watch.categories : undefined, ['theft', 'drugs']);
    assert.equal(watchAll?.type === 'watchlist' ? watchAll.categories : undefined, 'all');
  });

  it('names the cameras that need faces identified: enabled cameras with an enabled identity rule', () => {
    const config = parseConfig(
      `${cameras}rules:
  - { id: stay, type: dwell, camera: pond, zone: bank }
  - { id: minors, type: minor-venue, camera: door }
  - { id: off, type: watchlist, camera: spare }
`,
      'test.yaml',
    );
    assert.deepEqual(identityCameras(config), ['door']);
    const pond = parseConfig(`${cameras}rules:\n  - { id: fence, type: intrusion, camera: pond, zone: bank, identify: true }\n  - { id: minors, type: minor-venue, camera: door, enabled: false }\n`, 'test.yaml');
    assert.deepEqual(identityCameras(pond), ['pond']);
    assert.deepEqual(identityCameras(parseConfig(`${cameras}rules:\n  - { id: stay, type: dwell, camera: pond, zone: bank }\n`, 'test.yaml')), []);
  });

  it('refuses identity on a zone that does not watch people, unknown zones and malformed categories, naming the path', () => {
    assert.deepEqual(
      problems(`${cameras}rules:
  - { id: car-id, type: intrusion, camera: pond, zone: road, identify: true }
  - { id: minors, type: minor-venue, camera: door, zone: hall }
  - { id: watch, type: watchlist, camera: door, categories: [Theft] }
  - { id: none, type: watchlist, camera: door, categories: [] }
`),
      [
        'rules[2].categories[0]: expected a key-person category: 1-32 lower-case letters, digits, "_" or "-", got "Theft"',
        'rules[3].categories: expected at least 1 items, got a list',
        'rules[0].zone: zone "road" watches only car; identifying faces needs person in the zone\'s labels',
        'rules[1].zone: camera "door" has no zone "hall"',
      ],
    );
  });
});
