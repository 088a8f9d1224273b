// Fixed check days on official holidays: the config loader warns; the generator moves the day to the next working
// day and says so on the case. An ordinary weekend is not a holiday and is kept as published.
import { describe, expect, it, vi } from 'vitest';
import { WorkCalendar } from '../../functions/domain/calendar';
import { checkDayWarnings } from '../../functions/domain/check-days';
import { openCase, type MachineContext } from '../../functions/domain/case-machines';
import { districtConfig } from '../../functions/domain/district-config';
import { defaultRules } from '../../functions/domain/rules';
import { Territory } from '../../functions/domain/territory';
import { businessInstant, startOfBusinessDay } from '../../functions/domain/time';
import { loadDistrictConfig } from '../../infra/district-config-files';

const name = (en: string) => ({ zh: `${en}区`, en });
const config = districtConfig.parse({
  id: 'testd',
  name: name('T'),
  streets: [{ id: 's1', name: name('S'), character: 'urban', communities: [{ id: 'c1', name: name('C1'), checkDays: ['10-06', '03-15'] }, { id: 'c2', name: name('C2'), checkDays: ['09-13'] }] }],
  units: [],
  staff: [{ id: 'dm', name: '区', role: 'district_manager', orgUnitId: 'testd', phone: '+8613800000001', email: 'dm@example.org' }],
  register: { primary: 1, co_managed: 0, mobile: 1 },
});
const calendar = new WorkCalendar();
const ctx = (date: string): MachineContext => ({
  now: businessInstant(date, '00:30'),
  actor: { kind: 'system', process: 'generator' },
  territory: new Territory(config),
  rules: defaultRules,
  deadline: (r, s) => calendar.deadline(r, s),
  holiday: (d) => calendar.isOfficialHoliday(d),
});

describe('check days on official holidays', () => {
  it('validation warns with the JSON path, for each official year it falls in', () => {
    expect(checkDayWarnings(config)).toEqual([
      { path: 'streets[0].communities[0].checkDays[0]', message: 'check day 10-06 is an official holiday in 2025, 2026; the generator moves it (2025-10-06 → 2025-10-09, 2026-10-06 → 2026-10-08)' },
    ]);
  });

  it('the seeded districts: the loader prints each warning with file and path', () => {
    const warn = vi.spyOn(console, 'warn').mockImplementation(() => {});
    try {
      loadDistrictConfig('seeds/districts/chuanhui.json');
      const lines = warn.mock.calls.map((c) => String(c[0]));
      expect(lines).toContain('warning: seeds/districts/chuanhui.json: streets[0].communities[1].checkDays[2]: check day 10-06 is an official holiday in 2025, 2026; the generator moves it (2025-10-06 → 2025-10-09, 2026-10-06 → 2026-10-08)');
      expect(lines.every((l) => /^warning: seeds\/districts\/chuanhui\.json: streets\[\d+\]\.communities\[\d+\]\.checkDays\[\d+\]: check day \d\d-\d\d is an official holiday in /.test(l))).toBe(true);
    } finally {
      warn.mockRestore();
    }
  });

  it('the generator moves a check day on a holiday to the next working day and says so on the case', () => {
    const d = openCase({ type: 'health_check', subject: { subjectId: 'p1', class: 'mobile', communityId: 'c1' } }, ctx('2025-09-01'));
    if (!d.ok) throw new Error(d.reason);
    expect(d.case.data).toMatchObject({ checkDay: '2025-10-09', checkDayMovedFrom: '2025-10-06' });
    // The reminder goes with the moved day. The day before it, 8 October, is the last day of the National Day break,
    // so it is due at the start of the last working day before the break, in time for that day's digest.
    expect(d.effects.find((e) => e.kind === 'set_timer' && e.command.action === 'remind' && e.command.key === 'check-1')).toMatchObject({ at: startOfBusinessDay('2025-09-30') });
  });

  it('a check-day reminder is due before the digest of the last working day before the check day', () => {
    const reminderOf = (communityId: string, today: string) => {
      const d = openCase({ type: 'health_check', subject: { subjectId: `p-${communityId}`, class: 'mobile', communityId } }, ctx(today));
      if (!d.ok) throw new Error(d.reason);
      const t = d.effects.find((e) => e.kind === 'set_timer' && e.command.action === 'remind' && e.command.key === 'check-1');
      return { checkDay: d.case.data.checkDay, at: t && t.kind === 'set_timer' ? t.at : undefined };
    };
    // A Saturday check day: Friday's digest (not Monday's, which comes after it).
    expect(reminderOf('c2', '2025-09-01')).toEqual({ checkDay: '2025-09-13', at: startOfBusinessDay('2025-09-12') });
    // Opened on the check day's eve after that eve began: due at once, for the next digest.
    expect(reminderOf('c2', '2025-09-12')).toEqual({ checkDay: '2025-09-13', at: startOfBusinessDay('2025-09-12') });
    // Opened on the check day itself: no reminder (its day has passed).
    expect(reminderOf('c2', '2025-09-13').at).toBeUndefined();
  });

  it('a check day on an ordinary weekend is kept as published; a working day is not touched', () => {
    const weekend = openCase({ type: 'health_check', subject: { subjectId: 'p2', class: 'mobile', communityId: 'c2' } }, ctx('2025-09-01'));
    if (!weekend.ok) throw new Error(weekend.reason);
    expect(weekend.case.data.checkDay).toBe('2025-09-13'); // a Saturday, not a holiday
    expect(weekend.case.data.checkDayMovedFrom).toBeUndefined();
    expect(calendar.isOfficialHoliday('2025-09-13')).toBe(false);
    expect(calendar.isOfficialHoliday('2025-10-04')).toBe(true); // a Saturday inside the National Day break
  });
});
