import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { LatencyWindow, percentile } from '../../../edge/vision/latency-window.js';

describe('LatencyWindow', () => {
  it('gives nearest-rank percentiles', () => {
    const values = Array.from({ length: 100 }, (_, i) => i + 1);
    assert.equal(percentile(values, 0.5), 50);
    assert.equal(percentile(values, 0.95), 95);
    assert.equal(percentile([], 0.5), 0);
  });

  it('keeps only the last samples', () => {
    const window = new LatencyWindow(3);
    for (const ms of [100, 100, 100, 1, 2, 3]) window.add(ms);
    assert.deepEqual(window.summary(), { count: 3, p50: 2, p95: 3, max: 3 });
  });
});
