// Who the caller is (from the verified token's claims) and what she may see: deny by default.
// docs/api.md "Who sees what" is this file in words.
import type { Case } from '../domain/case';
import type { StaffRole } from '../domain/district-config';
import type { OrgUnit, OrgUnitKind, Territory } from '../domain/territory';
import { claimKeys, defaultClaimNames, readStaffClaims, type ClaimNames } from './claims';
import { HttpProblem } from './problem';
import { claims as claimsSchema } from './schemas';

export interface Caller {
  staffId: string;
  role: StaffRole;
  orgUnitId: string;
  district: string;
  orgUnit: OrgUnit;
}

/** The org-unit kind each role works for. */
export const roleOrgKind: Record<StaffRole, OrgUnitKind> = {
  district_manager: 'district',
  street_manager: 'street',
  street_officer: 'street',
  community_officer: 'community',
  unit_liaison: 'unit',
};

/**
 * The caller from the claims API Gateway's JWT authorizer (or the local server) verified, read under
 * the district's claim names (./claims.ts). A
 * missing or malformed claim, a token for another district, or an org unit this district does not
 * have is 401: the token is not one this API can act on.
 */
export function callerFromClaims(raw: unknown, territory: Territory, names: ClaimNames = defaultClaimNames): Caller {
  if (!raw || typeof raw !== 'object') throw new HttpProblem('unauthenticated', 'a bearer token is required');
  const parsed = claimsSchema.safeParse(readStaffClaims(raw as Record<string, unknown>, names));
  if (!parsed.success) throw new HttpProblem('unauthenticated', `the token lacks the staff claims (${claimKeys.map((k) => names[k]).join(', ')})`);
  const c = parsed.data;
  if (c.district !== territory.districtId) throw new HttpProblem('unauthenticated', 'the token is for another district');
  const orgUnit = territory.get(c.orgUnitId);
  if (!orgUnit) throw new HttpProblem('unauthenticated', "the token's org unit is not in this district");
  const role = c.role;
  if (roleOrgKind[role] !== orgUnit.kind) throw new HttpProblem('unauthenticated', `the token's role (${role}) does not fit its org unit (a ${orgUnit.kind})`);
  return { staffId: c.staffId, role, orgUnitId: orgUnit.id, district: territory.districtId, orgUnit };
}

export const isDistrictManager = (caller: Caller) => caller.role === 'district_manager';

/** The caller's org unit or one beneath it. */
export function canViewOrg(caller: Caller, orgUnitId: string, territory: Territory): boolean {
  return territory.isWithin(orgUnitId, caller.orgUnitId);
}

/**
 * An org unit the caller may look into. One that the district does not have and one outside her
 * scope get the same 404 with the same body: an answer never depends on what exists beyond her scope.
 */
export function orgInScope(caller: Caller, orgUnitId: string, territory: Territory): OrgUnit {
  const unit = territory.get(orgUnitId);
  if (!unit || !canViewOrg(caller, unit.id, territory)) throw notFound('org unit', orgUnitId);
  return unit;
}

/**
 * The one answer for "no such thing" and "not yours": 404, a body naming only what the caller sent.
 * Every route that looks something up by id throws this for both (docs/security.md, "Existence").
 */
export function notFound(what: 'org unit' | 'case' | 'subject' | 'staff member', id: string): HttpProblem {
  return new HttpProblem('not-found', `no ${what} "${id}" within your scope`);
}

/**
 * Whether a subject is the caller's to see: her community or her employer unit (co_managed) is the
 * caller's org unit or beneath it. Health checks of co_managed residents are at the community, so a
 * community officer sees them as well as the unit's liaison.
 */
export function canSeeSubject(caller: Caller, s: { communityId: string; unitId?: string }, territory: Territory): boolean {
  return territory.isWithin(s.communityId, caller.orgUnitId) || (!!s.unitId && territory.isWithin(s.unitId, caller.orgUnitId));
}

const str = (v: unknown) => (typeof v === 'string' ? v : undefined);

/**
 * Whether the caller may see a case:
 * - district manager: every case of the district;
 * - street manager and officer: cases owned under the street, queued at it, or handovers sent from
 *   it to another street;
 * - community officer: cases owned by or queued at the community, unit notices addressed to it,
 *   health checks of co_managed residents (the check day is at her community), and handovers it
 *   sent (a move);
 * - unit liaison: cases owned by the unit, and handovers it sent.
 */
export function canSeeCase(caller: Caller, c: Case, territory: Territory): boolean {
  const org = caller.orgUnitId;
  const from = c.type === 'handover' ? str(c.data.fromOrgUnitId) : undefined;
  switch (caller.orgUnit.kind) {
    case 'district':
      return true;
    case 'street':
      return c.ownerStreetId === org || c.queueOrgUnitId === org || territory.isWithin(c.ownerOrgUnitId, org) || (!!from && territory.isWithin(from, org));
    case 'community':
      return (
        c.ownerOrgUnitId === org ||
        c.queueOrgUnitId === org ||
        from === org ||
        (c.type === 'unit_notice' && str(c.data.toCommunityId) === org) ||
        (c.type === 'health_check' && str(c.data.communityId) === org)
      );
    case 'unit':
      return c.ownerOrgUnitId === org || c.queueOrgUnitId === org || from === org;
  }
}
