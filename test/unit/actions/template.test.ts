import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import type { VoiceActionConfig } from '../../../edge/config/actions.js';
import { fill, isFixed, warningText } from '../../../edge/actions/template.js';

const action: VoiceActionConfig = {
  id: 'pond',
  type: 'voice',
  template: '{class}{name}同学，请立即离开{zone}！',
  fallback: '同学，请立即离开{zone}！',
  repeatSeconds: 10,
  maxRepeats: 3,
};

describe('warning templates', () => {
  it('fills every placeholder from the alert', () => {
    assert.equal(warningText(action, { name: '张三', class: '三年级二班', zone: '水边', camera: 'pond-east' }), '三年级二班张三同学，请立即离开水边！');
  });

  it('speaks the fallback when the identity is missing or blank', () => {
    assert.equal(warningText(action, { zone: '水边' }), '同学，请立即离开水边！');
    assert.equal(warningText(action, { name: '张三', class: '  ', zone: '水边' }), '同学，请立即离开水边！');
  });

  it('drops a fallback placeholder that has no value rather than speaking braces', () => {
    assert.equal(warningText(action, {}), '同学，请立即离开！');
  });

  it('reports a missing value as undefined and recognizes fixed sentences', () => {
    assert.equal(fill('{camera} 报警', {}), undefined);
    assert.equal(fill('{camera} 报警', { camera: '东门' }), '东门 报警');
    assert.equal(isFixed('请离开水边'), true);
    assert.equal(isFixed('请离开{zone}'), false);
  });

  it('has no text for an operator clip', () => {
    const clipAction: VoiceActionConfig = { id: 'c', type: 'voice', clip: '/x.mp3', repeatSeconds: 5, maxRepeats: 1 };
    assert.equal(warningText(clipAction, { zone: 'z' }), undefined);
  });
});
