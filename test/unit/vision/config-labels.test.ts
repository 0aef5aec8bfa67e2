import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { formatPath } from '../../../edge/config/issues.js';
import { ConfigError, parseConfig, readConfigText } from '../../../edge/config/load.js';
import { checkLabels, labelProblems } from '../../../edge/vision/config-labels.js';
import { tempDir } from '../../helpers/tmp.js';

const CLASSES = { model: 'nanodet-int8', labels: ['person', 'bicycle', 'car', 'dog', 'knife', 'baseball bat'] };

const config = (lines: readonly string[]): string =>
  [
    'gateway: { id: gw-1 }',
    'cameras:',
    '  - id: gate',
    '    url: rtsp://10.0.0.2/stream',
    '    zones:',
    '      - { id: front, polygon: [[0, 0], [100, 0], [100, 100]], labels: [person, knife] }',
    '    lines:',
    '      - { id: wall, a: [0, 50], b: [100, 50] }',
    ...lines,
  ].join('\n');

const problems = (text: string): string[] => labelProblems(parseConfig(text, 'test.yaml'), CLASSES).map((p) => `${formatPath(p.path)}: ${p.message}`);

describe('labels the detector can never report', () => {
  it('accepts labels the model has and the detector reports', () => {
    assert.deepEqual(problems(config(['vision: { detector: { labels: [person, knife, car], minScoreByLabel: { knife: 0.6 } } }'])), []);
  });

  it('names a label the model does not know, wherever it is, with the closest known one', () => {
    assert.deepEqual(
      problems(
        config([
          'vision: { detector: { labels: [persn, person, knife, car], minScoreByLabel: { knif: 0.6 } } }',
          'rules: [{ id: cars, type: parking, camera: gate, zone: front, labels: [person, lorry] }]',
        ]).replace('labels: [person, knife] }', 'labels: [person, knife, lorry] }').replace('b: [100, 50] }', 'b: [100, 50], labels: [preson] }'),
      ),
      [
        'vision.detector.labels[0]: "persn" is not a class of the detector nanodet-int8 (did you mean "person"?); its classes are listed in models/manifest.json',
        'vision.detector.minScoreByLabel.knif: "knif" is not a class of the detector nanodet-int8 (did you mean "knife"?); its classes are listed in models/manifest.json',
        'cameras[0].zones[0].labels[2]: "lorry" is not a class of the detector nanodet-int8; its classes are listed in models/manifest.json',
        'cameras[0].lines[0].labels[0]: "preson" is not a class of the detector nanodet-int8 (did you mean "person"?); its classes are listed in models/manifest.json',
        'rules[0].labels[1]: "lorry" is not a class of the detector nanodet-int8; its classes are listed in models/manifest.json',
      ],
    );
  });

  it('names zone, line, rule and score labels that vision.detector.labels filters out, even without the model', () => {
    const text = config([
      'vision: { detector: { labels: [person, car], minScoreByLabel: { dog: 0.3 } } }',
      'rules: [{ id: blade, type: object, camera: gate, zone: front, labels: [knife] }]',
    ]);
    const expected = [
      'vision.detector.minScoreByLabel.dog: "dog" is not in vision.detector.labels, so this score never applies',
      'cameras[0].zones[0].labels[1]: "knife" is not in vision.detector.labels, so the detector never reports it',
      'rules[0].labels[0]: "knife" is not in vision.detector.labels, so the detector never reports it',
    ];
    assert.deepEqual(problems(text), expected);
    assert.deepEqual(labelProblems(parseConfig(text, 'test.yaml'), undefined).map((p) => `${formatPath(p.path)}: ${p.message}`), expected);
  });

  it('checkLabels: CONFIG_INVALID with the line of each problem, against the committed manifest', async () => {
    const text = config(['vision:', '  detector:', '    labels: [persn, person, knife]']);
    await assert.rejects(checkLabels(readConfigText(text, 'test.yaml')), (error: unknown) => {
      assert.ok(error instanceof ConfigError);
      assert.equal(error.code, 'CONFIG_INVALID');
      assert.deepEqual(
        error.issues.map((issue) => [issue.path, issue.line]),
        [['vision.detector.labels[0]', 11]],
      );
      assert.match(error.message, /^test\.yaml: one problem\n {2}vision\.detector\.labels\[0\]: "persn" is not a class of the detector nanodet-int8 \(did you mean "person"\?\)/);
      return true;
    });
    assert.deepEqual(await checkLabels(readConfigText(config([]), 'test.yaml')), { model: 'nanodet-int8' });
  });

  it('checkLabels: a manifest that cannot be read leaves the model classes unchecked and says why', async () => {
    const dir = await tempDir('labels');
    try {
      const loaded = readConfigText(config([`vision: { modelsDir: ${dir.path}, detector: { labels: [persn] } }`]).replace('labels: [person, knife] }', 'labels: [persn] }').replace('b: [100, 50] }', 'b: [100, 50], labels: [persn] }'), 'test.yaml');
      const outcome = await checkLabels(loaded);
      assert.ok('unchecked' in outcome);
      assert.match(outcome.unchecked, /manifest\.json: cannot read the model manifest \(ENOENT\)/);
    } finally {
      await dir.remove();
    }
  });
});
