// Seeds a district's register (org units, staff, synthetic subjects) into its table, once.
import { createHash } from 'node:crypto';
import { systemClock, type Clock } from '../../functions/domain/clock';
import type { DistrictConfig } from '../../functions/domain/district-config';
import type { Staff } from '../../functions/domain/people';
import { Territory } from '../../functions/domain/territory';
import { orgUnitItem, staffItem, subjectItem } from '../../functions/store/keys';
import type { RegisterStore } from '../../functions/store/register-store';
import { generateSubjects } from './generate-subjects';

/** Bump when the generator's output changes, so a seeded table is recognised as out of date. */
export const GENERATOR_VERSION = 2; // 2: staff items listed district-wide (GSI4 STAFF#ALL)

export interface SeedResult {
  status: 'seeded' | 'already-seeded';
  configHash: string;
  counts: Record<'orgUnits' | 'streets' | 'communities' | 'units' | 'staff' | 'subjects' | 'primary' | 'co_managed' | 'mobile', number>;
  itemsWritten: number;
}

export function configHash(config: DistrictConfig): string {
  return createHash('sha256').update(JSON.stringify({ config, generator: GENERATOR_VERSION })).digest('hex').slice(0, 16);
}

export async function seedDistrict(
  config: DistrictConfig,
  store: RegisterStore,
  opts: { onProgress?: (written: number, total: number) => void; concurrency?: number; clock?: Clock } = {},
): Promise<SeedResult> {
  if (store.districtId !== config.id) throw new Error(`store is for district ${store.districtId}, config is ${config.id}`);
  const territory = new Territory(config);
  const counts = {
    orgUnits: territory.all().length,
    streets: territory.ofKind('street').length,
    communities: territory.ofKind('community').length,
    units: territory.ofKind('unit').length,
    staff: config.staff.length,
    subjects: config.register.primary + config.register.co_managed + config.register.mobile,
    primary: config.register.primary,
    co_managed: config.register.co_managed,
    mobile: config.register.mobile,
  };
  const hash = configHash(config);
  const marker = await store.getSeedMarker();
  if (marker?.configHash === hash) return { status: 'already-seeded', configHash: hash, counts, itemsWritten: 0 };

  const subjects = generateSubjects(config, { seed: config.register.seed });
  const staff: Staff[] = config.staff.map(({ id, ...rest }) => ({ staffId: id, ...rest }));
  const items = [
    ...territory.all().map((u) => orgUnitItem(config.id, u)),
    ...staff.map((s) => staffItem(s)),
    ...subjects.map((s) => subjectItem(s, territory)),
  ];
  await store.putMany(items, {
    concurrency: opts.concurrency,
    onProgress: opts.onProgress ? (n) => opts.onProgress!(n, items.length) : undefined,
  });
  // The marker goes last: a seed interrupted half-way is redone (same keys, same values) next time.
  await store.putSeedMarker({ districtId: config.id, configHash: hash, counts, seededAt: (opts.clock ?? systemClock).now().toISOString() }, marker?.configHash);
  return { status: 'seeded', configHash: hash, counts, itemsWritten: items.length };
}
