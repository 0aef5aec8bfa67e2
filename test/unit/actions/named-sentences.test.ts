import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { namedSentences } from '../../../edge/actions/named-sentences.js';
import { parseConfig } from '../../../edge/config/load.js';

const config = parseConfig(
  `gateway: { id: gw-1 }
cameras:
  - id: pond
    url: rtsp://127.0.0.1:9/none
    detect: { width: 640, height: 480, fps: 5 }
    zones: [{ id: fence, name: 池塘, polygon: [[0, 0], [640, 0], [640, 480]] }, { id: dock, polygon: [[0, 0], [10, 0], [10, 10]] }]
    lines: [{ id: wall, name: 围墙, a: [0, 100], b: [640, 100] }]
rules:
  - { id: fence-in, type: intrusion, camera: pond, zone: fence, actions: [named, plain] }
  - { id: fence-stay, type: dwell, camera: pond, zone: fence, actions: [named] }
  - { id: dock-in, type: intrusion, camera: pond, zone: dock, actions: [named, classless] }
  - { id: wall-climb, type: line-cross, camera: pond, line: wall, actions: [named] }
  - { id: off, type: intrusion, camera: pond, zone: fence, enabled: false, actions: [classless] }
actions:
  - { id: named, type: voice, template: "{class}{name}同学，请离开{zone}！", fallback: "请离开！" }
  - { id: classless, type: voice, template: "{name}，{camera}这里危险", fallback: "这里危险" }
  - { id: plain, type: voice, template: "请注意安全" }
`,
  'config.yaml',
);

describe('namedSentences', () => {
  it('fills each named template of each enabled rule as the warning would, once per distinct sentence', () => {
    assert.deepEqual(namedSentences(config, { name: '张晓明', class: '三年级二班' }), [
      '三年级二班张晓明同学，请离开池塘！',
      '三年级二班张晓明同学，请离开dock！',
      '张晓明，pond这里危险',
      '三年级二班张晓明同学，请离开围墙！',
    ]);
  });

  it('leaves out templates the person cannot fill: their fallback names no one', () => {
    assert.deepEqual(namedSentences(config, { name: '张晓明' }), ['张晓明，pond这里危险']);
  });
});
