// The district's org units (GET /org-units), indexed: names, parents, children, lineage.
import type { OrgUnit, OrgUnitKind } from '../api/types';
import { localName, type Lang } from '../i18n';

const kindOrder: Record<OrgUnitKind, number> = { district: 0, street: 1, community: 2, unit: 3 };

export class OrgIndex {
  private readonly byId = new Map<string, OrgUnit>();
  private readonly kids = new Map<string, OrgUnit[]>();

  constructor(units: OrgUnit[]) {
    for (const u of units) this.byId.set(u.id, u);
    for (const u of units) {
      if (!u.parentId) continue;
      const list = this.kids.get(u.parentId) ?? [];
      list.push(u);
      this.kids.set(u.parentId, list);
    }
  }

  get(id: string): OrgUnit | undefined {
    return this.byId.get(id);
  }

  all(): OrgUnit[] {
    return [...this.byId.values()];
  }

  name(id: string | null | undefined, lang: Lang): string {
    if (!id) return '';
    return localName(this.byId.get(id)?.name, lang, id);
  }

  children(id: string): OrgUnit[] {
    return [...(this.kids.get(id) ?? [])].sort((a, b) => kindOrder[a.kind] - kindOrder[b.kind] || a.id.localeCompare(b.id));
  }

  /** From the district down to the unit itself. */
  lineage(id: string): OrgUnit[] {
    const out: OrgUnit[] = [];
    const seen = new Set<string>();
    for (let u = this.byId.get(id); u && !seen.has(u.id); u = u.parentId ? this.byId.get(u.parentId) : undefined) {
      seen.add(u.id);
      out.unshift(u);
    }
    return out;
  }

  ofKind(kind: OrgUnitKind): OrgUnit[] {
    return this.all()
      .filter((u) => u.kind === kind)
      .sort((a, b) => a.id.localeCompare(b.id));
  }

  /** Communities grouped under their street, streets in id order: for a select with optgroups. */
  communitiesByStreet(): { street: OrgUnit; communities: OrgUnit[] }[] {
    return this.ofKind('street')
      .map((street) => ({ street, communities: this.children(street.id).filter((c) => c.kind === 'community') }))
      .filter((g) => g.communities.length > 0);
  }
}
