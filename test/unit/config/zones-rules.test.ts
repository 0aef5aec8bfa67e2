import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, parseConfig } from '../../../edge/config/load.js';

const head = `
gateway: { id: gw-1 }
cameras:
  - id: cam1
    url: rtsp://10.0.0.2/stream
    detect: { width: 768, height: 576 }
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

describe('zones, lines and rules in the config', () => {
  it('fills zone, line and rule defaults', () => {
    const config = parseConfig(
      `${head}    zones: [{ id: lawn, polygon: [[0, 0.5], [1, 0.5], [1, 1], [0, 1]] }]
    lines: [{ id: path, a: [100, 300], b: [600, 300] }]
rules:
  - { id: r1, type: dwell, camera: cam1, zone: lawn }
  - { id: r2, type: line-cross, camera: cam1, line: path, direction: left-to-right, schedule: { windows: [{ days: [mon, fri], from: "07:00", to: "08:30" }] } }
`,
      'test.yaml',
    );
    const camera = config.cameras[0];
    assert.deepEqual(camera?.zones[0], { id: 'lawn', polygon: [[0, 0.5], [1, 0.5], [1, 1], [0, 1]], labels: ['person'], minScore: 0.4, minArea: 0, anchor: 'bottom-center', inertiaFrames: 3 });
    assert.equal(camera.lines[0]?.anchor, 'bottom-center');
    assert.equal(camera.motion.redetectSeconds, 1);
    assert.deepEqual(config.rules[0], { id: 'r1', type: 'dwell', camera: 'cam1', zone: 'lawn', severity: 'warning', enabled: true, cooldownSeconds: 30, actions: [], seconds: 30, identify: false });
    assert.deepEqual(config.rules[1]?.schedule, { windows: [{ days: ['mon', 'fri'], from: '07:00', to: '08:30' }] });
  });

  it('rejects degenerate polygons with their path', () => {
    const text = `${head}    zones:
      - { id: two, polygon: [[0, 0], [10, 10]] }
      - { id: flat, polygon: [[0, 0], [5, 5], [10, 10]] }
      - { id: bow, polygon: [[0, 0], [100, 100], [100, 0], [0, 100]] }
`;
    assert.deepEqual(problems(text), [
      'cameras[0].zones[0].polygon: a zone needs at least 3 points, got 2',
      'cameras[0].zones[1].polygon: the polygon has zero area (all points on one line)',
      'cameras[0].zones[2].polygon: the polygon crosses itself (edge 1 meets edge 3)',
    ]);
  });

  it('rejects rules naming a missing camera, zone or line, and zones outside the picture', () => {
    const text = `${head}    zones:
      - { id: lawn, polygon: [[0, 0], [800, 0], [800, 100]] }
      - { id: lawn, polygon: [[0, 0], [10, 0], [10, 10]] }
rules:
  - { id: a, type: intrusion, camera: cam9, zone: lawn }
  - { id: b, type: dwell, camera: cam1, zone: pond }
  - { id: c, type: line-cross, camera: cam1, line: wall }
  - { id: c, type: parking, camera: cam1, zone: lawn }
  - { id: e, type: count, camera: cam1 }
`;
    assert.deepEqual(problems(text), [
      'cameras[0].zones[0].polygon: a point lies outside the 768x576 detect picture',
      'cameras[0].zones[1].id: duplicate zone or line id "lawn" on camera "cam1"',
      'rules[0].camera: no camera "cam9" in cameras',
      'rules[1].zone: camera "cam1" has no zone "pond"',
      'rules[2].line: camera "cam1" has no line "wall"',
      'rules[3].id: duplicate rule id "c"',
      'rules[3].labels: zone "lawn" watches only person; add one of these labels to the zone',
      'rules[4].zone: a count rule needs exactly one of zone and line',
    ]);
  });

  it('lets a camera decode only key frames when its enabled rules judge presence, and refuses it for the others', () => {
    const keyframes = head.replace('detect: { width: 768, height: 576 }', 'detect: { width: 768, height: 576 }\n    input: { decode: keyframes }');
    const zones = `    zones: [{ id: post, polygon: [[0, 0], [0.5, 0], [0.5, 0.5], [0, 0.5]], labels: [person, car] }]
    lines: [{ id: gate, a: [0, 300], b: [700, 300] }]
`;
    const quiet = parseConfig(`${keyframes}${zones}rules:
  - { id: a, type: absence, camera: cam1, zone: post }
  - { id: b, type: crowd, camera: cam1, zone: post, minPeople: 5 }
  - { id: c, type: parking, camera: cam1, zone: post }
  - { id: d, type: intrusion, camera: cam1, zone: post, enabled: false }
`, 'test.yaml');
    assert.equal(quiet.cameras[0]?.input.decode, 'keyframes');
    assert.equal(parseConfig(head, 'test.yaml').cameras[0]?.input.decode, 'all', 'every frame by default');
    const refused = (type: string): string => `rules[1].camera: camera "cam1" decodes only key frames (input.decode: keyframes), too few for a ${type} rule; set its input.decode to all, or disable the rule`;
    assert.deepEqual(problems(`${keyframes}${zones}rules:
  - { id: a, type: absence, camera: cam1, zone: post }
  - { id: b, type: intrusion, camera: cam1, zone: post }
`), [refused('intrusion')]);
    assert.deepEqual(problems(`${keyframes}${zones}rules:
  - { id: a, type: absence, camera: cam1, zone: post }
  - { id: b, type: line-cross, camera: cam1, line: gate }
`), [refused('line-cross')]);
    assert.deepEqual(problems(`${keyframes}${zones}rules:
  - { id: a, type: absence, camera: cam1, zone: post }
  - { id: b, type: dwell, camera: cam1, zone: post, seconds: 20 }
`), [refused('dwell')]);
    assert.deepEqual(problems(head.replace('detect: { width: 768, height: 576 }', 'detect: { width: 768, height: 576 }\n    input: { decode: some }')).map((p) => p.split(':')[0]), ['cameras[0].input.decode']);
  });

  it('rejects unknown rule types, bad times and unknown keys', () => {
    const text = `${head}    zones: [{ id: lawn, polygon: [[0, 0], [10, 0], [10, 10]] }]
rules:
  - { id: a, type: teleport, camera: cam1, zone: lawn }
  - { id: b, type: absence, camera: cam1, zone: lawn, schedule: { windows: [{ from: "7:00", to: "25:00" }] } }
  - { id: c, type: dwell, camera: cam1, zone: lawn, minutes: 3 }
`;
    const found = problems(text);
    assert.equal(found.length, 4, found.join('\n'));
    assert.match(found[0] ?? '', /^rules\[0\]\.type: /);
    assert.match(found[1] ?? '', /^rules\[1\]\.schedule\.windows\[0\]\.from: expected a time HH:MM/);
    assert.match(found[2] ?? '', /^rules\[1\]\.schedule\.windows\[0\]\.to: expected a time HH:MM/);
    assert.equal(found[3], 'rules[2].minutes: unknown key');
  });
});
