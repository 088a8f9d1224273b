// When a person acts: on a working day (the official calendar, adjusted weekends included), inside working
// hours, on a slot of the working-hours grid (staff act at 09:00, 09:30 …, which also lets the runner act on
// many cases at one virtual instant).
import type { WorkCalendar } from '../../functions/domain/calendar';
import { addCalendarDays, businessDateOf, businessInstant, type BusinessDate, type Instant } from '../../functions/domain/time';
import type { Rates } from './rates';
import type { Rng } from './rng';

const DAY_MS = 86_400_000;

export interface WorkingTime {
  calendar: WorkCalendar;
  hours: Rates['workingHours'];
}

const minutesOf = (hhmm: string) => {
  const [h, m] = hhmm.split(':').map(Number) as [number, number];
  return h * 60 + m;
};
const hhmmOf = (minutes: number) => `${String(Math.floor(minutes / 60)).padStart(2, '0')}:${String(minutes % 60).padStart(2, '0')}`;

/** The working-hour slots of a day, as local times (HH:MM). */
export function slotsOf(hours: Rates['workingHours']): string[] {
  const out: string[] = [];
  for (let m = minutesOf(hours.from); m <= minutesOf(hours.to); m += hours.slotMinutes) out.push(hhmmOf(m));
  return out;
}

/** The first working-hour slot at or after `notBefore`. */
export function nextSlot(notBefore: Instant, w: WorkingTime): Instant {
  const slots = slotsOf(w.hours);
  for (let date = businessDateOf(notBefore), guard = 0; guard < 60; date = addCalendarDays(date, 1), guard++) {
    if (!w.calendar.isWorkingDay(date)) continue;
    for (const s of slots) {
      const at = businessInstant(date, s);
      if (at >= notBefore) return at;
    }
  }
  throw new Error(`no working slot within 60 days of ${notBefore}`);
}

/**
 * The instant a person acts `lagDays` after `anchor`: the day the delay ends (or the next working day),
 * at a random slot of that day's working hours, and never before `notBefore`.
 */
export function actingInstant(anchor: Instant, lagDays: number, rng: Rng, w: WorkingTime, notBefore: Instant = anchor): Instant {
  const due = new Date(Date.parse(anchor) + Math.max(0, lagDays) * DAY_MS).toISOString();
  const date: BusinessDate = w.calendar.nextWorkingDayOnOrAfter(businessDateOf(due)).date;
  const slot = rng.element(slotsOf(w.hours));
  const at = businessInstant(date, slot);
  const floor = notBefore > anchor ? notBefore : anchor;
  return at >= floor ? at : nextSlot(floor, w);
}
