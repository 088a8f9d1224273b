// Key builders: the only place that knows how an entity maps onto PK/SK and index attributes.
import type { Case, HistoryEntry } from '../domain/case';
import type { Staff, Subject } from '../domain/people';
import type { OrgUnit } from '../domain/territory';
import type { Instant } from '../domain/time';
import { INDEXES } from './table-design';

export const DUE_SHARDS = 4;

/** FNV-1a: a stable, cheap spread of ids over the due-index shards. */
export function shardOf(id: string, shards = DUE_SHARDS): number {
  let h = 0x811c9dc5;
  for (let i = 0; i < id.length; i++) {
    h ^= id.charCodeAt(i);
    h = Math.imul(h, 0x01000193);
  }
  return (h >>> 0) % shards;
}

const seq6 = (n: number) => String(n).padStart(6, '0');
/** Sorts after every GSI sort key that starts with the instant: `< before~` means "due at or before". */
export const upTo = (instant: Instant) => `${instant}~`;

export const keys = {
  orgUnit: (districtId: string, id: string) => ({ PK: `DISTRICT#${districtId}`, SK: `ORG#${id}` }),
  seedMarker: (districtId: string) => ({ PK: `DISTRICT#${districtId}`, SK: 'SEED' }),
  staff: (id: string) => ({ PK: `STAFF#${id}`, SK: 'STAFF' }),
  subject: (id: string) => ({ PK: `SUBJECT#${id}`, SK: 'SUBJECT' }),
  case: (id: string) => ({ PK: `CASE#${id}`, SK: 'CASE' }),
  history: (caseId: string, seq: number) => ({ PK: `CASE#${caseId}`, SK: `H#${seq6(seq)}` }),
  timer: (caseId: string, timerId: string) => ({ PK: `CASE#${caseId}`, SK: `TIMER#${timerId}` }),
  feedback: (caseId: string) => ({ PK: `FEEDBACK#${caseId}`, SK: 'FEEDBACK' }),
  outbox: (id: string) => ({ PK: `OUTBOX#${id}`, SK: 'OUTBOX' }),
  /** Partition values of the index queries. */
  queue: (orgUnitId: string, status: string) => `Q#${orgUnitId}#${status}`,
  open: (orgUnitId: string) => `OPEN#${orgUnitId}`,
  closed: (orgUnitId: string) => `CLOSED#${orgUnitId}`,
  subjectsOf: (orgUnitId: string) => `SUBJECTS#${orgUnitId}`,
  staffOf: (orgUnitId: string) => `STAFF#${orgUnitId}`,
  casesOfSubject: (subjectId: string) => `SUBJ#${subjectId}`,
  remindersOf: (staffId: string) => `STAFF#${staffId}#OUTBOX`,
  dueTimers: (shard: number) => `DUE#TIMER#${shard}`,
  dueOutbox: (shard: number) => `DUE#OUTBOX#${shard}`,
  dueFeedback: (shard: number) => `DUE#FEEDBACK#${shard}`,
};

export type Item = Record<string, unknown>;

const { queue, owner, street, district, subject: subjectIdx, due, sendingStreet } = INDEXES;

export function orgUnitItem(districtId: string, u: OrgUnit): Item {
  return { ...keys.orgUnit(districtId, u.id), entity: 'org_unit', ...u };
}

export function staffItem(s: Staff): Item {
  return { ...keys.staff(s.staffId), entity: 'staff', ...s, [queue.pk]: keys.staffOf(s.orgUnitId), [queue.sk]: s.staffId };
}

export function subjectItem(s: Subject, where: { managingOrgUnitId: string; streetId: string; districtId: string }): Item {
  return {
    ...keys.subject(s.subjectId),
    entity: 'subject',
    ...s,
    [queue.pk]: keys.subjectsOf(where.managingOrgUnitId),
    [queue.sk]: s.subjectId,
    [street.pk]: keys.subjectsOf(where.streetId),
    [street.sk]: s.subjectId,
    [district.pk]: keys.subjectsOf(where.districtId),
    [district.sk]: s.subjectId,
  };
}

export function caseItem(c: Case, districtId: string): Item {
  const dueKey = `${c.dueAt}#${c.caseId}`;
  const item: Item = {
    ...keys.case(c.caseId),
    entity: 'case',
    ...c,
    [queue.pk]: keys.queue(c.queueOrgUnitId, c.status),
    [queue.sk]: dueKey,
  };
  if (c.status === 'open') {
    item[owner.pk] = keys.open(c.ownerOrgUnitId);
    item[owner.sk] = dueKey;
    item[street.pk] = keys.open(c.ownerStreetId);
    item[street.sk] = dueKey;
    item[district.pk] = keys.open(districtId);
    item[district.sk] = dueKey;
    if (c.sendingStreetId && c.sendingStreetId !== c.ownerStreetId) {
      item[sendingStreet.pk] = keys.open(c.sendingStreetId);
      item[sendingStreet.sk] = dueKey;
    }
  } else {
    // Closed cases move to the same indexes under CLOSED#, ordered by when they closed (reports).
    const closedKey = `${c.closedAt ?? c.updatedAt}#${c.caseId}`;
    item[owner.pk] = keys.closed(c.ownerOrgUnitId);
    item[owner.sk] = closedKey;
    item[street.pk] = keys.closed(c.ownerStreetId);
    item[street.sk] = closedKey;
    item[district.pk] = keys.closed(districtId);
    item[district.sk] = closedKey;
  }
  if (c.subjectId) {
    item[subjectIdx.pk] = keys.casesOfSubject(c.subjectId);
    item[subjectIdx.sk] = `${c.status}#${dueKey}`;
  }
  return item;
}

export function historyItem(e: HistoryEntry): Item {
  return { ...keys.history(e.caseId, e.seq), entity: 'history', ...e };
}

/** A durable deadline: the sweeper delivers `command` to the case at `at` (reminder, overdue, escalation …). */
export interface Timer {
  /** `${caseId}#${key}`: one timer per key; setting it again replaces it. */
  timerId: string;
  caseId: string;
  at: Instant;
  command: { action: string; [k: string]: unknown };
}

export function timerItem(t: Timer): Item {
  return {
    ...keys.timer(t.caseId, t.timerId),
    entity: 'timer',
    ...t,
    [due.pk]: keys.dueTimers(shardOf(t.caseId)),
    [due.sk]: `${t.at}#${t.timerId}`,
  };
}

/** A notification intent: what to tell whom about which case, never personal data. */
export interface OutboxItem {
  /** Deterministic from (recipient, reminder): the same reminder can be written only once. */
  outboxId: string;
  staffId: string;
  orgUnitId?: string;
  role?: string;
  kind: string;
  caseId?: string;
  template: string;
  params: Record<string, string | number>;
  sendAfter: Instant;
  state: 'pending' | 'sent' | 'failed';
  createdAt: Instant;
}

export function outboxItem(o: OutboxItem): Item {
  const item: Item = {
    ...keys.outbox(o.outboxId),
    entity: 'outbox',
    ...o,
    [subjectIdx.pk]: keys.remindersOf(o.staffId),
    [subjectIdx.sk]: `${o.state}#${o.sendAfter}#${o.outboxId}`,
  };
  if (o.state === 'pending') {
    item[due.pk] = keys.dueOutbox(shardOf(o.outboxId));
    item[due.sk] = `${o.sendAfter}#${o.outboxId}`;
  }
  return item;
}

const STORAGE_ATTRS = new Set(['PK', 'SK', 'entity', ...Object.values(INDEXES).flatMap((i) => [i.pk, i.sk])]);

/** The domain object back from an item: storage attributes removed. */
export function strip<T>(item: Item): T {
  const out: Item = {};
  for (const [k, v] of Object.entries(item)) if (!STORAGE_ATTRS.has(k)) out[k] = v;
  return out as T;
}

/** A certificate check's result for the subject's region of origin, sent by the publisher. */
export interface FeedbackItem {
  caseId: string;
  subjectId: string;
  outcome: string;
  date: string;
  state: 'pending' | 'sent';
  createdAt: Instant;
}

export function feedbackItem(f: FeedbackItem): Item {
  const item: Item = { ...keys.feedback(f.caseId), entity: 'feedback', ...f };
  if (f.state === 'pending') {
    item[due.pk] = keys.dueFeedback(shardOf(f.caseId));
    item[due.sk] = `${f.createdAt}#${f.caseId}`;
  }
  return item;
}
