// Queues and levels: which queue a case sits in, who works it, and which way escalation moves it.
//
// Invariants kept here: every open case sits in exactly one queue, and the queue follows from (level, owner): unit
// and community level → the owner itself; street → the owner's street; district → the district.
import type { QueueLevel } from '../case';
import type { StaffRole } from '../district-config';
import type { Territory } from '../territory';
import { invalid, type Opening, type Rejection } from './decision';

export const levelRank: Record<QueueLevel, number> = { unit: 0, community: 0, street: 1, district: 2 };

/** Who works a queue at each level (reminders and arrivals go to them). */
export const workerRole: Record<QueueLevel, StaffRole> = {
  unit: 'unit_liaison',
  community: 'community_officer',
  street: 'street_officer',
  district: 'district_manager',
};

/** The queue a case owned by `ownerOrgUnitId` sits in at `level`. */
export function queueOrgUnitFor(level: QueueLevel, ownerOrgUnitId: string, territory: Territory): string {
  switch (level) {
    case 'unit':
    case 'community':
      return ownerOrgUnitId;
    case 'street': {
      const street = territory.streetOf(ownerOrgUnitId);
      if (!street) throw new Error(`"${ownerOrgUnitId}" has no street in district ${territory.districtId}`);
      return street;
    }
    case 'district':
      return territory.districtId;
  }
}

/** The higher of two levels: escalation only moves a case up. */
export function higher(a: QueueLevel, b: QueueLevel): QueueLevel {
  return levelRank[a] >= levelRank[b] ? a : b;
}

/** The level a case owned by this org unit starts at: its own queue. */
export function ownerLevel(ownerOrgUnitId: string, territory: Territory): QueueLevel {
  return territory.get(ownerOrgUnitId)?.kind === 'unit' ? 'unit' : 'community';
}

/** The role that works the queue of this org unit. */
export function roleForOrg(orgUnitId: string, territory: Territory): StaffRole {
  const kind = territory.require(orgUnitId).kind;
  return kind === 'unit' ? 'unit_liaison' : kind === 'community' ? 'community_officer' : kind === 'street' ? 'street_officer' : 'district_manager';
}

export function requireKind(territory: Territory, id: string, kind: 'community' | 'unit', what: string): Rejection | undefined {
  const unit = territory.get(id);
  if (!unit) return invalid(`${what} "${id}" is not an org unit of district ${territory.districtId}`);
  if (unit.kind !== kind) return invalid(`${what} "${id}" is a ${unit.kind}, not a ${kind}`);
  return undefined;
}

/** An opening in the queue of the subject's own community, which must be a community of this district. */
export function openInSubjectCommunity(
  territory: Territory,
  input: { caseId: string; subject: { subjectId: string; communityId: string }; parentCaseId?: string | undefined },
  rest: Pick<Opening, 'state' | 'due' | 'data' | 'effects' | 'reason'>,
): Opening | Rejection {
  const bad = requireKind(territory, input.subject.communityId, 'community', "the subject's community");
  if (bad) return bad;
  return { caseId: input.caseId, subjectId: input.subject.subjectId, parentCaseId: input.parentCaseId, owner: input.subject.communityId, level: 'community', ...rest };
}
