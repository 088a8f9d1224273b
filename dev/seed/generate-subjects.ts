// Deterministic synthetic subjects for a district: reproduces config.register exactly.
// A seeded RNG (seedrandom) and a fixed reference date: no Math.random, no wall clock.
// Subjects carry only what routing needs (see Subject): no name, phone, ID number or health detail.
import seedrandom from 'seedrandom';
import type { DistrictConfig } from '../../functions/domain/district-config';
import { subjectClasses, type Subject, type SubjectClass } from '../../functions/domain/people';
import { addCalendarDays, assertBusinessDate, type BusinessDate } from '../../functions/domain/time';

/** The fixed "today" of the synthetic register: registrations lie before it, implants run past it. */
export const SEED_REFERENCE_DATE: BusinessDate = '2026-01-01';

export interface GenerateOptions {
  /** Defaults to config.register.seed. */
  seed?: number;
  /** Defaults to SEED_REFERENCE_DATE. */
  referenceDate?: BusinessDate;
}

/** Share of co_managed subjects whose unit sits in the street of their residence community. */
export const SAME_STREET_UNIT_SHARE = 0.8;

/** Largest-remainder apportionment of `total` over `weights`; ties go to the earlier index. */
export function apportion(total: number, weights: readonly number[]): number[] {
  const sum = weights.reduce((a, w) => a + w, 0);
  if (total === 0 || weights.length === 0) return weights.map(() => 0);
  if (!(sum > 0)) throw new RangeError('apportion: weights must sum to a positive number');
  const quotas = weights.map((w) => (total * w) / sum);
  const counts = quotas.map(Math.floor);
  let left = total - counts.reduce((a, c) => a + c, 0);
  const order = quotas.map((q, i) => ({ i, r: q - Math.floor(q) })).sort((a, b) => b.r - a.r || a.i - b.i);
  for (const { i } of order) {
    if (left <= 0) break;
    counts[i] = (counts[i] ?? 0) + 1;
    left--;
  }
  return counts;
}

/** Weighted picker over a fixed list: cumulative weights + binary search. */
function weightedPicker<T>(items: readonly T[], weight: (t: T) => number): (r: number) => T {
  const cum: number[] = [];
  let acc = 0;
  for (const it of items) cum.push((acc += weight(it)));
  return (r: number) => {
    const x = r * acc;
    let lo = 0;
    let hi = cum.length - 1;
    while (lo < hi) {
      const mid = (lo + hi) >> 1;
      if ((cum[mid] ?? 0) > x) hi = mid;
      else lo = mid + 1;
    }
    return items[lo] as T;
  };
}

export function generateSubjects(config: DistrictConfig, opts: GenerateOptions = {}): Subject[] {
  const seed = opts.seed ?? config.register.seed;
  const reference = assertBusinessDate(opts.referenceDate ?? SEED_REFERENCE_DATE);
  // The district id is part of the seed: two districts with the same seed still differ.
  const rng = seedrandom.alea(`shudi-subjects:${config.id}:${seed}`);
  const randInt = (lo: number, hi: number) => lo + Math.floor(rng() * (hi - lo + 1)); // inclusive

  const communities = config.streets.flatMap((s) => s.communities.map((c) => ({ id: c.id, streetId: s.id, weight: c.weight })));
  const units = config.units;
  const anyUnit = weightedPicker(units, (u) => u.weight);
  const unitsByStreet = new Map<string, (r: number) => (typeof units)[number]>();
  for (const s of config.streets) {
    const here = units.filter((u) => u.streetId === s.id);
    if (here.length) unitsByStreet.set(s.id, weightedPicker(here, (u) => u.weight));
  }
  if (config.register.co_managed > 0 && units.length === 0) throw new Error(`district ${config.id}: co_managed subjects need a unit`);

  // 1. Exact counts per class and community (largest remainder by community weight).
  const weights = communities.map((c) => c.weight);
  const slots: { cls: SubjectClass; community: number }[] = [];
  for (const cls of subjectClasses) {
    apportion(config.register[cls], weights).forEach((n, community) => {
      for (let k = 0; k < n; k++) slots.push({ cls, community });
    });
  }

  // 2. Seeded shuffle, so the id order says nothing about class or community.
  for (let i = slots.length - 1; i > 0; i--) {
    const j = Math.floor(rng() * (i + 1));
    const t = slots[i] as (typeof slots)[number];
    slots[i] = slots[j] as (typeof slots)[number];
    slots[j] = t;
  }

  // 3. Exactly round(share × (primary + mobile)) implants, on a seeded choice of those subjects.
  const eligible: number[] = [];
  slots.forEach((s, i) => s.cls !== 'co_managed' && eligible.push(i));
  const implantCount = Math.round(config.register.implantShare * eligible.length);
  const implant = new Set<number>();
  for (let k = 0; k < implantCount; k++) {
    const j = k + Math.floor(rng() * (eligible.length - k));
    const chosen = eligible[j] as number;
    eligible[j] = eligible[k] as number;
    eligible[k] = chosen;
    implant.add(chosen);
  }

  // 4. Subjects, in id order.
  const width = Math.max(6, String(slots.length).length);
  const out: Subject[] = new Array(slots.length);
  for (let i = 0; i < slots.length; i++) {
    const slot = slots[i] as (typeof slots)[number];
    const community = communities[slot.community] as (typeof communities)[number];
    // Residents registered over the past ten years; the mobile (inflow) population within two.
    const back = slot.cls === 'mobile' ? randInt(1, 730) : randInt(1, 3650);
    const subject: Subject = {
      subjectId: `s-${String(i + 1).padStart(width, '0')}`,
      class: slot.cls,
      communityId: community.id,
      registeredOn: addCalendarDays(reference, -back),
    };
    if (slot.cls === 'co_managed') {
      const local = unitsByStreet.get(community.streetId);
      subject.unitId = (local && rng() < SAME_STREET_UNIT_SHARE ? local : anyUnit)(rng()).id;
    } else if (implant.has(i)) {
      subject.implantUntil = addCalendarDays(reference, randInt(365, 5 * 365));
    }
    out[i] = subject;
  }
  return out;
}
