// Fixed check days (MM-DD, the same every year) that fall on an official public holiday in a year with an official
// schedule. Not an error: the source has communities publish fixed days, and the generator moves such a day
// to the next working day (saying so on the case). The config loader warns so the district can publish another day.
import { WorkCalendar } from './calendar';
import type { DistrictConfig } from './district-config';

export interface CheckDayWarning {
  /** JSON path of the check day, e.g. streets[0].communities[2].checkDays[1]. */
  path: string;
  message: string;
}

export function checkDayWarnings(config: Pick<DistrictConfig, 'streets' | 'calendar'>, calendar = new WorkCalendar({ officialYears: config.calendar.officialYears })): CheckDayWarning[] {
  const out: CheckDayWarning[] = [];
  const years = calendar.officialYears().filter((y) => y >= 2025);
  config.streets.forEach((s, i) =>
    s.communities.forEach((c, j) =>
      c.checkDays.forEach((mmdd, k) => {
        const off = years.map((y) => `${y}-${mmdd}`).filter((d) => calendar.isOfficialHoliday(d));
        if (off.length === 0) return;
        const moved = off.map((d) => `${d} → ${calendar.nextWorkingDayOnOrAfter(d).date}`).join(', ');
        out.push({ path: `streets[${i}].communities[${j}].checkDays[${k}]`, message: `check day ${mmdd} is an official holiday in ${off.map((d) => d.slice(0, 4)).join(', ')}; the generator moves it (${moved})` });
      }),
    ),
  );
  return out;
}
