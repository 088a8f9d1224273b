import { describe, expect, it } from 'vitest';
import { districtConfig } from '../../functions/domain/district-config';
import { defaultRules, resolveRules, routingRules, RulesError } from '../../functions/domain/rules';

function thrown(fn: () => unknown): RulesError {
  try {
    fn();
  } catch (e) {
    expect(e).toBeInstanceOf(RulesError);
    return e as RulesError;
  }
  throw new Error('expected a RulesError');
}

describe('default routing rules (the product spec)', () => {
  const r = resolveRules(undefined);

  it('handover: 30 calendar days, reminders 7 days before and on the due day, 5 working days when reported late, reroute in 3 working days, district after 7 days', () => {
    expect(r.handover).toEqual({
      due: { days: 30, unit: 'calendar' },
      remindDaysBefore: [7, 0],
      lateReportWindow: { days: 5, unit: 'working' },
      reroute: { days: 3, unit: 'working' },
      escalateToDistrictAfterDays: 7,
    });
  });

  it('follow_up: a 14-day window from the event date, a retry 7 days later', () => {
    expect(r.follow_up.window).toEqual({ days: 14, unit: 'calendar' });
    expect(r.follow_up.retryAfterDays).toBe(7);
    expect(r.follow_up.maxRetries).toBe(1);
  });

  it('health_check: mobile 3 a year, primary 2, implant 1', () => {
    expect(r.health_check.perYear).toEqual({ mobile: 3, primary: 2, co_managed: 2, implant: 1 });
    expect(r.health_check.remindBeforeCheckDayDays).toEqual([1]);
  });

  it('certificate_check: verify in 15 days, apply or renew in 30', () => {
    expect(r.certificate_check.verify).toEqual({ days: 15, unit: 'calendar' });
    expect(r.certificate_check.apply).toEqual({ days: 30, unit: 'calendar' });
    expect(r.certificate_check.renew).toEqual({ days: 30, unit: 'calendar' });
  });

  it('unit_notice 15 days after the half-year; change_report on the 2nd of the next month', () => {
    expect(r.unit_notice.due).toEqual({ days: 15, unit: 'calendar' });
    expect(r.change_report.dueDayOfNextMonth).toBe(2);
  });

  it('application: community opinion in 3 working days, the street decides in 5', () => {
    expect(r.application).toEqual({ opinion: { days: 3, unit: 'working' }, decision: { days: 5, unit: 'working' }, remindDaysBefore: [0], escalateToDistrictAfterDays: null });
  });

  it('only the handover escalates to the district by itself', () => {
    expect(r.follow_up.escalateToDistrictAfterDays).toBeNull();
    expect(r.health_check.escalateToDistrictAfterDays).toBeNull();
    expect(r.certificate_check.escalateToDistrictAfterDays).toBeNull();
    expect(r.unit_notice.escalateToDistrictAfterDays).toBeNull();
    expect(r.change_report.escalateToDistrictAfterDays).toBeNull();
  });

  it('defaultRules, {} and undefined are the same rules', () => {
    expect(resolveRules({})).toEqual(defaultRules);
    expect(r).toEqual(defaultRules);
    expect(routingRules.parse(undefined)).toEqual(defaultRules);
  });
});

describe('resolveRules: partial, deep overrides', () => {
  it('changes one nested number and keeps every other default', () => {
    const r = resolveRules({ handover: { due: { days: 20 } } });
    expect(r.handover.due).toEqual({ days: 20, unit: 'calendar' });
    expect(r.handover.reroute).toEqual(defaultRules.handover.reroute);
    expect(r.handover.remindDaysBefore).toEqual([7, 0]);
    expect({ ...r, handover: defaultRules.handover }).toEqual(defaultRules);
  });

  it('changes a unit without the days', () => {
    expect(resolveRules({ certificate_check: { verify: { unit: 'working' } } }).certificate_check.verify).toEqual({ days: 15, unit: 'working' });
  });

  it('replaces an array as a whole', () => {
    expect(resolveRules({ handover: { remindDaysBefore: [10, 3, 0] } }).handover.remindDaysBefore).toEqual([10, 3, 0]);
  });

  it('can turn district escalation on for another type, or off for the handover', () => {
    expect(resolveRules({ follow_up: { escalateToDistrictAfterDays: 14 } }).follow_up.escalateToDistrictAfterDays).toBe(14);
    expect(resolveRules({ handover: { escalateToDistrictAfterDays: null } }).handover.escalateToDistrictAfterDays).toBeNull();
  });

  it('takes the rules of a district config', () => {
    const cfg = districtConfig.parse({
      id: 'testd',
      name: { zh: '测试区', en: 'Test District' },
      streets: [{ id: 's1', name: { zh: '一街道', en: 'S1' }, character: 'urban', communities: [{ id: 'c1', name: { zh: '一社区', en: 'C1' }, checkDays: ['03-15'] }] }],
      units: [],
      staff: [{ id: 'm1', name: '甲', role: 'district_manager', orgUnitId: 'testd', phone: '+8613800000000', email: 'm1@example.org' }],
      register: { primary: 1, co_managed: 0, mobile: 0 },
      rules: { change_report: { dueDayOfNextMonth: 5 } },
    });
    expect(resolveRules(cfg.rules).change_report.dueDayOfNextMonth).toBe(5);
  });
});

describe('resolveRules: a bad override throws with its path', () => {
  it('a negative day count', () => {
    const e = thrown(() => resolveRules({ handover: { due: { days: -1 } } }));
    expect(e.issues.map((i) => i.path)).toEqual(['rules.handover.due.days']);
    expect(e.message).toContain('rules.handover.due.days');
  });

  it('a fractional day count and a wrong type', () => {
    const e = thrown(() => resolveRules({ follow_up: { retryAfterDays: 2.5, window: { days: '14' } } }));
    expect(e.issues.map((i) => i.path).sort()).toEqual(['rules.follow_up.retryAfterDays', 'rules.follow_up.window.days']);
  });

  it('an unknown unit', () => {
    expect(thrown(() => resolveRules({ handover: { reroute: { unit: 'business' } } })).message).toContain('rules.handover.reroute.unit');
  });

  it('an unknown key, named with its full path', () => {
    expect(thrown(() => resolveRules({ handover: { dueDays: 20 } })).issues).toEqual([{ path: 'rules.handover.dueDays', message: 'unknown rule' }]);
    expect(thrown(() => resolveRules({ handovers: {} })).issues[0]?.path).toBe('rules.handovers');
  });

  it('a check cadence that does not divide the year', () => {
    expect(thrown(() => resolveRules({ health_check: { perYear: { mobile: 5 } } })).message).toContain('rules.health_check.perYear.mobile');
  });

  it('a change-report day past the 28th, a reminder list with duplicates, a bad reminder time', () => {
    expect(thrown(() => resolveRules({ change_report: { dueDayOfNextMonth: 31 } })).message).toContain('rules.change_report.dueDayOfNextMonth');
    expect(thrown(() => resolveRules({ handover: { remindDaysBefore: [7, 7] } })).message).toContain('rules.handover.remindDaysBefore');
    expect(thrown(() => resolveRules({ reminderTime: '9am' })).message).toContain('rules.reminderTime');
  });

  it('not an object at all', () => {
    expect(thrown(() => resolveRules(null)).message).toContain('rules');
    expect(thrown(() => resolveRules([1])).message).toContain('rules');
  });
});

describe('retention', () => {
  it('defaults to 2 years, accepts a longer period, refuses a shorter one', () => {
    expect(resolveRules({}).retention.years).toBe(2);
    expect(resolveRules({ retention: { years: 5 } }).retention.years).toBe(5);
    expect(() => resolveRules({ retention: { years: 1 } })).toThrow(/retention\.years/);
  });
});

describe('source rules apart from product defaults', () => {
  const leaves = (o: unknown, prefix = ''): string[] =>
    Object.entries(o as Record<string, unknown>).flatMap(([k, v]) => {
      const path = prefix ? `${prefix}.${k}` : k;
      // A deadline ({days, unit}) and a reminder list are one rule each.
      if (v && typeof v === 'object' && !Array.isArray(v) && !('days' in v)) return leaves(v, path);
      return [path];
    });

  it('every rule says whether the source sets it (with its line and words) or the product chose it', async () => {
    const { ruleProvenance } = await import('../../functions/domain/rules');
    expect(Object.keys(ruleProvenance).sort()).toEqual(leaves(defaultRules).sort());
    const { readFileSync } = await import('node:fs');
    const copy = readFileSync('docs/source-document.zh.txt', 'utf8');
    // The copy in docs/ is the brief's source document, word for word (checked where the brief is beside the clone).
    const { existsSync } = await import('node:fs');
    if (existsSync('../shared/product/source-document.zh.txt')) expect(copy).toBe(readFileSync('../shared/product/source-document.zh.txt', 'utf8'));
    const source = copy.split('\n');
    const doc = readFileSync('docs/district-config.md', 'utf8');
    for (const [path, p] of Object.entries(ruleProvenance)) {
      if (p.by === 'source') expect(source[p.line - 1], path).toContain(p.quote);
      expect(doc, `docs/district-config.md lists ${path}`).toContain(`\`${path}\``);
    }
  });
});
