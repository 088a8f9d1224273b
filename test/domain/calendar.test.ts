import { describe, it, expect } from 'vitest';
import { isWorkday as packageIsWorkday } from 'chinese-days';
import { WorkCalendar, type OfficialYear } from '../../functions/domain/calendar';
import { addCalendarDays, weekdayOf } from '../../functions/domain/time';

// Official schedules used below (State Council notices, as carried by chinese-days 1.5.x):
//   2025 National Day + Mid-autumn: 1–8 Oct off (Wed–Wed); Sun 28 Sep and Sat 11 Oct are working days.
//   2026 New Year: 1–3 Jan off; Sun 4 Jan working.
//   2026 Spring Festival: Sun 15 – Mon 23 Feb off; Sat 14 Feb and Sat 28 Feb are working days.
//   2026 Qingming: Sat 4 – Mon 6 Apr off.  2026 Labour Day: Fri 1 – Tue 5 May off; Sat 9 May working.
//   2026 National Day: 1–7 Oct off; Sun 20 Sep and Sat 10 Oct working.
// 2027 has no notice in the package: counted on weekends alone and flagged provisional.

const cal = new WorkCalendar();

const SAT = 6;
const SUN = 0;

describe('official years', () => {
  it('knows the years chinese-days covers, derived from its data (2004–2026), and not 2027', () => {
    const years = cal.officialYears();
    expect(years[0]).toBe(2004);
    expect(cal.latestOfficialYear()).toBe(2026);
    expect(years).toEqual(Array.from({ length: 2026 - 2004 + 1 }, (_, i) => 2004 + i));
    expect(cal.hasOfficialSchedule(2025)).toBe(true);
    expect(cal.hasOfficialSchedule(2026)).toBe(true);
    expect(cal.hasOfficialSchedule(2027)).toBe(false);
    expect(cal.hasOfficialSchedule(2003)).toBe(false);
  });

  it("agrees with the package's own isWorkday on every day of every official year", () => {
    const mismatches: string[] = [];
    for (const year of cal.officialYears()) {
      for (let d = `${year}-01-01`; d <= `${year}-12-31`; d = addCalendarDays(d, 1)) {
        if (cal.isWorkingDay(d) !== packageIsWorkday(d)) mismatches.push(d);
      }
    }
    expect(mismatches).toEqual([]);
  });
});

describe('isWorkingDay', () => {
  it('a plain weekend is off, a plain weekday is on', () => {
    expect(weekdayOf('2025-11-15')).toBe(SAT);
    expect(cal.isWorkingDay('2025-11-15')).toBe(false);
    expect(cal.isWorkingDay('2025-11-16')).toBe(false);
    expect(cal.isWorkingDay('2025-11-17')).toBe(true);
  });

  it('a holiday on a weekday is off', () => {
    expect(weekdayOf('2025-10-08')).toBe(3); // Wednesday
    expect(cal.isWorkingDay('2025-10-08')).toBe(false);
    expect(cal.isWorkingDay('2026-02-23')).toBe(false); // Monday, last day of the Spring Festival break
    expect(cal.isWorkingDay('2026-01-01')).toBe(false);
  });

  it('an adjusted working weekend day (调休上班) is on', () => {
    expect(weekdayOf('2025-10-11')).toBe(SAT);
    expect(cal.isWorkingDay('2025-10-11')).toBe(true);
    expect(weekdayOf('2025-09-28')).toBe(SUN);
    expect(cal.isWorkingDay('2025-09-28')).toBe(true);
    expect(cal.isWorkingDay('2026-02-14')).toBe(true);
    expect(cal.isWorkingDay('2026-02-28')).toBe(true);
  });

  it('a year without a schedule follows weekends alone', () => {
    expect(cal.isWorkingDay('2027-01-01')).toBe(true); // Friday; no notice yet, so not a holiday here
    expect(cal.isWorkingDay('2027-01-02')).toBe(false);
  });
});

describe('addWorkingDays across the 2025 National Day break', () => {
  it('counts over 1–8 Oct off and the Saturday 11 Oct working day', () => {
    const from = '2025-09-30'; // Tuesday
    expect(cal.addWorkingDays(from, 1)).toEqual({ date: '2025-10-09', provisional: false });
    expect(cal.addWorkingDays(from, 2)).toEqual({ date: '2025-10-10', provisional: false });
    expect(cal.addWorkingDays(from, 3)).toEqual({ date: '2025-10-11', provisional: false }); // adjusted Saturday
    expect(cal.addWorkingDays(from, 4)).toEqual({ date: '2025-10-13', provisional: false }); // Sunday 12 Oct off
    expect(cal.addWorkingDays(from, 5)).toEqual({ date: '2025-10-14', provisional: false });
  });

  it('counts the Sunday 28 Sep working day before the break', () => {
    const from = '2025-09-26'; // Friday
    expect(cal.addWorkingDays(from, 1)).toEqual({ date: '2025-09-28', provisional: false });
    expect(cal.addWorkingDays(from, 3)).toEqual({ date: '2025-09-30', provisional: false });
    expect(cal.addWorkingDays(from, 5)).toEqual({ date: '2025-10-10', provisional: false });
  });
});

describe('addWorkingDays across the 2026 Spring Festival break', () => {
  it('counts over 15–23 Feb off, with Saturday 14 Feb working', () => {
    const from = '2026-02-12'; // Thursday
    expect(cal.addWorkingDays(from, 1)).toEqual({ date: '2026-02-13', provisional: false });
    expect(cal.addWorkingDays(from, 2)).toEqual({ date: '2026-02-14', provisional: false });
    expect(cal.addWorkingDays(from, 3)).toEqual({ date: '2026-02-24', provisional: false });
    expect(cal.addWorkingDays(from, 5)).toEqual({ date: '2026-02-26', provisional: false });
  });

  it('a start on the adjusted working Saturday is not itself counted', () => {
    expect(cal.addWorkingDays('2026-02-14', 1)).toEqual({ date: '2026-02-24', provisional: false });
    expect(cal.addWorkingDays('2025-10-11', 1)).toEqual({ date: '2025-10-13', provisional: false });
  });

  it('a count passing over an adjusted working Saturday counts it', () => {
    // Fri 27 Feb → Sat 28 Feb (working) is day 1, Sun 1 Mar off, Mon 2 Mar is day 2 (Tue 3 Mar without the Saturday).
    expect(cal.addWorkingDays('2026-02-27', 1)).toEqual({ date: '2026-02-28', provisional: false });
    expect(cal.addWorkingDays('2026-02-27', 2)).toEqual({ date: '2026-03-02', provisional: false });
    // Sun 20 Sep 2026 is a working day before National Day.
    expect(cal.addWorkingDays('2026-09-18', 1)).toEqual({ date: '2026-09-20', provisional: false });
  });
});

describe('the application rule: 3 working days (community), 5 (street)', () => {
  const community = { days: 3, unit: 'working' } as const;
  const street = { days: 5, unit: 'working' } as const;

  it('in a plain week', () => {
    expect(cal.deadline(community, '2026-03-09')).toEqual({ date: '2026-03-12', provisional: false }); // Mon → Thu
    expect(cal.deadline(street, '2026-03-09')).toEqual({ date: '2026-03-16', provisional: false }); // Mon → Mon
    expect(cal.deadline(community, '2026-03-13')).toEqual({ date: '2026-03-18', provisional: false }); // Fri → Wed
    expect(cal.deadline(street, '2026-03-13')).toEqual({ date: '2026-03-20', provisional: false }); // Fri → Fri
  });

  it('over Qingming 2026 (Sat 4 – Mon 6 Apr off)', () => {
    expect(cal.deadline(community, '2026-04-02')).toEqual({ date: '2026-04-08', provisional: false });
    expect(cal.deadline(street, '2026-04-02')).toEqual({ date: '2026-04-10', provisional: false });
  });

  it('over Labour Day 2026 (1–5 May off, Sat 9 May working)', () => {
    expect(cal.deadline(community, '2026-04-30')).toEqual({ date: '2026-05-08', provisional: false });
    expect(cal.deadline(street, '2026-04-30')).toEqual({ date: '2026-05-11', provisional: false });
  });
});

describe('years without an official schedule', () => {
  it('a deadline in 2027 is counted on weekends alone and flagged provisional', () => {
    expect(cal.hasOfficialSchedule(2027)).toBe(false); // if chinese-days gains 2027, these dates must be revisited
    expect(cal.addWorkingDays('2027-03-01', 5)).toEqual({ date: '2027-03-08', provisional: true }); // Mon → Mon
    expect(cal.addWorkingDays('2027-02-05', 3)).toEqual({ date: '2027-02-10', provisional: true }); // Fri → Wed
  });

  it('a deadline entirely inside 2026 is not provisional', () => {
    expect(cal.addWorkingDays('2026-12-28', 3)).toEqual({ date: '2026-12-31', provisional: false });
    expect(cal.addWorkingDays('2026-06-01', 5).provisional).toBe(false);
  });

  it('a count from late December 2026 into January 2027 is provisional', () => {
    // Mon 28 Dec: 29, 30, 31 Dec, Fri 1 Jan 2027 (no notice: a working day here), Mon 4 Jan.
    expect(cal.addWorkingDays('2026-12-28', 5)).toEqual({ date: '2027-01-04', provisional: true });
    expect(cal.addWorkingDays('2026-12-30', 3)).toEqual({ date: '2027-01-04', provisional: true });
  });

  it('a weekend-only day in 2027 skipped over still makes the result provisional', () => {
    // Thu 31 Dec 2026 → Fri 1 Jan 2027 is the first working day: the day examined lies in 2027.
    expect(cal.addWorkingDays('2026-12-31', 1)).toEqual({ date: '2027-01-01', provisional: true });
  });
});

describe('a district config supplying official years', () => {
  const fake2027: OfficialYear = {
    holidays: ['2027-01-01'],
    workdays: ['2027-01-09'], // a Saturday
    source: 'test fixture, not a real notice',
  };
  const withConfig = new WorkCalendar({ officialYears: { '2027': fake2027 } });

  it('makes 2027 official', () => {
    expect(weekdayOf('2027-01-09')).toBe(SAT);
    expect(withConfig.hasOfficialSchedule(2027)).toBe(true);
    expect(withConfig.latestOfficialYear()).toBe(2027);
    expect(withConfig.hasOfficialSchedule(2026)).toBe(true); // the package years stay
    expect(withConfig.isWorkingDay('2027-01-01')).toBe(false);
    expect(withConfig.isWorkingDay('2027-01-09')).toBe(true);
    expect(withConfig.isWorkingDay('2027-01-10')).toBe(false);
  });

  it('results follow it and are not provisional', () => {
    // Mon 28 Dec 2026: 29, 30, 31 Dec, (1 Jan off), Mon 4, Tue 5 Jan.
    expect(withConfig.addWorkingDays('2026-12-28', 5)).toEqual({ date: '2027-01-05', provisional: false });
    expect(withConfig.addWorkingDays('2027-01-08', 1)).toEqual({ date: '2027-01-09', provisional: false });
    expect(withConfig.addWorkingDays('2027-03-01', 5)).toEqual({ date: '2027-03-08', provisional: false });
    expect(withConfig.nextWorkingDayOnOrAfter('2027-01-01')).toEqual({ date: '2027-01-04', provisional: false });
  });

  it('does not leak into a calendar built without it', () => {
    expect(cal.isWorkingDay('2027-01-01')).toBe(true);
    expect(cal.hasOfficialSchedule(2027)).toBe(false);
  });

  it("a config year replaces the package's schedule for that year", () => {
    const replaced = new WorkCalendar({
      officialYears: { '2026': { holidays: ['2026-03-02'], workdays: [], source: 'test fixture' } },
    });
    expect(replaced.isWorkingDay('2026-03-02')).toBe(false);
    expect(replaced.isWorkingDay('2026-10-01')).toBe(true); // package holiday dropped
    expect(replaced.isWorkingDay('2026-02-14')).toBe(false); // package adjusted Saturday dropped
    expect(replaced.isWorkingDay('2025-10-01')).toBe(false); // other package years untouched
    expect(replaced.hasOfficialSchedule(2026)).toBe(true);
  });

  it('rejects a malformed config', () => {
    const mk = (officialYears: Record<string, OfficialYear>) => () => new WorkCalendar({ officialYears });
    expect(mk({ '27': fake2027 })).toThrow(RangeError);
    expect(mk({ '2027': { ...fake2027, holidays: ['2027-02-30'] } })).toThrow(/2027-02-30/);
    expect(mk({ '2027': { ...fake2027, holidays: ['2031-01-01'] } })).toThrow(/2031-01-01/);
    expect(mk({ '2027': { ...fake2027, workdays: ['2027-01-01'] } })).toThrow(/2027-01-01/);
  });
});

describe('nextWorkingDayOnOrAfter', () => {
  it('returns a working day itself, else the next one', () => {
    expect(cal.nextWorkingDayOnOrAfter('2025-10-01')).toEqual({ date: '2025-10-09', provisional: false });
    expect(cal.nextWorkingDayOnOrAfter('2025-10-11')).toEqual({ date: '2025-10-11', provisional: false });
    expect(cal.nextWorkingDayOnOrAfter('2026-01-03')).toEqual({ date: '2026-01-04', provisional: false }); // Sunday worked
    expect(cal.nextWorkingDayOnOrAfter('2026-12-31')).toEqual({ date: '2026-12-31', provisional: false });
    expect(cal.nextWorkingDayOnOrAfter('2027-01-02')).toEqual({ date: '2027-01-04', provisional: true });
  });
});

describe('deadline', () => {
  it('calendar days count every day; a last day that is a rest day or holiday moves to the next working day', () => {
    expect(cal.deadline({ days: 15, unit: 'calendar' }, '2025-09-30')).toEqual({ date: '2025-10-15', provisional: false });
    // 30 days from 2026-09-05 is 2026-10-05, inside the National Day break (Oct 1–7): the period ends on Oct 8.
    expect(cal.deadline({ days: 30, unit: 'calendar' }, '2026-09-05')).toEqual({ date: '2026-10-08', provisional: false });
    // A last day on an ordinary Saturday moves to Monday.
    expect(cal.deadline({ days: 30, unit: 'calendar' }, '2026-04-24')).toEqual({ date: '2026-05-25', provisional: false }); // May 24 is a Sunday
    expect(cal.deadline({ days: 2, unit: 'calendar' }, '2026-04-23')).toEqual({ date: '2026-04-27', provisional: false });
    // An adjusted working Saturday is a working day: the period ends on it.
    expect(cal.deadline({ days: 30, unit: 'calendar' }, '2026-01-15')).toEqual({ date: '2026-02-14', provisional: false });
  });

  it('a calendar-day deadline in a year with no official schedule is provisional', () => {
    expect(cal.deadline({ days: 10, unit: 'calendar' }, '2027-03-01')).toEqual({ date: '2027-03-11', provisional: true });
    expect(cal.deadline({ days: 3, unit: 'calendar' }, '2026-12-30')).toEqual({ date: '2027-01-04', provisional: true });
  });

  it('working days are counted like addWorkingDays', () => {
    expect(cal.deadline({ days: 5, unit: 'working' }, '2025-09-30')).toEqual(cal.addWorkingDays('2025-09-30', 5));
    expect(cal.deadline({ days: 5, unit: 'working' }, '2026-12-28')).toEqual({ date: '2027-01-04', provisional: true });
  });
});

describe('n = 0', () => {
  it('returns start unchanged and not provisional, even on a day off', () => {
    expect(cal.addWorkingDays('2025-10-01', 0)).toEqual({ date: '2025-10-01', provisional: false });
    expect(cal.addWorkingDays('2027-01-02', 0)).toEqual({ date: '2027-01-02', provisional: false });
  });
});

describe('consistency over many starts', () => {
  it('the result is a working day with exactly n working days in (start, result]', () => {
    for (let start = '2025-09-01'; start <= '2027-01-31'; start = addCalendarDays(start, 3)) {
      for (const n of [1, 3, 5, 10]) {
        const { date, provisional } = cal.addWorkingDays(start, n);
        let count = 0;
        let sawUnofficial = false;
        for (let d = addCalendarDays(start, 1); d <= date; d = addCalendarDays(d, 1)) {
          if (cal.isWorkingDay(d)) count++;
          if (!cal.hasOfficialSchedule(Number(d.slice(0, 4)))) sawUnofficial = true;
        }
        expect({ start, n, count, working: cal.isWorkingDay(date), provisional }).toEqual({
          start,
          n,
          count: n,
          working: true,
          provisional: sawUnofficial,
        });
      }
    }
  });
});

describe('bad input', () => {
  it('rejects a bad date string with a RangeError naming the value', () => {
    expect(() => cal.isWorkingDay('2025-13-01')).toThrow(RangeError);
    expect(() => cal.isWorkingDay('2025-13-01')).toThrow(/2025-13-01/);
    expect(() => cal.isWorkingDay('2025-02-29')).toThrow(/2025-02-29/); // not a leap year
    expect(() => cal.addWorkingDays('20251001', 1)).toThrow(/20251001/);
    expect(() => cal.nextWorkingDayOnOrAfter('2025-9-1')).toThrow(RangeError);
    expect(() => cal.deadline({ days: 3, unit: 'calendar' }, 'tomorrow')).toThrow(/tomorrow/);
  });

  it('rejects a negative or fractional count', () => {
    expect(() => cal.addWorkingDays('2025-10-01', -1)).toThrow(RangeError);
    expect(() => cal.addWorkingDays('2025-10-01', -1)).toThrow(/-1/);
    expect(() => cal.addWorkingDays('2025-10-01', 1.5)).toThrow(RangeError);
    expect(() => cal.addWorkingDays('2025-10-01', Number.NaN)).toThrow(RangeError);
    expect(() => cal.deadline({ days: -3, unit: 'working' }, '2025-10-01')).toThrow(RangeError);
  });

  it('rejects an unknown deadline unit and a non-integer year', () => {
    expect(() => cal.deadline({ days: 3, unit: 'weeks' as 'working' }, '2025-10-01')).toThrow(/weeks/);
    expect(() => cal.hasOfficialSchedule(2026.5)).toThrow(RangeError);
  });
});
