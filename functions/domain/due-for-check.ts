// Who is due a check: a community may mark a subject "not due until <date>" (no reason is stored, no medical detail).
// The mark is in effect while its date is after today, so it lapses at its date even before the daily job removes it
// from her record (functions/app/not-due-marks.ts, audited); the health-check generator opens no check for a period
// that ends before it, and a check it does open carries the date for the queue.
import { addCalendarDays, assertBusinessDate, type BusinessDate } from './time';

/** How far ahead a mark may reach. */
export const NOT_DUE_MAX_YEARS = 2;

export type NotDueCheck = { ok: true; value: BusinessDate | null } | { ok: false; reason: string };

/** Validates a new mark (null clears it): a date after today, at most two years ahead. */
export function checkNotDueUntil(date: string | null, today: BusinessDate): NotDueCheck {
  if (date === null) return { ok: true, value: null };
  try {
    assertBusinessDate(date);
  } catch {
    return { ok: false, reason: 'a date is YYYY-MM-DD' };
  }
  if (date <= today) return { ok: false, reason: `"not due until" must be after today (${today})` };
  const latest = `${Number(today.slice(0, 4)) + NOT_DUE_MAX_YEARS}${today.slice(4)}`.replace(/-02-29$/, '-02-28');
  if (date > latest) return { ok: false, reason: `"not due until" may be at most ${NOT_DUE_MAX_YEARS} years ahead (${latest})` };
  return { ok: true, value: date };
}

/** The mark in effect on `today`: its date if still ahead, else none (it cleared at its date). */
export function notDueUntilOn(mark: string | undefined, today: BusinessDate): BusinessDate | undefined {
  return mark && mark > today ? mark : undefined;
}

/** Whether a subject with this mark is due a check in a period ending `periodEnd`: not if the mark reaches past it. */
export function dueInPeriod(mark: string | undefined, periodEnd: BusinessDate, today: BusinessDate): boolean {
  const until = notDueUntilOn(mark, today);
  return !until || until <= periodEnd;
}

