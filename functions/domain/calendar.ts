// The working-day calendar: which dates are working days in mainland China, and deadlines counted in them.
//
// Official schedules (public holidays and the adjusted working weekends, 调休上班) come from two places only:
//   1. the `chinese-days` package, which carries the State Council notices up to the latest published year;
//   2. the district config's `calendar.officialYears`, which can add a year the package lacks or replace one.
// A config year replaces the package's data for that year as a whole.
//
// A year with neither is not official: its days are counted on weekends alone (Mon–Fri on, Sat/Sun off), and every
// result that depended on such a day is flagged `provisional: true` so callers can mark the case; never silently wrong.
//
// Pure: no I/O. The package's data is its published JSON (documented in its README), imported statically.
import type { z } from 'zod';
import packageData from 'chinese-days/dist/chinese-days.json' with { type: 'json' };
import type { officialYear } from './district-config';
import { addCalendarDays, assertBusinessDate, type BusinessDate } from './time';

export type OfficialYear = z.infer<typeof officialYear>;

export interface WorkCalendarOptions {
  /** From the district config's `calendar.officialYears`, keyed by 'YYYY'. */
  officialYears?: Record<string, OfficialYear>;
}

export interface CalendarResult {
  date: BusinessDate;
  /** True when a day the result depended on lies in a year without an official schedule (weekends-only rule). */
  provisional: boolean;
}

export interface DeadlineRule {
  days: number;
  unit: 'calendar' | 'working';
}

/** Upper bound for a day count: a guard against runaway loops (deadlines are days or weeks, not decades). */
export const MAX_DAY_COUNT = 10_000;

const DAY_MS = 24 * 60 * 60 * 1000;
const MAX_DAY_NUM = Date.UTC(9999, 11, 31) / DAY_MS;

/** The package's JSON: date → "English name,中文名,days" for holidays and adjusted working days. */
interface PackageData {
  holidays: Record<string, string>;
  workdays: Record<string, string>;
}

interface YearTable {
  year: number;
  /** Epoch day (days since 1970-01-01) of 1 January. */
  first: number;
  /** Epoch day of 31 December. */
  last: number;
  official: boolean;
  /** 1 = working day, 0 = day off; index = epoch day − first. */
  working: Uint8Array;
}

/**
 * The years the package has an official schedule for, derived from its data: a year counts when its data marks both
 * New Year's Day (1 January) and National Day (1 October) as holidays, which every State Council notice does. A stray
 * entry from a neighbouring year's notice (e.g. 31 December off for the next New Year) does not make a year official.
 */
function packageOfficialYears(data: PackageData): Set<number> {
  const years = new Set<number>();
  for (const date of Object.keys(data.holidays)) {
    const year = Number(date.slice(0, 4));
    if (`${year}-01-01` in data.holidays && `${year}-10-01` in data.holidays) years.add(year);
  }
  return years;
}

const PACKAGE_DATA = packageData as PackageData;
const PACKAGE_OFFICIAL_YEARS: ReadonlySet<number> = packageOfficialYears(PACKAGE_DATA);

// Date string ↔ epoch day, cached both ways (validation and Date formatting dominate the cost of a short count).
// Bounded: cleared when full, so a long-running process cannot grow them without limit.
const CACHE_LIMIT = 20_000;
const dayNumCache = new Map<string, number>();
const dateCache = new Map<number, BusinessDate>();

function dayNumOf(date: BusinessDate): number {
  const cached = dayNumCache.get(date);
  if (cached !== undefined) return cached;
  assertBusinessDate(date);
  const dayNum = Date.parse(`${date}T00:00:00.000Z`) / DAY_MS;
  if (dayNumCache.size >= CACHE_LIMIT) dayNumCache.clear();
  dayNumCache.set(date, dayNum);
  return dayNum;
}

function dateOfDayNum(dayNum: number): BusinessDate {
  const cached = dateCache.get(dayNum);
  if (cached !== undefined) return cached;
  if (dayNum > MAX_DAY_NUM) throw new RangeError('the result lies after 9999-12-31');
  const date = new Date(dayNum * DAY_MS).toISOString().slice(0, 10);
  if (dateCache.size >= CACHE_LIMIT) dateCache.clear();
  dateCache.set(dayNum, date);
  return date;
}

function yearOfDayNum(dayNum: number): number {
  return new Date(dayNum * DAY_MS).getUTCFullYear();
}

function assertCount(n: number, what: string): number {
  if (typeof n !== 'number' || !Number.isInteger(n) || n < 0 || n > MAX_DAY_COUNT) {
    throw new RangeError(`${what} must be an integer from 0 to ${MAX_DAY_COUNT}: ${String(n)}`);
  }
  return n;
}

export class WorkCalendar {
  readonly #officialYears: ReadonlySet<number>;
  /** Per year: the dates whose status differs from, or is fixed over, the weekday rule (true = working). */
  readonly #overrides = new Map<number, Map<BusinessDate, boolean>>();
  readonly #tables = new Map<number, YearTable>();

  constructor(options: WorkCalendarOptions = {}) {
    const configYears = options.officialYears ?? {};
    const official = new Set(PACKAGE_OFFICIAL_YEARS);
    const overrides = new Map<BusinessDate, boolean>();
    const configYearNums = new Set<number>();

    for (const key of Object.keys(configYears)) {
      if (!/^\d{4}$/.test(key)) throw new RangeError(`officialYears key is not a year (YYYY): "${key}"`);
      configYearNums.add(Number(key));
    }
    // Package data, except for the years the config replaces.
    for (const [list, working] of [[PACKAGE_DATA.holidays, false], [PACKAGE_DATA.workdays, true]] as const) {
      for (const date of Object.keys(list)) {
        if (!configYearNums.has(Number(date.slice(0, 4)))) overrides.set(date, working);
      }
    }
    // Config years. A notice may reach into a neighbouring year (31 December off for New Year), so a date may lie in
    // the year before or after its key, no further. A date listed twice with opposite status is an error.
    const fromConfig = new Map<BusinessDate, { working: boolean; key: string }>();
    for (const [key, schedule] of Object.entries(configYears)) {
      const year = Number(key);
      official.add(year);
      for (const [list, working] of [[schedule.holidays, false], [schedule.workdays, true]] as const) {
        for (const date of list) {
          assertBusinessDate(date);
          if (Math.abs(Number(date.slice(0, 4)) - year) > 1) {
            throw new RangeError(`officialYears.${key} lists a date outside ${year - 1}–${year + 1}: "${date}"`);
          }
          const seen = fromConfig.get(date);
          if (seen && seen.working !== working) {
            throw new RangeError(`officialYears lists "${date}" as both a holiday and a working day (${seen.key}, ${key})`);
          }
          fromConfig.set(date, { working, key });
          overrides.set(date, working);
        }
      }
    }

    for (const [date, working] of overrides) {
      const year = Number(date.slice(0, 4));
      let forYear = this.#overrides.get(year);
      if (!forYear) this.#overrides.set(year, (forYear = new Map()));
      forYear.set(date, working);
    }
    this.#officialYears = official;
  }

  /** Whether the year has an official holiday schedule (from the package or the district config). */
  hasOfficialSchedule(year: number): boolean {
    if (!Number.isInteger(year)) throw new RangeError(`not a year: ${String(year)}`);
    return this.#officialYears.has(year);
  }

  /** The latest year with an official schedule. */
  latestOfficialYear(): number {
    let latest = -Infinity;
    for (const year of this.#officialYears) if (year > latest) latest = year;
    if (latest === -Infinity) throw new Error('no official holiday schedule is known');
    return latest;
  }

  /** The years with an official schedule, ascending. */
  officialYears(): number[] {
    return [...this.#officialYears].sort((a, b) => a - b);
  }

  /** An official public holiday (a day of a break in an official schedule), as opposed to an ordinary weekend. */
  isOfficialHoliday(date: BusinessDate): boolean {
    dayNumOf(date); // validates
    return this.#overrides.get(Number(date.slice(0, 4)))?.get(date) === false;
  }

  /** Official years: holiday → off, adjusted working weekend day → on, else Mon–Fri. Other years: Mon–Fri. */
  isWorkingDay(date: BusinessDate): boolean {
    const dayNum = dayNumOf(date);
    const table = this.#tableForDay(dayNum);
    return table.working[dayNum - table.first] === 1;
  }

  /**
   * The n-th working day after `start` (start itself is not counted). n = 0 returns `start` unchanged, whether or not
   * it is a working day, with provisional false (no day was examined). `provisional` is true when any day from the day
   * after `start` to the result lies in a year without an official schedule.
   */
  addWorkingDays(start: BusinessDate, n: number): CalendarResult {
    let dayNum = dayNumOf(start);
    let left = assertCount(n, 'working-day count');
    if (left === 0) return { date: start, provisional: false };
    let provisional = false;
    let table = this.#tableForDay(dayNum + 1);
    while (left > 0) {
      dayNum++;
      if (dayNum > table.last) table = this.#tableForYear(table.year + 1);
      if (!table.official) provisional = true;
      if (table.working[dayNum - table.first] === 1) left--;
    }
    return { date: dateOfDayNum(dayNum), provisional };
  }

  /** `date` if it is a working day, else the first working day after it. provisional as in addWorkingDays, `date` included. */
  nextWorkingDayOnOrAfter(date: BusinessDate): CalendarResult {
    let dayNum = dayNumOf(date);
    let table = this.#tableForDay(dayNum);
    let provisional = false;
    for (;;) {
      if (dayNum > table.last) table = this.#tableForYear(table.year + 1);
      if (!table.official) provisional = true;
      if (table.working[dayNum - table.first] === 1) return { date: dateOfDayNum(dayNum), provisional };
      dayNum++;
    }
  }

  /**
   * The due date of a rule counted from `start` (start not counted). Calendar days need no holiday schedule, so they are
   * never provisional; working days are counted by addWorkingDays.
   */
  deadline(rule: DeadlineRule, start: BusinessDate): CalendarResult {
    if (rule === null || typeof rule !== 'object') throw new RangeError(`not a deadline rule: ${String(rule)}`);
    const days = assertCount(rule.days, 'deadline days');
    switch (rule.unit) {
      case 'working':
        return this.addWorkingDays(start, days);
      case 'calendar': {
        const dayNum = dayNumOf(start) + days;
        dateOfDayNum(dayNum); // range check
        // Civil Code art. 203: a period whose last day is a rest day or holiday ends on the next working day.
        return this.nextWorkingDayOnOrAfter(addCalendarDays(start, days));
      }
      default:
        throw new RangeError(`deadline unit must be "calendar" or "working": "${String((rule as { unit: unknown }).unit)}"`);
    }
  }

  #tableForDay(dayNum: number): YearTable {
    return this.#tableForYear(yearOfDayNum(dayNum));
  }

  #tableForYear(year: number): YearTable {
    const cached = this.#tables.get(year);
    if (cached) return cached;
    const first = Date.UTC(year, 0, 1) / DAY_MS;
    const last = Date.UTC(year, 11, 31) / DAY_MS;
    const working = new Uint8Array(last - first + 1);
    for (let i = 0; i < working.length; i++) {
      const weekday = (((first + i + 4) % 7) + 7) % 7; // 1970-01-01 was a Thursday; 0 = Sunday … 6 = Saturday
      working[i] = weekday >= 1 && weekday <= 5 ? 1 : 0;
    }
    for (const [date, isWorking] of this.#overrides.get(year) ?? []) {
      working[Date.parse(`${date}T00:00:00.000Z`) / DAY_MS - first] = isWorking ? 1 : 0;
    }
    const table: YearTable = { year, first, last, official: this.#officialYears.has(year), working };
    this.#tables.set(year, table);
    return table;
  }
}
