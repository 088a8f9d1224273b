// The invariants every sequence of actions and clock moves must keep, stated once for both the
// pure domain (openCase/decide) and the real runtime on DynamoDB Local. A snapshot is every case
// with its history and pending timers; checks compare a snapshot with the one before it.
//
// What is asserted, exactly:
//  1. One queue: every open case sits in exactly one queue, the one its (level, owner) give:
//     unit/community level → the owner itself (and the level is the owner's own kind), street →
//     the owner's street, district → the district. (At the runtime level, also: the case is found
//     in exactly one GSI1 partition, `Q#<queue>#<status>`, by a scan of the index.)
//  2. History append-only and ordered: seq is 1..n without a gap, n = the case's version; each
//     entry starts where the previous ended (state and queue); times never go back; and every entry
//     of the previous snapshot is still there, unchanged (never rewritten, never removed). A closed
//     case never changes again.
//  3. Due dates: a case's dueDate/dueAt never change after it opened; dueAt is the end of dueDate;
//     the due date is never before the date its clock starts from (separation date, visit window
//     start, certificate start date, check period start, half-year end, report month start); and a
//     case whose clock starts on or after the day it is opened is never due before it was created.
//     (A back-dated report — a handover recorded 40 days after the separation — is born overdue
//     by design; it then goes overdue on the first sweep, see 5.)
//  4. Escalation only moves up: between two snapshots a case's level rank (unit = community <
//     street < district) never decreases, and its owner never changes, except by a handover's
//     `reassign`, which the domain defines as re-routing, not escalation: before the due date it
//     moves the case to the new receiving community's own queue (the only way down); after the
//     due date it keeps at least the street level. Per history entry: every entry other than a
//     reassign goes to a queue of the same or a higher level than the one it came from.
//  5. On a deadline: an open case that is not yet overdue has its pending overdue timer; a closed
//     case has no timer.
import type { Case, HistoryEntry, QueueLevel } from '../../../functions/domain/case';
import { queueOrgUnitFor } from '../../../functions/domain/case-machines';
import type { Territory } from '../../../functions/domain/territory';
import { businessDateOf, endOfBusinessDay } from '../../../functions/domain/time';

export interface CaseSnapshot {
  case: Case;
  history: HistoryEntry[];
  /** Pending timer ids of the case. */
  timers: string[];
}
export type Snapshot = Map<string, CaseSnapshot>;

const levelRank: Record<QueueLevel, number> = { unit: 0, community: 0, street: 1, district: 2 };
const kindRank: Record<string, number> = { unit: 0, community: 0, street: 1, district: 2 };

/** The date a case's clock starts from (the due date is counted from it). */
export function clockStart(c: Case): string | undefined {
  const d = c.data;
  const s = (k: string) => (typeof d[k] === 'string' ? (d[k] as string) : undefined);
  switch (c.type) {
    case 'handover':
      return s('separationDate');
    case 'follow_up':
      return s('windowStart');
    case 'health_check':
      return s('periodStart');
    case 'certificate_check':
      return s('startDate');
    case 'unit_notice':
      return s('periodEnd');
    case 'change_report':
      return s('month') ? `${s('month')}-01` : undefined;
  }
}

export function snapshotViolations(snap: Snapshot, territory: Territory): string[] {
  const v: string[] = [];
  for (const [id, { case: c, history: h, timers }] of snap) {
    // 1. one queue
    if (c.status === 'open') {
      let expected: string | undefined;
      try {
        expected = queueOrgUnitFor(c.level, c.ownerOrgUnitId, territory);
      } catch (err) {
        v.push(`${id}: no queue for level ${c.level} and owner ${c.ownerOrgUnitId}: ${(err as Error).message}`);
      }
      if (expected !== undefined && c.queueOrgUnitId !== expected) v.push(`${id}: in queue ${c.queueOrgUnitId}, its level ${c.level} and owner ${c.ownerOrgUnitId} give ${expected}`);
      if (!territory.get(c.queueOrgUnitId)) v.push(`${id}: queue ${c.queueOrgUnitId} is not an org unit`);
      const ownerKind = territory.get(c.ownerOrgUnitId)?.kind;
      if ((c.level === 'unit' || c.level === 'community') && ownerKind !== c.level) v.push(`${id}: at level ${c.level} but owned by a ${ownerKind}`);
    }
    // 2. history
    const seqs = h.map((e) => e.seq).join();
    if (seqs !== Array.from({ length: h.length }, (_, i) => i + 1).join()) v.push(`${id}: history seq [${seqs}] is not 1..${h.length}`);
    if (h.length !== c.version) v.push(`${id}: version ${c.version}, ${h.length} history entries`);
    for (let i = 1; i < h.length; i++) {
      const [a, b] = [h[i - 1]!, h[i]!];
      if (b.fromState !== a.toState || b.fromQueueOrgUnitId !== a.toQueueOrgUnitId) v.push(`${id}: entry ${b.seq} starts at ${b.fromState}@${b.fromQueueOrgUnitId}, entry ${a.seq} ended at ${a.toState}@${a.toQueueOrgUnitId}`);
      if (b.at < a.at) v.push(`${id}: entry ${b.seq} (${b.at}) before entry ${a.seq} (${a.at})`);
      // 4. per entry: only reassign may go down
      const [from, to] = [kindRank[territory.get(b.fromQueueOrgUnitId ?? '')?.kind ?? ''], kindRank[territory.get(b.toQueueOrgUnitId)?.kind ?? '']];
      if (b.action !== 'reassign' && from !== undefined && to !== undefined && to < from) v.push(`${id}: entry ${b.seq} (${b.action}) moved down from ${b.fromQueueOrgUnitId} to ${b.toQueueOrgUnitId}`);
      if (b.action === 'reassign' && b.at > c.dueAt && from !== undefined && to !== undefined && to < 1) v.push(`${id}: reassign after the due date moved it to a community queue (${b.toQueueOrgUnitId})`);
    }
    const last = h.at(-1);
    if (last && (last.toState !== c.state || last.toQueueOrgUnitId !== c.queueOrgUnitId)) v.push(`${id}: history ends at ${last.toState}@${last.toQueueOrgUnitId}, case is ${c.state}@${c.queueOrgUnitId}`);
    // 3. due dates
    if (c.dueAt !== endOfBusinessDay(c.dueDate)) v.push(`${id}: dueAt ${c.dueAt} is not the end of ${c.dueDate}`);
    const start = clockStart(c);
    if (!start) v.push(`${id}: no clock start in its data`);
    else {
      if (c.dueDate < start) v.push(`${id}: due ${c.dueDate}, before its clock starts (${start})`);
      if (start >= businessDateOf(c.createdAt) && c.dueAt < c.createdAt) v.push(`${id}: due ${c.dueAt}, before it was created (${c.createdAt})`);
    }
    if (c.type === 'health_check' && c.dueDate < businessDateOf(c.createdAt)) v.push(`${id}: a health check due ${c.dueDate}, before the day it opened`);
    // 5. deadlines
    if (c.status === 'open' && c.data.overdue !== true && !timers.includes(`${id}#overdue`)) v.push(`${id}: open, not overdue, without its overdue timer`);
    if (c.status !== 'open' && timers.length > 0) v.push(`${id}: ${c.status} with timers ${timers.join(', ')}`);
  }
  return v;
}

/** What may and may not change between two snapshots (2, 3, 4). */
export function transitionViolations(before: Snapshot, after: Snapshot): string[] {
  const v: string[] = [];
  for (const [id, prev] of before) {
    const next = after.get(id);
    if (!next) {
      v.push(`${id}: disappeared`);
      continue;
    }
    const [a, b] = [prev.case, next.case];
    for (let i = 0; i < prev.history.length; i++) {
      if (JSON.stringify(prev.history[i]) !== JSON.stringify(next.history[i])) v.push(`${id}: history entry ${i + 1} was rewritten or removed`);
    }
    if (a.status !== 'open' && (b.version !== a.version || JSON.stringify(a) !== JSON.stringify(b))) v.push(`${id}: a ${a.status} case changed`);
    if (a.dueDate !== b.dueDate || a.dueAt !== b.dueAt) v.push(`${id}: due date changed from ${a.dueDate} to ${b.dueDate}`);
    if (a.createdAt !== b.createdAt || a.type !== b.type || a.subjectId !== b.subjectId) v.push(`${id}: identity (type, subject, creation) changed`);
    const added = next.history.slice(prev.history.length);
    const reassigned = added.some((e) => e.action === 'reassign');
    if (levelRank[b.level] < levelRank[a.level] && !(reassigned && a.type === 'handover')) v.push(`${id}: level went down from ${a.level} to ${b.level} by ${added.map((e) => e.action).join(', ')}`);
    if (b.ownerOrgUnitId !== a.ownerOrgUnitId && !(reassigned && a.type === 'handover')) v.push(`${id}: owner changed from ${a.ownerOrgUnitId} to ${b.ownerOrgUnitId} by ${added.map((e) => e.action).join(', ')}`);
  }
  return v;
}
