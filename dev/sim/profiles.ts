// Staff behaviour profiles: how quickly each community, unit and street acts (prompt, slow, late, or a
// never_shares unit or community that leaves many cases untouched). Assigned once per run, from the seed:
// the org units of each kind are shuffled by a seeded RNG and the shares of the rates file are apportioned
// over them exactly, so "8% never_shares" means 2 of Chuanhui's 24 communities, always the same two for a seed.
import type { DistrictConfig } from '../../functions/domain/district-config';
import { Territory, type OrgUnitKind } from '../../functions/domain/territory';
import { apportion } from '../seed/generate-subjects';
import { profileNames, type LagTask, type ProfileName, type Rates } from './rates';
import { rngFor, shuffle, type Rng } from './rng';

export type ProfiledKind = Extract<OrgUnitKind, 'community' | 'unit' | 'street'>;

export interface Profiles {
  /** The profile of every community, unit and street. */
  of(orgUnitId: string): ProfileName;
  /** All assignments, sorted by org unit id (for the report). */
  all(): { orgUnitId: string; kind: ProfiledKind; profile: ProfileName }[];
}

export function assignProfiles(config: DistrictConfig, rates: Rates, seed: number): Profiles {
  const territory = new Territory(config);
  const byId = new Map<string, { kind: ProfiledKind; profile: ProfileName }>();
  for (const kind of ['community', 'unit', 'street'] as const) {
    const ids = territory
      .ofKind(kind)
      .map((u) => u.id)
      .sort();
    shuffle(ids, rngFor(seed, 'profiles', kind));
    const shares = rates.profiles.shares[kind];
    const counts = apportion(
      ids.length,
      profileNames.map((p) => shares[p]),
    );
    let i = 0;
    profileNames.forEach((profile, p) => {
      for (let k = 0; k < (counts[p] ?? 0); k++) byId.set(ids[i++]!, { kind, profile });
    });
  }
  return {
    of(orgUnitId) {
      return byId.get(orgUnitId)?.profile ?? 'prompt';
    },
    all() {
      return [...byId.entries()].map(([orgUnitId, v]) => ({ orgUnitId, ...v })).sort((a, b) => a.orgUnitId.localeCompare(b.orgUnitId));
    },
  };
}

/** How an org unit of a profile behaves on one task: never, or after a log-normal delay in days. */
export function behaviourOf(rates: Rates, profile: ProfileName, task: LagTask, rng: Rng): { never: true } | { never: false; lagDays: number } {
  const b = rates.profiles.behaviour[profile];
  if (rng.chance(b.neverShare)) return { never: true };
  const [median, p90] = b.lagDays[task];
  return { never: false, lagDays: rng.logNormal(median, p90) };
}
