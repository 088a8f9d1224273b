// Business dates are Asia/Shanghai calendar dates (YYYY-MM-DD); instants are ISO-8601 UTC strings.
// China keeps one offset all year (UTC+8, no daylight saving), so the conversion is exact arithmetic.

export type BusinessDate = string;
export type Instant = string;

const OFFSET_MS = 8 * 60 * 60 * 1000;
const DAY_MS = 24 * 60 * 60 * 1000;
const DATE_RE = /^(\d{4})-(\d{2})-(\d{2})$/;

export function assertBusinessDate(date: string): BusinessDate {
  const m = DATE_RE.exec(date);
  if (!m) throw new RangeError(`not a date (YYYY-MM-DD): "${date}"`);
  const d = new Date(Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])));
  if (d.toISOString().slice(0, 10) !== date) throw new RangeError(`no such date: "${date}"`);
  return date;
}

function dateToUtcMidnight(date: BusinessDate): number {
  assertBusinessDate(date);
  return Date.parse(`${date}T00:00:00.000Z`);
}

/** The Asia/Shanghai calendar date of an instant. */
export function businessDateOf(instant: Instant | Date): BusinessDate {
  const ms = typeof instant === 'string' ? Date.parse(instant) : instant.getTime();
  if (Number.isNaN(ms)) throw new RangeError(`not an instant: "${String(instant)}"`);
  return new Date(ms + OFFSET_MS).toISOString().slice(0, 10);
}

/** 00:00 Asia/Shanghai on the date, as a UTC instant. */
export function startOfBusinessDay(date: BusinessDate): Instant {
  return new Date(dateToUtcMidnight(date) - OFFSET_MS).toISOString();
}

/** The last millisecond of the date in Asia/Shanghai: a deadline "on" a date ends here. */
export function endOfBusinessDay(date: BusinessDate): Instant {
  return new Date(dateToUtcMidnight(date) - OFFSET_MS + DAY_MS - 1).toISOString();
}

/** A local time (HH:MM, Asia/Shanghai) on a date, as a UTC instant. */
export function businessInstant(date: BusinessDate, hhmm: string): Instant {
  const [h, m] = hhmm.split(':').map(Number);
  return new Date(dateToUtcMidnight(date) - OFFSET_MS + ((h ?? 0) * 60 + (m ?? 0)) * 60_000).toISOString();
}

export function addCalendarDays(date: BusinessDate, days: number): BusinessDate {
  return new Date(dateToUtcMidnight(date) + days * DAY_MS).toISOString().slice(0, 10);
}

/** Whole days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: BusinessDate, to: BusinessDate): number {
  return Math.round((dateToUtcMidnight(to) - dateToUtcMidnight(from)) / DAY_MS);
}

/** 0 = Sunday … 6 = Saturday. */
export function weekdayOf(date: BusinessDate): number {
  return new Date(dateToUtcMidnight(date)).getUTCDay();
}

export function yearOf(date: BusinessDate): number {
  return Number(date.slice(0, 4));
}
