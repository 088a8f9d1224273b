// Key builders: the only place that knows how an entity maps onto PK/SK and index attributes.
// docs/data-model.md lists each of them; test/store/data-model-doc.test.ts checks the two agree.
import type { Case, HistoryEntry } from '../domain/case';
import { managingOrgUnitId, type Staff, type Subject } from '../domain/people';
import type { OrgUnit, Territory } from '../domain/territory';
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
  feedback: (caseId: string) => ({ PK: `FEEDBACK#${caseId}`, SK: 'FEEDBACK' }),
  outbox: (id: string) => ({ PK: `OUTBOX#${id}`, SK: 'OUTBOX' }),
  /** One audit entry: a day's entries share a partition, in time order. */
  audit: (date: string, at: Instant, auditId: string) => ({ PK: `AUDIT#${date}`, SK: `${at}#${auditId}` }),
  auditDay: (date: string) => `AUDIT#${date}`,
  /** What one API idempotency key (hashed with its caller) created. */
  idempotency: (keyHash: string) => ({ PK: `IDEMPOTENCY#${keyHash}`, SK: 'IDEMPOTENCY' }),
  /** Partition values of the index queries. */
  queue: (orgUnitId: string, status: string) => `Q#${orgUnitId}#${status}`,
  open: (orgUnitId: string) => `OPEN#${orgUnitId}`,
  closed: (orgUnitId: string) => `CLOSED#${orgUnitId}`,
  subjectsOf: (orgUnitId: string) => `SUBJECTS#${orgUnitId}`,
  /** Subjects who left the register (moved out of the district, aged out), by date: retention reads it. */
  leftSubjects: (districtId: string) => `LEFT#${districtId}`,
  /** What is left of a subject whose personal fields were erased (functions/app/retention.ts). */
  erasedSubject: (id: string) => ({ PK: `SUBJECT#${id}`, SK: 'ERASED' }),
  staffOf: (orgUnitId: string) => `STAFF#${orgUnitId}`,
  /** Every staff member of the district (GSI4): the daily digest and the subscription sync read them at once. */
  allStaff: () => 'STAFF#ALL',
  casesOfSubject: (subjectId: string) => `SUBJ#${subjectId}`,
  remindersOf: (staffId: string) => `STAFF#${staffId}#OUTBOX`,
  /** Staff with an undeliverable channel (GSI2, sparse): for a manager to fix. */
  undeliverableStaff: () => 'UNDELIVERABLE#STAFF',
  dueTimers: (shard: number) => `DUE#TIMER#${shard}`,
  dueOutbox: (shard: number) => `DUE#OUTBOX#${shard}`,
  dueFeedback: (shard: number) => `DUE#FEEDBACK#${shard}`,
  /** Subjects with a "not due until" mark, by its date (GSI6, sparse, one partition: marks are few): the daily job clears those whose date has come. */
  notDueMarks: () => 'DUE#NOTDUE',
  /** A message to another district (functions/store/exchange-store.ts), and one received from one (its dedupe record). */
  exchangeOut: (messageId: string) => ({ PK: `XOUT#${messageId}`, SK: 'XOUT' }),
  exchangeIn: (from: string, messageId: string) => ({ PK: `XIN#${from}#${messageId}`, SK: 'XIN' }),
  /** Outbound messages by the org unit (community, street, district) whose case caused them, by creation: reports. */
  exchangeOf: (orgUnitId: string) => `XORG#${orgUnitId}`,
  /** Outbound messages of one case: shown as pending on it. */
  exchangeOfCase: (caseId: string) => `XCASE#${caseId}`,
  /** Messages waiting for a manual send (a region with no partner): the export outbox. */
  exchangeExport: (districtId: string) => `XEXPORT#${districtId}`,
  dueExchange: (shard: number) => `DUE#XOUT#${shard}`,
  /** An event from another department, applied: its presence makes a repeat a no-op. */
  departmentEvent: (departmentId: string, eventId: string) => ({ PK: `DEPTEVENT#${departmentId}#${eventId}`, SK: 'DEPTEVENT' }),
  /** An SMS the gateway subscriber claimed (functions/adapters/dedupe-store.ts), removed by TTL. */
  dedupe: (key: string) => ({ PK: `DEDUPE#${key}`, SK: 'DEDUPE' }),
  /** A local runtime's own bookkeeping (how far its scheduled jobs have run); never written on AWS. */
  localMarker: (name: string) => ({ PK: 'LOCAL', SK: name }),
};

export type Item = Record<string, unknown>;

const { queue, owner, street, district, person: personIdx, due, sendingStreet } = INDEXES;

export function orgUnitItem(districtId: string, u: OrgUnit): Item {
  return { ...keys.orgUnit(districtId, u.id), entity: 'org_unit', ...u };
}

export function staffItem(s: Staff): Item {
  const item: Item = {
    ...keys.staff(s.staffId),
    entity: 'staff',
    ...s,
    [queue.pk]: keys.staffOf(s.orgUnitId),
    [queue.sk]: s.staffId,
    [district.pk]: keys.allStaff(),
    [district.sk]: `${s.orgUnitId}#${s.staffId}`,
  };
  // A staff member with an undeliverable channel is listed for managers (outbox-store listUndeliverableStaff).
  if (s.undeliverable?.length) Object.assign(item, { [owner.pk]: keys.undeliverableStaff(), [owner.sk]: s.staffId });
  return item;
}

/**
 * A subject's item, listed where she is managed: her managing org unit (her unit when co_managed, else her
 * community), its street and the district (functions/domain/people.ts managingOrgUnitId).
 */
export function subjectItem(s: Subject & { leftOn?: string }, territory: Pick<Territory, 'streetOf' | 'districtId'>): Item {
  const managing = managingOrgUnitId(s);
  const where = { managingOrgUnitId: managing, streetId: territory.streetOf(managing) ?? territory.districtId, districtId: territory.districtId };
  // A "not due until" mark is listed by its date until the daily job clears it (functions/app/not-due-marks.ts).
  const mark: Item = s.notDueUntil ? { [due.pk]: keys.notDueMarks(), [due.sk]: `${s.notDueUntil}#${s.subjectId}` } : {};
  if (s.leftOn) {
    // Left the register: in no org unit's or street's list (no health checks, no notices), listed
    // under LEFT#<district> by the date she left, for retention (functions/app/retention.ts).
    return { ...keys.subject(s.subjectId), entity: 'subject', ...s, [district.pk]: keys.leftSubjects(where.districtId), [district.sk]: `${s.leftOn}#${s.subjectId}`, ...mark };
  }
  return {
    ...keys.subject(s.subjectId),
    entity: 'subject',
    ...s,
    ...mark,
    [queue.pk]: keys.subjectsOf(where.managingOrgUnitId),
    [queue.sk]: s.subjectId,
    [street.pk]: keys.subjectsOf(where.streetId),
    [street.sk]: s.subjectId,
    [district.pk]: keys.subjectsOf(where.districtId),
    [district.sk]: s.subjectId,
  };
}

/**
 * A case's item. Its pending timers ride on it (`timers`), so a change and the timers it sets, cancels or fires are one
 * conditional write of one item; the case is in the due index (GSI6) by its earliest timer while it has any.
 */
export function caseItem(c: StoredCase, districtId: string): Item {
  const dueKey = `${c.dueAt}#${c.caseId}`;
  const { timers, ...rest } = c;
  const item: Item = {
    ...keys.case(c.caseId),
    entity: 'case',
    ...rest,
    [queue.pk]: keys.queue(c.queueOrgUnitId, c.status),
    [queue.sk]: dueKey,
  };
  // Open cases sit in the owner, street and district indexes by due date; closed ones move to
  // their CLOSED# partitions, ordered by when they closed (reports).
  const open = c.status === 'open';
  const partition = open ? keys.open : keys.closed;
  const sortKey = open ? dueKey : `${c.closedAt ?? c.updatedAt}#${c.caseId}`;
  for (const [idx, orgUnitId] of [
    [owner, c.ownerOrgUnitId],
    [street, c.ownerStreetId],
    [district, districtId],
  ] as const) {
    item[idx.pk] = partition(orgUnitId);
    item[idx.sk] = sortKey;
  }
  if (open && c.sendingStreetId && c.sendingStreetId !== c.ownerStreetId) {
    item[sendingStreet.pk] = keys.open(c.sendingStreetId);
    item[sendingStreet.sk] = dueKey;
  }
  if (c.subjectId) {
    item[personIdx.pk] = keys.casesOfSubject(c.subjectId);
    item[personIdx.sk] = `${c.status}#${dueKey}`;
  }
  if (timers?.length) {
    item.timers = encodeTimers(c.caseId, timers);
    item[due.pk] = keys.dueTimers(shardOf(c.caseId));
    item[due.sk] = `${[...timers].sort(byDue)[0]!.at}#${c.caseId}`;
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

/** A timer as the case object carries it (the case id is the case's). */
export type CaseTimer = Omit<Timer, 'caseId'>;

/** A case as stored: with the ids of the commands it applied last and its pending timers. */
export type StoredCase = Case & { recentCommands?: string[]; timers?: CaseTimer[] };

/** The case back from its item, its timers decoded. */
export function caseFromItem(item: Item): StoredCase {
  const c = strip<StoredCase>(item);
  if (item.timers) c.timers = timersOfItem(item).map(({ caseId: _caseId, ...t }) => t);
  return c;
}

/** Soonest first, then by id: the order timers fire in. */
export const byDue = (a: { at: string; timerId: string }, b: { at: string; timerId: string }) =>
  a.at < b.at ? -1 : a.at > b.at ? 1 : a.timerId < b.timerId ? -1 : a.timerId > b.timerId ? 1 : 0;

// On the item, timers are a map from the timer's key (its id after `<caseId>#`) to `<at>`, or `<at>|<action>[|<key>]`
// when the command is not the one the key names (`remind:due-7` names { action: 'remind', key: 'due-7' }): every
// byte of a case item is paid again in each of its index copies, per started KB.
const commandNamedBy = (key: string): Timer['command'] => {
  const i = key.indexOf(':');
  return i < 0 ? { action: key } : { action: key.slice(0, i), key: key.slice(i + 1) };
};
const sameCommand = (a: Timer['command'], b: Timer['command']) => a.action === b.action && a.key === b.key && Object.keys(a).length === Object.keys(b).length;

function encodeTimers(caseId: string, timers: readonly CaseTimer[]): Record<string, string> {
  const out: Record<string, string> = {};
  for (const t of timers) {
    const key = t.timerId.startsWith(`${caseId}#`) ? t.timerId.slice(caseId.length + 1) : undefined;
    const { action, key: arg, ...other } = t.command;
    if (key === undefined || Object.keys(other).length > 0 || (arg !== undefined && typeof arg !== 'string') || action.includes('|') || (arg as string | undefined)?.includes('|'))
      throw new Error(`timer ${t.timerId} of case ${caseId}: a timer is <caseId>#<key> with a command { action, key? }`);
    out[key] = sameCommand(commandNamedBy(key), t.command) ? t.at : [t.at, action, ...(arg === undefined ? [] : [arg])].join('|');
  }
  return out;
}

/** A case item's pending timers, soonest first. */
export function timersOfItem(item: Item): Timer[] {
  const caseId = String(item.caseId);
  return Object.entries((item.timers ?? {}) as Record<string, string>)
    .map(([key, value]) => {
      const [at, action, arg] = value.split('|') as [string, string?, string?];
      const command = action === undefined ? commandNamedBy(key) : { action, ...(arg === undefined ? {} : { key: arg }) };
      return { timerId: `${caseId}#${key}`, caseId, at, command };
    })
    .sort(byDue);
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
  state: OutboxState;
  createdAt: Instant;
  /**
   * How it reaches the staff member (functions/domain/reminders.ts): urgent and summary items are sent by the
   * publisher from the due index; digest items wait in the staff member's list for the next daily digest.
   * Absent on items written before delivery classes existed: treated as urgent.
   */
  delivery?: 'urgent' | 'digest' | 'summary';
  /** Publisher bookkeeping: claims so far, the current claim and until when it holds. */
  attempts?: number;
  attemptId?: string;
  leaseUntil?: Instant;
  /** When it reached its final state, by which channels, and why (skipped/failed: a reason code, never an address). */
  doneAt?: Instant;
  channels?: string[];
  outcome?: string;
  /** The daily digest that included a digest item (its outbox id). */
  digestId?: string;
  /** A summary (daily digest): the digest items it covers, and the case lines its e-mail lists. */
  includes?: string[];
  lines?: Record<string, { caseId: string; dueDate: string; caseType?: string }[]>;
  /** Epoch seconds: DynamoDB TTL removes the item after it (set when it reaches a final state). */
  expiresAt?: number;
}

/** pending → sending (claimed) → sent | skipped | failed; digest items: pending → digested | skipped. */
export type OutboxState = 'pending' | 'sending' | 'sent' | 'digested' | 'skipped' | 'failed';

export function outboxItem(o: OutboxItem): Item {
  const item: Item = {
    ...keys.outbox(o.outboxId),
    entity: 'outbox',
    ...o,
    [personIdx.pk]: keys.remindersOf(o.staffId),
    [personIdx.sk]: `${o.state}#${o.sendAfter}#${o.outboxId}`,
  };
  // In the due index while the publisher has work on it: pending (at sendAfter), or claimed (at the end of the
  // claim's lease, when a crashed attempt is picked up again). Digest items never: the digest reads each staff
  // member's pending items from GSI5 (a read a staff member a day is cheaper than an index entry written and
  // removed for every item).
  if (o.delivery !== 'digest' && (o.state === 'pending' || o.state === 'sending')) {
    item[due.pk] = keys.dueOutbox(shardOf(o.outboxId));
    item[due.sk] = `${o.state === 'sending' && o.leaseUntil ? o.leaseUntil : o.sendAfter}#${o.outboxId}`;
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

/**
 * Who read which subject data, and which request was refused, when: appended by the API, never
 * changed (IAM allows no update or delete of AUDIT# items: infra/access.ts). No names or phones.
 */
export interface AuditEntry {
  auditId: string;
  at: Instant;
  /** The Asia/Shanghai date of `at`: the entry's partition. */
  date: string;
  /** The caller; absent on a request refused before she was known (401), and on a change a scheduled job made. */
  staffId?: string;
  /** A change a scheduled job made (no staff member): the job, e.g. `not-due-marks`. */
  process?: string;
  role?: string;
  orgUnitId?: string;
  /** e.g. case.read, queue.read, subjects.list, subjects.import, refused */
  action: string;
  caseId?: string;
  subjectIds?: string[];
  /** The org unit a list or an import was about. */
  targetOrgUnitId?: string;
  /** The staff member a staff route was about. */
  targetStaffId?: string;
  count?: number;
  requestId?: string;
  /** The route template (`GET /cases/{caseId}`); on a refusal, the status and problem type it was answered with. */
  route?: string;
  status?: number;
  problem?: string;
  /** One response's subject ids split over several entries: this is part `part` of `parts`. */
  part?: number;
  parts?: number;
  /** Epoch seconds: DynamoDB TTL removes the entry after it (functions/store/audit-store.ts). */
  expiresAt?: number;
}

export function auditItem(a: AuditEntry): Item {
  return { ...keys.audit(a.date, a.at, a.auditId), entity: 'audit', ...a };
}

/** An API idempotency key, remembered with the hash of the request it came with and the case it created. */
export interface IdempotencyRecord {
  keyHash: string;
  staffId: string;
  requestHash: string;
  caseId: string;
  createdAt: Instant;
  /** Epoch seconds: DynamoDB TTL removes the record after it (IDEMPOTENCY_RETENTION_DAYS). */
  expiresAt?: number;
}

/** How long an API idempotency key is remembered: a client retries within minutes, a person within days. */
export const IDEMPOTENCY_RETENTION_DAYS = 7;

export function idempotencyItem(r: IdempotencyRecord): Item {
  const expiresAt = r.expiresAt ?? Math.floor(Date.parse(r.createdAt) / 1000) + IDEMPOTENCY_RETENTION_DAYS * 86_400;
  return { ...keys.idempotency(r.keyHash), entity: 'idempotency', ...r, expiresAt };
}

/**
 * A message to another district: written in the transaction of the change that causes it, then sent (and re-sent
 * with back-off) until the receiver acknowledges it. Holds the envelope (pseudonymous ids, dates, codes; no names).
 */
export interface ExchangeMessage {
  messageId: string;
  type: string;
  to: string;
  /** bus: sent to a partner's bus; export: a region with no partner, sent by hand from the export outbox. */
  route: 'bus' | 'export';
  /** pending → sent (awaiting the ack) → acked; an ack: pending → delivered; export: exported → answered. */
  state: 'pending' | 'sent' | 'acked' | 'delivered' | 'exported' | 'answered' | 'failed';
  envelope: Record<string, unknown>;
  /** The case that caused it, its owner and street (reports and the case view). */
  caseId?: string;
  orgUnitId: string;
  streetId: string;
  createdAt: Instant;
  /** Acknowledged by then, or it counts as overdue (its case escalates on the case's own deadline). */
  deadlineAt: Instant;
  attempts: number;
  nextAttemptAt: Instant;
  attemptId?: string;
  sentAt?: Instant;
  ackedAt?: Instant;
  ackOutcome?: string;
}

export function exchangeMessageItem(m: ExchangeMessage, districtId: string): Item {
  const item: Item = { ...keys.exchangeOut(m.messageId), entity: 'exchange_out', ...m };
  const sk = `${m.createdAt}#${m.messageId}`;
  if (m.type !== 'ack') {
    item[owner.pk] = keys.exchangeOf(m.orgUnitId);
    item[owner.sk] = sk;
    item[street.pk] = keys.exchangeOf(m.streetId);
    item[street.sk] = sk;
    item[district.pk] = keys.exchangeOf(districtId);
    item[district.sk] = sk;
  }
  if (m.caseId) Object.assign(item, { [personIdx.pk]: keys.exchangeOfCase(m.caseId), [personIdx.sk]: sk });
  if (m.route === 'bus' && (m.state === 'pending' || m.state === 'sent')) {
    item[due.pk] = keys.dueExchange(shardOf(m.messageId));
    item[due.sk] = `${m.nextAttemptAt}#${m.messageId}`;
  }
  if (m.route === 'export' && m.state === 'exported') Object.assign(item, { [queue.pk]: keys.exchangeExport(districtId), [queue.sk]: sk });
  return item;
}

/** A message received from another district and applied: its presence makes a repeat a no-op. */
export interface ExchangeReceipt {
  from: string;
  messageId: string;
  type: string;
  receivedAt: Instant;
  outcome: 'applied' | 'refused';
  caseId?: string;
  reason?: string;
}

export function exchangeReceiptItem(r: ExchangeReceipt): Item {
  return { ...keys.exchangeIn(r.from, r.messageId), entity: 'exchange_in', ...r };
}

/** A department event applied (POST /events): what it did, never the event's personal data. */
export interface DepartmentEventRecord {
  departmentId: string;
  eventId: string;
  type: string;
  appliedAt: Instant;
  caseId?: string;
}

export function departmentEventItem(r: DepartmentEventRecord): Item {
  return { ...keys.departmentEvent(r.departmentId, r.eventId), entity: 'department_event', ...r };
}
