// Reading a whole district table back (tests only: the product never scans) and checking the
// invariants that must hold after any run, with or without faults.
import { ScanCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Case, HistoryEntry } from '../../../functions/domain/case';
import { timersOfItem, type Timer } from '../../../functions/store/keys';
import { INDEXES } from '../../../functions/store/table-design';

export type Row = Record<string, unknown>;

export async function scanAll(doc: DynamoDBDocumentClient, tableName: string, indexName?: string): Promise<Row[]> {
  const items: Row[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await doc.send(
      new ScanCommand({ TableName: tableName, ExclusiveStartKey: start, ...(indexName ? { IndexName: indexName } : { ConsistentRead: true }) }),
    );
    items.push(...((out.Items ?? []) as Row[]));
    start = out.LastEvaluatedKey;
  } while (start);
  return items.sort((a, b) => `${a.PK}|${a.SK}`.localeCompare(`${b.PK}|${b.SK}`));
}

export interface TableView {
  items: Row[];
  cases: Map<string, Case>;
  history: Map<string, HistoryEntry[]>;
  timers: Map<string, Timer[]>;
  outbox: Row[];
  /** caseId → the GSI1 partitions it is found in (from a scan of the index itself). */
  queueMembership: Map<string, string[]>;
}

export async function readTable(doc: DynamoDBDocumentClient, tableName: string): Promise<TableView> {
  return tableView(await scanAll(doc, tableName), await scanAll(doc, tableName, INDEXES.queue.name));
}

/** A view of a table from its items and the items of its GSI1 (queue) index, as scanned. */
export function tableView(items: Row[], queueIndex: Row[]): TableView {
  const cases = new Map<string, Case>();
  const history = new Map<string, HistoryEntry[]>();
  const timers = new Map<string, Timer[]>();
  for (const i of items) {
    const pk = String(i.PK);
    const sk = String(i.SK);
    if (!pk.startsWith('CASE#')) continue;
    const caseId = pk.slice('CASE#'.length);
    if (sk === 'CASE') {
      cases.set(caseId, i as unknown as Case);
      // A case's pending timers ride on its item.
      const pending = timersOfItem(i);
      if (pending.length) timers.set(caseId, pending);
    } else if (sk.startsWith('H#')) (history.get(caseId) ?? history.set(caseId, []).get(caseId)!).push(i as unknown as HistoryEntry);
  }
  for (const h of history.values()) h.sort((a, b) => a.seq - b.seq);
  const queueMembership = new Map<string, string[]>();
  for (const i of queueIndex) {
    if (i.entity !== 'case') continue;
    const id = String(i.caseId);
    (queueMembership.get(id) ?? queueMembership.set(id, []).get(id)!).push(String(i[INDEXES.queue.pk]));
  }
  return { items, cases, history, timers, outbox: items.filter((i) => i.entity === 'outbox'), queueMembership };
}

/**
 * The invariants of a table after any run. Returns the violations (empty: all hold):
 * - history: every case's entries are seq 1..n without a gap, n = the case's version, each entry's
 *   fromState/fromQueue is the previous entry's toState/toQueue, times never go back;
 * - queues: every case is in exactly one GSI1 partition, `Q#<its queue>#<its status>`;
 * - deadlines: every open case not yet overdue has its pending overdue timer; a closed case has no
 *   timer; every timer belongs to an existing open case;
 * - reminders: every outbox item names an existing case and was created by one of its history
 *   entries (same instant): no reminder for a change that did not happen; and no more items per
 *   (case, template, staff member, instant) than the case has history entries at that instant.
 */
export function invariantViolations(t: TableView): string[] {
  const v: string[] = [];
  for (const [id, c] of t.cases) {
    const h = t.history.get(id) ?? [];
    const seqs = h.map((e) => e.seq);
    if (seqs.join() !== Array.from({ length: h.length }, (_, i) => i + 1).join()) v.push(`${id}: history seq ${seqs.join(',')} is not 1..${h.length}`);
    if (h.length !== c.version) v.push(`${id}: version ${c.version} but ${h.length} history entries`);
    for (let i = 1; i < h.length; i++) {
      const [a, b] = [h[i - 1]!, h[i]!];
      if (b.fromState !== a.toState) v.push(`${id}: entry ${b.seq} from state ${b.fromState}, previous ended in ${a.toState}`);
      if (b.fromQueueOrgUnitId !== a.toQueueOrgUnitId) v.push(`${id}: entry ${b.seq} from queue ${b.fromQueueOrgUnitId}, previous ended in ${a.toQueueOrgUnitId}`);
      if (b.at < a.at) v.push(`${id}: entry ${b.seq} at ${b.at} is before entry ${a.seq} at ${a.at}`);
    }
    const last = h.at(-1);
    if (last && (last.toState !== c.state || last.toQueueOrgUnitId !== c.queueOrgUnitId)) v.push(`${id}: last entry ends in ${last.toState}@${last.toQueueOrgUnitId}, case is ${c.state}@${c.queueOrgUnitId}`);
    const queues = t.queueMembership.get(id) ?? [];
    const expected = `Q#${c.queueOrgUnitId}#${c.status}`;
    if (queues.length !== 1 || queues[0] !== expected) v.push(`${id}: in queues [${queues.join(', ')}], expected exactly ${expected}`);
    const timers = t.timers.get(id) ?? [];
    if (c.status === 'open') {
      if (c.data.overdue !== true && !timers.some((x) => x.timerId === `${id}#overdue`)) v.push(`${id}: open, not overdue, and no overdue timer (off its deadline)`);
    } else if (timers.length > 0) v.push(`${id}: ${c.status} but still has timers ${timers.map((x) => x.timerId).join(', ')}`);
  }
  for (const [id, timers] of t.timers) if (!t.cases.has(id)) v.push(`timers ${timers.map((x) => x.timerId).join(', ')} of a case that does not exist`);
  const seen = new Map<string, number>();
  for (const o of t.outbox) {
    const caseId = o.caseId as string | undefined;
    if (!caseId) continue;
    const h = t.history.get(caseId);
    if (!h) v.push(`outbox ${String(o.outboxId)} for a case ${caseId} that does not exist`);
    else if (!h.some((e) => e.at === o.createdAt)) v.push(`outbox ${String(o.outboxId)} (${String(o.template)}) created at ${String(o.createdAt)}, when case ${caseId} did not change`);
    const key = `${caseId}|${String(o.template)}|${String(o.staffId)}|${String(o.createdAt)}`;
    seen.set(key, (seen.get(key) ?? 0) + 1);
  }
  // One change notifies a staff member of one thing once: as many items per (case, template, staff
  // member, instant) as the case has history entries at that instant, at most.
  for (const [key, n] of seen) {
    const [caseId, , , at] = key.split('|') as [string, string, string, string];
    const changes = (t.history.get(caseId) ?? []).filter((e) => e.at === at).length;
    if (n > changes) v.push(`duplicate reminder ${key}: ${n} items for ${changes} change(s)`);
  }
  return v;
}

/** Differences between two runs that must end alike (a faulty run against its fault-free baseline). */
export function differences(base: TableView, got: TableView): string[] {
  const d: string[] = [];
  const ids = new Set([...base.cases.keys(), ...got.cases.keys()]);
  for (const id of [...ids].sort()) {
    const [a, b] = [base.cases.get(id), got.cases.get(id)];
    if (!a || !b) {
      d.push(`${id}: ${a ? 'missing' : 'extra'} in the faulty run`);
      continue;
    }
    if (JSON.stringify(a) !== JSON.stringify(b)) d.push(`${id}: case differs`);
    const [ha, hb] = [base.history.get(id) ?? [], got.history.get(id) ?? []];
    if (JSON.stringify(ha) !== JSON.stringify(hb)) d.push(`${id}: history differs (${ha.length} vs ${hb.length} entries)`);
    const ts = (x: Timer[] | undefined) => (x ?? []).map((t) => `${t.timerId}@${t.at}`).sort().join(', ');
    if (ts(base.timers.get(id)) !== ts(got.timers.get(id))) d.push(`${id}: timers [${ts(base.timers.get(id))}] vs [${ts(got.timers.get(id))}]`);
  }
  const ob = (t: TableView) => t.outbox.map((o) => String(o.outboxId)).sort();
  const [oa, ox] = [ob(base), ob(got)];
  for (const id of ox.filter((x) => !oa.includes(x))) d.push(`outbox ${id}: extra in the faulty run`);
  for (const id of oa.filter((x) => !ox.includes(x))) d.push(`outbox ${id}: missing in the faulty run`);
  if (d.length === 0 && JSON.stringify(base.items) !== JSON.stringify(got.items)) {
    const key = (i: Row) => `${String(i.PK)}|${String(i.SK)}`;
    const mb = new Map(base.items.map((i) => [key(i), JSON.stringify(i)]));
    for (const i of got.items) if (mb.get(key(i)) !== JSON.stringify(i)) d.push(`item ${key(i)} differs`);
    const mg = new Set(got.items.map(key));
    for (const k of mb.keys()) if (!mg.has(k)) d.push(`item ${k} missing`);
  }
  return d;
}

export function countOf(t: TableView) {
  const n = (p: (i: Row) => boolean) => t.items.filter(p).length;
  return {
    items: t.items.length,
    cases: t.cases.size,
    open: [...t.cases.values()].filter((c) => c.status === 'open').length,
    history: n((i) => String(i.SK).startsWith('H#')),
    timers: [...t.timers.values()].reduce((sum, list) => sum + list.length, 0),
    outbox: t.outbox.length,
  };
}
