import assert from 'node:assert/strict';
import { describe, it } from 'node:test';
import { ruleSchema } from '../../../edge/config/rules.js';
import { ScheduleClock } from '../../../edge/rules/schedule.js';

function scheduleOf(windows: unknown[]) {
  const rule = ruleSchema.parse({ id: 'r', type: 'intrusion', camera: 'c', zone: 'z', schedule: { windows } });
  assert.ok(rule.schedule);
  return rule.schedule;
}

/** Epoch ms of a wall time in Shanghai (UTC+8, no daylight saving). */
const shanghai = (iso: string) => Date.parse(`${iso}+08:00`);

describe('rule schedules', () => {
  it('is always active without a schedule', () => {
    assert.equal(new ScheduleClock(undefined, 'Asia/Shanghai').isActive(0), true);
  });

  it('follows weekdays and times in the gateway time zone', () => {
    // School arrival on weekdays 07:00-08:30. 2026-11-23 is a Monday, 2026-11-28 a Saturday.
    const clock = new ScheduleClock(scheduleOf([{ days: ['mon', 'tue', 'wed', 'thu', 'fri'], from: '07:00', to: '08:30' }]), 'Asia/Shanghai');
    assert.equal(clock.isActive(shanghai('2026-11-23T06:59:59')), false);
    assert.equal(clock.isActive(shanghai('2026-11-23T07:00:00')), true);
    assert.equal(clock.isActive(shanghai('2026-11-23T08:29:59')), true);
    assert.equal(clock.isActive(shanghai('2026-11-23T08:30:00')), false);
    assert.equal(clock.isActive(shanghai('2026-11-28T07:30:00')), false, 'not on Saturday');
  });

  it('runs a window past midnight into the next day', () => {
    // Night watch from Friday 22:00 to Saturday 06:00.
    const clock = new ScheduleClock(scheduleOf([{ days: ['fri'], from: '22:00', to: '06:00' }]), 'Asia/Shanghai');
    assert.equal(clock.isActive(shanghai('2026-11-27T23:00:00')), true);
    assert.equal(clock.isActive(shanghai('2026-11-28T05:59:00')), true);
    assert.equal(clock.isActive(shanghai('2026-11-28T06:00:00')), false);
    assert.equal(clock.isActive(shanghai('2026-11-26T23:00:00')), false, 'Thursday night is not in it');
  });
});
