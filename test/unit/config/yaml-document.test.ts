import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ConfigError, parseConfig } from '../../../edge/config/load.js';

const camera = ['gateway: { id: gw-1 }', 'cameras:', '  - id: cam1', '    url: rtsp://10.0.0.2/stream'];

/** The code and "path: message @line" of each problem of a rejected file. */
function rejection(text: string): { code: string; problems: string[] } {
  try {
    parseConfig(text, 'test.yaml');
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected a ConfigError, got ${String(error)}`);
    return { code: error.code, problems: error.issues.map((issue) => `${issue.path}: ${issue.message}${issue.line === undefined ? '' : ` @${issue.line}`}`) };
  }
  assert.fail('expected the config to be rejected');
}

describe('YAML the config loader refuses with a path and a line instead of crashing', () => {
  it('an alias whose anchor is not defined', () => {
    assert.deepEqual(rejection('gateway: { id: gw-1 }\ncameras: *nope\n'), { code: 'CONFIG_INVALID', problems: ['cameras: alias *nope has no anchor &nope before it @2'] });
  });

  it('an alias used before its anchor', () => {
    assert.deepEqual(rejection([...camera, '    name: *later', '  - id: cam2', '    url: &later rtsp://10.0.0.3/stream'].join('\n')), {
      code: 'CONFIG_INVALID',
      problems: ['cameras[0].name: alias *later has no anchor &later before it @5'],
    });
  });

  it('an alias inside the node its anchor names', () => {
    assert.deepEqual(rejection('gateway: &g { id: gw-1, name: *g }\n'), { code: 'CONFIG_INVALID', problems: ['gateway.name: alias *g is inside &g, so the value would contain itself @1'] });
  });

  it('a merge of something that is not a mapping', () => {
    assert.deepEqual(rejection('gateway: { <<: 3, id: gw-1 }\n'), { code: 'CONFIG_INVALID', problems: ['gateway.<<: a merge (<<) takes a mapping, an alias of one, or a list of them @1'] });
    assert.deepEqual(rejection('x: &list [1, 2]\ngateway:\n  <<: *list\n  id: gw-1\n'), { code: 'CONFIG_INVALID', problems: ['gateway.<<: a merge (<<) takes a mapping, an alias of one, or a list of them @3'] });
  });

  it('an alias bomb, before it is expanded', () => {
    const levels = ['a0: &a0 [x, x, x, x, x, x, x, x, x, x]'];
    for (let i = 1; i <= 9; i++) levels.push(`a${i}: &a${i} [${Array.from({ length: 10 }, () => `*a${i - 1}`).join(', ')}]`);
    assert.deepEqual(rejection(levels.join('\n')), { code: 'CONFIG_INVALID', problems: ['a4[7]: aliases expand to more than 100000 values (an alias bomb?) @5'] });
  });

  it('nesting deeper than any config, before the parser recurses into it', () => {
    assert.deepEqual(rejection(`gateway: { id: gw-1 }\ncameras: ${'['.repeat(3000)}${']'.repeat(3000)}\n`), { code: 'CONFIG_SYNTAX', problems: ['(yaml): nested deeper than 64 levels @2'] });
    assert.deepEqual(rejection(`gateway: { id: gw-1 }\ncameras:\n${'- '.repeat(3000)}x\n`), { code: 'CONFIG_SYNTAX', problems: ['(yaml): nested deeper than 64 levels @3'] });
  });

  it('a key that is a list, a mapping or missing', () => {
    assert.deepEqual(rejection([...camera, '    ? [a, b]', '    : 1'].join('\n')), { code: 'CONFIG_INVALID', problems: ['cameras[0]: a key must be plain text, not a list or mapping @5'] });
    assert.deepEqual(rejection([...camera, '    ~: 1'].join('\n')), { code: 'CONFIG_INVALID', problems: ['cameras[0]: a key is empty @5'] });
  });

  it('duplicate keys, tags it does not know, a second document', () => {
    assert.deepEqual(rejection([...camera, '    url: rtsp://10.0.0.3/stream'].join('\n')), { code: 'CONFIG_SYNTAX', problems: ['(yaml): Map keys must be unique @5'] });
    assert.deepEqual(rejection([...camera, '    name: !custom pond'].join('\n')), { code: 'CONFIG_SYNTAX', problems: ['(yaml): Unresolved tag: !custom @5'] });
    assert.deepEqual(rejection([...camera, '---', 'gateway: { id: gw-2 }'].join('\n')), { code: 'CONFIG_SYNTAX', problems: ['(yaml): a second document (after "---"); a config file holds one @5'] });
  });

  it('lists the first ten syntax errors and counts the rest', () => {
    const { code, problems } = rejection(Array.from({ length: 30 }, (_, i) => `k${i}: [`).join('\n'));
    assert.equal(code, 'CONFIG_SYNTAX');
    assert.equal(problems.length, 11);
    assert.match(problems[10] ?? '', /^\(yaml\): and \d+ more syntax errors from here on, most of them caused by those above @\d+$/);
  });
});

describe('anchors and merge keys a config may use', () => {
  it('shares camera settings through an anchor and a merge key', () => {
    const config = parseConfig(
      [
        'gateway: { id: gw-1 }',
        'cameras:',
        '  - &camera',
        '    id: cam1',
        '    url: rtsp://10.0.0.2/stream',
        '    detect: &detect { width: 640, height: 360, fps: 2 }',
        '  - <<: *camera',
        '    id: cam2',
        '    detect: { <<: *detect, fps: 5 }',
      ].join('\n'),
      'test.yaml',
    );
    assert.deepEqual(
      config.cameras.map((c) => [c.id, c.url, c.detect]),
      [
        ['cam1', 'rtsp://10.0.0.2/stream', { width: 640, height: 360, fps: 2 }],
        ['cam2', 'rtsp://10.0.0.2/stream', { width: 640, height: 360, fps: 5 }],
      ],
    );
  });

  it('expands one anchor far more often than a bomb would need, while the total stays small', () => {
    // 127 aliases of one anchor: the YAML library's own guard refuses more than 100, with no position to report.
    const zones = (first: string) => `[{ id: a, polygon: [[0, 0], [9, 0], [9, 9]], labels: ${first} }, { id: b, polygon: [[0, 0], [9, 0], [0, 9]], labels: *people }]`;
    const cameras = Array.from({ length: 64 }, (_, i) => `  - { id: cam${i}, url: "rtsp://10.0.0.2/s", zones: ${zones(i === 0 ? '&people [person]' : '*people')} }`);
    const config = parseConfig(['gateway: { id: gw-1 }', 'cameras:', ...cameras].join('\n'), 'test.yaml');
    assert.equal(config.cameras.length, 64);
    assert.deepEqual(config.cameras[63]?.zones[1]?.labels, ['person']);
  });
});
