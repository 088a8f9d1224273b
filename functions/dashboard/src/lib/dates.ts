// Dates as staff read them: every instant in Asia/Shanghai, whatever the browser's own time zone.
// Business dates (YYYY-MM-DD) are Asia/Shanghai calendar dates already and are never shifted.
import type { Lang } from '../i18n';

export const TIME_ZONE = 'Asia/Shanghai';
const DAY_MS = 86_400_000;

const partsFormat = new Intl.DateTimeFormat('en-US', {
  timeZone: TIME_ZONE,
  year: 'numeric',
  month: '2-digit',
  day: '2-digit',
  hour: '2-digit',
  minute: '2-digit',
  hourCycle: 'h23',
});

export interface ShanghaiParts {
  /** YYYY-MM-DD */
  date: string;
  /** HH:mm */
  time: string;
}

function toDate(instant: string | Date | number): Date | undefined {
  const d = instant instanceof Date ? instant : new Date(instant);
  return Number.isNaN(d.getTime()) ? undefined : d;
}

export function shanghaiParts(instant: string | Date | number): ShanghaiParts | undefined {
  const d = toDate(instant);
  if (!d) return undefined;
  const p: Record<string, string> = {};
  for (const part of partsFormat.formatToParts(d)) p[part.type] = part.value;
  return { date: `${p.year}-${p.month}-${p.day}`, time: `${p.hour}:${p.minute}` };
}

/** The Asia/Shanghai calendar date of an instant. */
export function shanghaiDate(instant: string | Date | number): string {
  return shanghaiParts(instant)?.date ?? '';
}

const WEEKDAYS: Record<Lang, string[]> = {
  'zh-CN': ['周日', '周一', '周二', '周三', '周四', '周五', '周六'],
  en: ['Sun', 'Mon', 'Tue', 'Wed', 'Thu', 'Fri', 'Sat'],
};
const MONTHS_EN = ['Jan', 'Feb', 'Mar', 'Apr', 'May', 'Jun', 'Jul', 'Aug', 'Sep', 'Oct', 'Nov', 'Dec'];

function splitDate(date: string): [number, number, number] | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(date);
  return m ? [Number(m[1]), Number(m[2]), Number(m[3])] : undefined;
}

function weekdayOf(date: string): number {
  return new Date(`${date}T00:00:00Z`).getUTCDay();
}

/** A business date: `2026-03-31 周二` / `Tue 31 Mar 2026`. */
export function formatDate(date: string | null | undefined, lang: Lang): string {
  if (!date) return '';
  const ymd = splitDate(date);
  if (!ymd) return date;
  const wd = WEEKDAYS[lang][weekdayOf(date)];
  return lang === 'zh-CN' ? `${date} ${wd}` : `${wd} ${ymd[2]} ${MONTHS_EN[ymd[1] - 1]} ${ymd[0]}`;
}

/** An instant in Asia/Shanghai: `2026-03-02 10:00` / `2 Mar 2026, 10:00`. */
export function formatInstant(instant: string | null | undefined, lang: Lang): string {
  if (!instant) return '';
  const p = shanghaiParts(instant);
  if (!p) return instant;
  if (lang === 'zh-CN') return `${p.date} ${p.time}`;
  const [y, m, d] = splitDate(p.date)!;
  return `${d} ${MONTHS_EN[m - 1]} ${y}, ${p.time}`;
}

/** A month (YYYY-MM): `2026年3月` / `Mar 2026`; `short` drops the year: `3月` / `Mar`. */
export function formatMonth(month: string, lang: Lang, short = false): string {
  const m = /^(\d{4})-(\d{2})$/.exec(month);
  if (!m) return month;
  const y = Number(m[1]);
  const mo = Number(m[2]);
  if (lang === 'zh-CN') return short ? `${mo}月` : `${y}年${mo}月`;
  return short ? MONTHS_EN[mo - 1]! : `${MONTHS_EN[mo - 1]} ${y}`;
}

/** Whole days from `from` to `to` (business dates; negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  return Math.round((Date.parse(`${to}T00:00:00Z`) - Date.parse(`${from}T00:00:00Z`)) / DAY_MS);
}

export function addDays(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * DAY_MS).toISOString().slice(0, 10);
}

export interface MonthRange {
  /** YYYY-MM */
  month: string;
  /** first day, YYYY-MM-DD */
  from: string;
  /** last day, YYYY-MM-DD */
  to: string;
}

/** The `count` calendar months up to and including the Asia/Shanghai month of `now`, oldest first. */
export function lastMonths(now: string | Date | number, count: number): MonthRange[] {
  const today = shanghaiDate(now);
  const [y, m] = splitDate(today) ?? [1970, 1, 1];
  const out: MonthRange[] = [];
  for (let i = count - 1; i >= 0; i--) {
    const first = new Date(Date.UTC(y, m - 1 - i, 1));
    const last = new Date(Date.UTC(y, m - i, 0));
    const from = first.toISOString().slice(0, 10);
    out.push({ month: from.slice(0, 7), from, to: last.toISOString().slice(0, 10) });
  }
  return out;
}

/**
 * How a case's due date reads today: overdue by n days, due today, or due in n days. The server's
 * overdue/daysOverdue win when present (they use the server's clock, which the dev bar can move).
 */
export function dueStatus(
  c: { dueDate: string; overdue?: boolean; daysOverdue?: number; status?: string },
  today: string,
): { kind: 'overdue' | 'today' | 'soon' | 'later' | 'closed'; days: number } {
  if (c.status && c.status !== 'open') return { kind: 'closed', days: 0 };
  if (c.overdue) return { kind: 'overdue', days: Math.max(1, c.daysOverdue ?? daysBetween(c.dueDate, today)) };
  const left = daysBetween(today, c.dueDate);
  if (left < 0) return { kind: 'overdue', days: -left };
  if (left === 0) return { kind: 'today', days: 0 };
  return { kind: left <= 7 ? 'soon' : 'later', days: left };
}
