import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { MediaClock, WallClock } from '../../../edge/clock/clock.js';

describe('MediaClock', () => {
  it('stamps anchor + index * 1000 / fps in whole milliseconds', () => {
    const clock = new MediaClock({ anchor: Date.UTC(2025, 0, 1), fps: 3 });
    assert.equal(clock.frameTime(0), Date.UTC(2025, 0, 1));
    assert.equal(clock.frameTime(1), Date.UTC(2025, 0, 1) + 333);
    assert.equal(clock.frameTime(2), Date.UTC(2025, 0, 1) + 667);
    assert.equal(clock.frameTime(30), Date.UTC(2025, 0, 1) + 10_000);
  });

  it('reports the latest stamped frame as now', () => {
    const clock = new MediaClock({ anchor: 5000, fps: 5 });
    assert.equal(clock.now(), 5000);
    clock.frameTime(10);
    assert.equal(clock.now(), 7000);
  });
});

describe('WallClock', () => {
  it('follows Date.now', () => {
    const before = Date.now();
    const stamped = new WallClock().frameTime();
    assert.ok(stamped >= before && stamped <= Date.now());
  });
});
