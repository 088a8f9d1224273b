// The territory (属地): district → street office or town → community; employer units sit in a street.
import type { DeployedDistrictConfig } from './district-config';

export const orgUnitKinds = ['district', 'street', 'community', 'unit'] as const;
export type OrgUnitKind = (typeof orgUnitKinds)[number];

export interface OrgUnit {
  id: string;
  kind: OrgUnitKind;
  name: { zh: string; en: string };
  /** Absent only for the district. */
  parentId?: string;
  /** For streets: street or town (镇). */
  streetKind?: 'street' | 'town';
  /** For communities: the fixed check days (MM-DD). */
  checkDays?: string[];
}

/** The district's org-unit tree, built once from its config; lookups are O(1). */
export class Territory {
  readonly districtId: string;
  /** The codes a community may receive an application for (the district config's list). */
  readonly applicationCodes: ReadonlySet<string>;
  private readonly units = new Map<string, OrgUnit>();
  private readonly children = new Map<string, OrgUnit[]>();

  constructor(config: DeployedDistrictConfig) {
    this.districtId = config.id;
    this.applicationCodes = new Set((config.applications ?? []).map((a) => a.code));
    this.add({ id: config.id, kind: 'district', name: config.name });
    for (const s of config.streets) {
      this.add({ id: s.id, kind: 'street', name: s.name, parentId: config.id, streetKind: s.kind });
      for (const c of s.communities) this.add({ id: c.id, kind: 'community', name: c.name, parentId: s.id, checkDays: c.checkDays });
    }
    for (const u of config.units) this.add({ id: u.id, kind: 'unit', name: u.name, parentId: u.streetId });
  }

  private add(unit: OrgUnit): void {
    this.units.set(unit.id, unit);
    if (unit.parentId) {
      const list = this.children.get(unit.parentId) ?? [];
      list.push(unit);
      this.children.set(unit.parentId, list);
    }
  }

  get(id: string): OrgUnit | undefined {
    return this.units.get(id);
  }

  require(id: string): OrgUnit {
    const unit = this.units.get(id);
    if (!unit) throw new Error(`unknown org unit "${id}" in district ${this.districtId}`);
    return unit;
  }

  all(): OrgUnit[] {
    return [...this.units.values()];
  }

  ofKind(kind: OrgUnitKind): OrgUnit[] {
    return this.all().filter((u) => u.kind === kind);
  }

  childrenOf(id: string): OrgUnit[] {
    return this.children.get(id) ?? [];
  }

  /** The unit itself, then its parent, up to the district. */
  lineage(id: string): OrgUnit[] {
    const out: OrgUnit[] = [];
    for (let u = this.get(id); u; u = u.parentId ? this.get(u.parentId) : undefined) out.push(u);
    return out;
  }

  /** The street a community or unit sits in (the street itself for a street). */
  streetOf(id: string): string | undefined {
    return this.lineage(id).find((u) => u.kind === 'street')?.id;
  }

  /** True when `id` is `ancestorId` or lies beneath it. */
  isWithin(id: string, ancestorId: string): boolean {
    return this.lineage(id).some((u) => u.id === ancestorId);
  }
}
