import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { parseDocument } from 'yaml';
import { parseConfig } from '../../../edge/config/load.js';
import { applyZoneEdit, editedText, type ZoneEdit } from '../../../edge/web/zone-edit.js';

const FILE = `# site notes
gateway: { id: gw-1 }
cameras:
  - id: gate
    url: rtsp://10.0.0.2/stream
    detect: { width: 800, height: 400, fps: 5 }
    zones:
      # the pond bank, drawn in pixels
      - { id: bank, name: Pond bank, polygon: [[0, 0], [400, 0], [400, 200]], labels: [person], inertiaFrames: 5 }
      - { id: old, polygon: [[0.1, 0.1], [0.2, 0.1], [0.2, 0.2]] }
    lines:
      - { id: wall, a: [0, 100], b: [800, 100] }
  - id: other
    url: rtsp://10.0.0.3/stream
    zones: [{ id: bank, polygon: [[0, 0], [10, 0], [10, 10]] }]
rules:
  # keep this rule
  - { id: bank-dwell, type: dwell, camera: gate, zone: bank, seconds: 20, severity: critical, actions: [] }
  - { id: old-intrusion, type: intrusion, camera: gate, zone: old }
  - { id: other-bank, type: intrusion, camera: other, zone: bank }
`;

const target = { camera: 'gate', detect: { width: 800, height: 400 } };

function edited(edit: Omit<ZoneEdit, 'version'>): string {
  const text = editedText(FILE, target, { version: '', ...edit });
  assert.ok(text !== undefined, 'the edit changes something');
  return text;
}

const unchanged: Omit<ZoneEdit, 'version'> = {
  zones: [{ id: 'bank', name: 'Pond bank', polygon: [[0, 0], [0.5, 0], [0.5, 0.5]] }, { id: 'old', polygon: [[0.1, 0.1], [0.2, 0.1], [0.2, 0.2]] }],
  lines: [{ id: 'wall', a: [0, 0.25], b: [1, 0.25] }],
  rules: [{ id: 'bank-dwell', type: 'dwell', zone: 'bank', value: 20 }, { id: 'old-intrusion', type: 'intrusion', zone: 'old' }],
};

describe('zone editor edits of the YAML document', () => {
  it('finds nothing to write when the drawing comes back unchanged (pixel zones included)', () => {
    assert.equal(editedText(FILE, target, { version: '', ...unchanged }), undefined);
  });

  it('writes a moved zone normalized, keeps its other keys and every comment, and touches no other camera', () => {
    const text = edited({ ...unchanged, zones: [{ id: 'bank', name: 'Pond bank', polygon: [[0, 0], [0.6, 0], [0.6, 0.7], [0.123456, 0.5]] }, unchanged.zones[1] as ZoneEdit['zones'][number]] });
    for (const comment of ['# site notes', '# the pond bank, drawn in pixels', '# keep this rule']) assert.ok(text.includes(comment), comment);
    assert.ok(text.includes('      - {id: bank, name: Pond bank, polygon: [[0, 0], [0.6, 0], [0.6, 0.7], [0.1235, 0.5]], labels: [person], inertiaFrames: 5}\n'), text);
    assert.ok(text.includes('  - {id: bank-dwell, type: dwell, camera: gate, zone: bank, seconds: 20, severity: critical, actions: []}\n'), 'a long flow mapping stays on one line');
    const config = parseConfig(text, 'edited.yaml');
    const bank = config.cameras[0]?.zones.find((zone) => zone.id === 'bank');
    assert.deepEqual(bank?.polygon, [[0, 0], [0.6, 0], [0.6, 0.7], [0.1235, 0.5]]);
    assert.equal(bank.inertiaFrames, 5);
    assert.deepEqual(config.cameras[1]?.zones[0]?.polygon, [[0, 0], [10, 0], [10, 10]]);
  });

  it('removes what the editor removed, with the camera\'s rules on it, and adds new zones, lines and rules', () => {
    const text = edited({
      zones: [unchanged.zones[0] as ZoneEdit['zones'][number], { id: 'yard', name: 'Yard', polygon: [[0.5, 0.5], [1, 0.5], [1, 1]] }],
      lines: [{ id: 'fence', a: [0.1, 0.9], b: [0.9, 0.9] }],
      rules: [
        { id: 'bank-dwell', type: 'dwell', zone: 'bank', value: 45 },
        { id: 'yard-crowd', type: 'crowd', zone: 'yard', value: 6 },
        { id: 'fence-cross', type: 'line-cross', line: 'fence', value: 'left-to-right' },
      ],
    });
    const config = parseConfig(text, 'edited.yaml');
    const gate = config.cameras[0];
    assert.deepEqual(gate?.zones.map((zone) => zone.id), ['bank', 'yard']);
    assert.deepEqual(gate.lines.map((line) => [line.id, line.a, line.b]), [['fence', [0.1, 0.9], [0.9, 0.9]]]);
    assert.deepEqual(config.rules.map((rule) => rule.id), ['bank-dwell', 'other-bank', 'yard-crowd', 'fence-cross']);
    const dwell = config.rules[0];
    assert.ok(dwell?.type === 'dwell');
    assert.equal(dwell.seconds, 45);
    assert.equal(dwell.severity, 'critical', 'keys the editor does not show are kept');
    const crowd = config.rules[2];
    assert.ok(crowd?.type === 'crowd' && crowd.minPeople === 6 && crowd.camera === 'gate');
    const cross = config.rules[3];
    assert.ok(cross?.type === 'line-cross' && cross.direction === 'left-to-right');
  });

  it('changes a rule\'s type keeping severity and actions, and drops the keys of the old type', () => {
    const text = edited({ ...unchanged, rules: [{ id: 'bank-dwell', type: 'intrusion', zone: 'bank' }, { id: 'old-intrusion', type: 'intrusion', zone: 'old' }] });
    const rule = parseConfig(text, 'edited.yaml').rules[0];
    assert.equal(rule?.type, 'intrusion');
    assert.equal(rule.severity, 'critical');
    assert.ok(!text.includes('seconds: 20'));
  });

  it('names an unknown camera', () => {
    assert.throws(() => {
      applyZoneEdit(parseDocument(FILE), { camera: 'nope', detect: { width: 1, height: 1 } }, { version: '', ...unchanged });
    }, { code: 'CAMERA_UNKNOWN' });
  });
});
