import { WEEKDAYS, type ScheduleConfig, type Weekday } from '../config/rules.js';

const MINUTES_PER_DAY = 24 * 60;

function minutesOf(clock: string): number {
  const [h, m] = clock.split(':').map(Number);
  return (h ?? 0) * 60 + (m ?? 0);
}

/**
 * Decides whether a rule schedule is active at an instant, in the gateway time zone (Intl, so daylight-saving
 * rules of the zone apply). The answer only changes on minute boundaries, so it is computed once per minute.
 */
export class ScheduleClock {
  readonly #schedule: ScheduleConfig | undefined;
  readonly #format: Intl.DateTimeFormat;
  #minute = Number.NaN;
  #active = true;

  constructor(schedule: ScheduleConfig | undefined, timezone: string) {
    this.#schedule = schedule;
    this.#format = new Intl.DateTimeFormat('en-GB', { timeZone: timezone, weekday: 'short', hour: '2-digit', minute: '2-digit', hourCycle: 'h23' });
  }

  isActive(ts: number): boolean {
    if (this.#schedule === undefined) return true;
    const minute = Math.floor(ts / 60_000);
    if (minute !== this.#minute) {
      this.#minute = minute;
      this.#active = this.#compute(ts, this.#schedule);
    }
    return this.#active;
  }

  #compute(ts: number, schedule: ScheduleConfig): boolean {
    const parts = this.#format.formatToParts(new Date(ts));
    const part = (type: string) => parts.find((p) => p.type === type)?.value ?? '';
    const day = WEEKDAYS.indexOf(part('weekday').toLowerCase() as Weekday);
    const now = Number(part('hour')) * 60 + Number(part('minute'));
    const yesterday = WEEKDAYS[(day + 6) % 7];
    const today = WEEKDAYS[day];
    return schedule.windows.some((w) => {
      const from = minutesOf(w.from);
      const to = minutesOf(w.to);
      if (from < to) return today !== undefined && w.days.includes(today) && now >= from && now < to;
      // Past midnight: the part after midnight belongs to the window that started the day before.
      return (today !== undefined && w.days.includes(today) && now >= from) || (yesterday !== undefined && w.days.includes(yesterday) && now < to % MINUTES_PER_DAY);
    });
  }
}
