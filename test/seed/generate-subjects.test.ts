import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import type { DistrictConfig } from '../../functions/domain/district-config';
import type { Subject } from '../../functions/domain/people';
import { addCalendarDays } from '../../functions/domain/time';
import { apportion, generateSubjects, SEED_REFERENCE_DATE } from '../../dev/seed/generate-subjects';
import { loadDistrictConfig } from '../../infra/district-config-files';

const chuanhui = loadDistrictConfig(join('seeds/districts', 'chuanhui.json'));
const yiling = loadDistrictConfig(join('seeds/districts', 'yiling.json'));

function countByClass(subjects: Subject[]) {
  const counts = { primary: 0, co_managed: 0, mobile: 0 };
  for (const s of subjects) counts[s.class]++;
  return counts;
}

describe('apportion', () => {
  it('hands out exactly the total, by largest remainder', () => {
    expect(apportion(10, [1, 1, 1])).toEqual([4, 3, 3]);
    expect(apportion(7, [2, 1, 1])).toEqual([3, 2, 2]); // 3.5, 1.75, 1.75
    expect(apportion(0, [1, 2])).toEqual([0, 0]);
    expect(apportion(15289, [1.3, 0.7, 2.2]).reduce((a, b) => a + b)).toBe(15289);
  });
});

describe.each([
  ['chuanhui', chuanhui],
  ['yiling', yiling],
] as [string, DistrictConfig][])('generateSubjects(%s)', (_name, config) => {
  const subjects = generateSubjects(config);
  const { primary, co_managed, mobile, implantShare } = config.register;

  it('reproduces the register exactly', () => {
    expect(countByClass(subjects)).toEqual({ primary, co_managed, mobile });
    expect(subjects).toHaveLength(primary + co_managed + mobile);
  });

  it('is deterministic: same seed deep-equal, another seed different', () => {
    expect(generateSubjects(config)).toEqual(subjects);
    expect(generateSubjects(config, { seed: config.register.seed })).toEqual(subjects);
    const other = generateSubjects(config, { seed: config.register.seed + 1 });
    expect(other).not.toEqual(subjects);
    expect(countByClass(other)).toEqual({ primary, co_managed, mobile });
  });

  it('ties co_managed subjects to an existing unit, and no one else', () => {
    const units = new Map(config.units.map((u) => [u.id, u]));
    for (const s of subjects) {
      if (s.class === 'co_managed') expect(units.has(s.unitId ?? '')).toBe(true);
      else expect(s.unitId).toBeUndefined();
    }
  });

  it('places every subject in an existing community, spread by weight', () => {
    const communities = config.streets.flatMap((s) => s.communities);
    const ids = new Set(communities.map((c) => c.id));
    const perCommunity = new Map<string, number>();
    for (const s of subjects) {
      expect(ids.has(s.communityId)).toBe(true);
      perCommunity.set(s.communityId, (perCommunity.get(s.communityId) ?? 0) + 1);
    }
    const total = communities.reduce((a, c) => a + c.weight, 0);
    for (const c of communities) {
      // largest remainder per class: within one subject per class of the exact quota
      expect(Math.abs((perCommunity.get(c.id) ?? 0) - (subjects.length * c.weight) / total)).toBeLessThanOrEqual(3);
    }
  });

  it('mostly picks a unit in the residence street', () => {
    const streetOfCommunity = new Map(config.streets.flatMap((s) => s.communities.map((c) => [c.id, s.id] as const)));
    const streetOfUnit = new Map(config.units.map((u) => [u.id, u.streetId]));
    const co = subjects.filter((s) => s.class === 'co_managed');
    const same = co.filter((s) => streetOfUnit.get(s.unitId ?? '') === streetOfCommunity.get(s.communityId)).length;
    expect(same / co.length).toBeGreaterThan(0.75);
    expect(same / co.length).toBeLessThan(1);
  });

  it('gives implants to the configured share of primary and mobile subjects, in the coming 1-5 years', () => {
    const eligible = subjects.filter((s) => s.class !== 'co_managed');
    const implanted = eligible.filter((s) => s.implantUntil);
    expect(Math.abs(implanted.length / eligible.length - implantShare)).toBeLessThanOrEqual(0.01);
    expect(subjects.filter((s) => s.class === 'co_managed' && s.implantUntil)).toEqual([]);
    const from = addCalendarDays(SEED_REFERENCE_DATE, 365);
    const to = addCalendarDays(SEED_REFERENCE_DATE, 5 * 365);
    for (const s of implanted) {
      expect(s.implantUntil! >= from && s.implantUntil! <= to).toBe(true);
    }
  });

  it('registers everyone on a valid date before the reference date', () => {
    for (const s of subjects) {
      expect(s.registeredOn).toMatch(/^\d{4}-\d{2}-\d{2}$/);
      expect(s.registeredOn < SEED_REFERENCE_DATE).toBe(true);
    }
  });

  it('gives unique, opaque ids', () => {
    const ids = subjects.map((s) => s.subjectId);
    expect(new Set(ids).size).toBe(ids.length);
    for (const id of ids) expect(id).toMatch(/^s-\d{6,}$/);
  });

  it('stores only routing facts: no name, phone or other field', () => {
    const allowed = new Set(['subjectId', 'class', 'communityId', 'unitId', 'implantUntil', 'registeredOn']);
    const keys = new Set(subjects.flatMap((s) => Object.keys(s)));
    expect([...keys].filter((k) => !allowed.has(k))).toEqual([]);
    const text = JSON.stringify(subjects);
    expect(text).not.toMatch(/\d{11}/); // no phone or ID number
    expect(text).not.toMatch(/[\u4e00-\u9fff]/); // no Chinese name
    expect(text).not.toMatch(/@/); // no e-mail
  });
});

describe('generateSubjects, other properties', () => {
  it('the district id is part of the seed: same register and seed, another district, other subjects', () => {
    const twin = { ...yiling, id: 'yiling-twin' };
    const a = generateSubjects(yiling).map((s) => s.communityId);
    const b = generateSubjects(twin).map((s) => s.communityId);
    expect(b).not.toEqual(a);
  });

  it('honours a reference date', () => {
    const s = generateSubjects(yiling, { referenceDate: '2030-06-01' });
    for (const x of s) expect(x.registeredOn < '2030-06-01').toBe(true);
  });

  // Its speed is measured by `npm run bench:seed`, never asserted: a shared machine makes a timed test flaky.
  it('generates the whole Chuanhui register (15,289)', () => {
    expect(generateSubjects(chuanhui, { seed: 100 })).toHaveLength(15289);
  });
});
