// Every access pattern of docs/data-model.md against DynamoDB Local: exactly the right items,
// and only GetItem or Query on the wire.
import { beforeAll, describe, expect, it } from 'vitest';
import type { Case, CaseStatus, HistoryEntry } from '../../functions/domain/case';
import { CapacityMeter } from '../../dev/local/capacity-meter';
import { CaseStore } from '../../functions/store/case-store';
import { documentClient } from '../../functions/store/client';
import { ensureTable } from '../../functions/store/ensure-table';
import { orgUnitItem, staffItem, subjectItem, type OutboxItem, type Timer } from '../../functions/store/keys';
import { RegisterStore } from '../../functions/store/register-store';
import { testDynamoClient, uniqueTableName } from '../support/dynamodb';

const D = 'testdistrict';
/** Where the subjects below are listed: the street of each community and unit (as `owners` below). */
const where = { districtId: D, streetOf: (id: string) => ({ c1: 's1', c2: 's1', c3: 's2', u1: 's1' })[id] };
const client = testDynamoClient();
const meter = new CapacityMeter(client);
const doc = documentClient(client);
const table = uniqueTableName('patterns');
const cases = new CaseStore(doc, table, D);
const register = new RegisterStore(doc, table, D);

// district → streets s1, s2 → communities c1, c2 (s1), c3 (s2); unit u1 in s1.
const owners: Record<string, string> = { c1: 's1', c2: 's1', c3: 's2', u1: 's1' };

let n = 0;
function makeCase(p: { owner: string; queue?: string; status?: CaseStatus; dueAt: string; subjectId?: string }): Case {
  n += 1;
  const status = p.status ?? 'open';
  return {
    caseId: `case-${String(n).padStart(3, '0')}`,
    type: 'handover',
    status,
    state: status === 'open' ? 'awaiting_ack' : 'acknowledged',
    subjectId: p.subjectId ?? `s-${n}`,
    ownerOrgUnitId: p.owner,
    queueOrgUnitId: p.queue ?? p.owner,
    level: p.queue === D ? 'district' : p.queue?.startsWith('s') ? 'street' : p.owner.startsWith('u') ? 'unit' : 'community',
    ownerStreetId: owners[p.owner]!,
    dueDate: p.dueAt.slice(0, 10),
    dueAt: p.dueAt,
    provisional: false,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    version: 1,
    data: {},
  };
}

function firstEntry(c: Case): HistoryEntry {
  return { caseId: c.caseId, seq: 1, at: c.createdAt, actor: { kind: 'system', process: 'test' }, action: 'open', toState: c.state, toQueueOrgUnitId: c.queueOrgUnitId };
}

const NOW = '2026-06-15T00:00:00.000Z';
const all: Case[] = [
  makeCase({ owner: 'c1', dueAt: '2026-06-01T15:59:59.999Z', subjectId: 'subj-a' }), // overdue, c1 queue
  makeCase({ owner: 'c1', dueAt: '2026-07-01T15:59:59.999Z', subjectId: 'subj-a' }), // not yet due
  makeCase({ owner: 'c1', queue: 's1', dueAt: '2026-05-01T15:59:59.999Z' }), // escalated to street, overdue
  makeCase({ owner: 'c2', queue: D, dueAt: '2026-04-01T15:59:59.999Z' }), // escalated to district, overdue
  makeCase({ owner: 'c3', dueAt: '2026-06-10T15:59:59.999Z' }), // other street, overdue
  makeCase({ owner: 'u1', dueAt: '2026-06-12T15:59:59.999Z' }), // unit, overdue
  makeCase({ owner: 'c1', status: 'done', dueAt: '2026-03-01T15:59:59.999Z', subjectId: 'subj-a' }), // closed: in no open list
  makeCase({ owner: 'c1', status: 'cancelled', dueAt: '2026-02-01T15:59:59.999Z' }),
];
const byId = (ids: Case[]) => ids.map((c) => c.caseId);
const sortedByDue = (list: Case[]) => [...list].sort((a, b) => a.dueAt.localeCompare(b.dueAt));

const stored = ({ caseId: _c, ...t }: Timer) => t;
const timersOfCase = (c: Case) => timers.filter((t) => t.caseId === c.caseId).map(stored);
const timer = (c: Case, key: string, at: string): Timer => ({ timerId: `${c.caseId}#${key}`, caseId: c.caseId, at, command: { action: key === 'overdue' ? 'overdue' : 'remind', ...(key === 'overdue' ? {} : { key: 'due-7' }) } });
const timers: Timer[] = [
  timer(all[0]!, 'remind:due-7', '2026-06-14T00:00:00.000Z'),
  timer(all[1]!, 'remind:due-7', '2026-06-15T00:00:00.000Z'), // exactly now: due
  timer(all[1]!, 'overdue', '2026-07-01T16:00:00.000Z'),
  timer(all[4]!, 'overdue', '2026-06-10T16:00:00.000Z'),
];

const reminder = (id: string, staffId: string, state: OutboxItem['state']): OutboxItem => ({
  outboxId: id,
  staffId,
  kind: 'due_soon',
  caseId: all[0]!.caseId,
  template: 'due_soon',
  params: { count: 1 },
  sendAfter: '2026-06-14T00:30:00.000Z',
  state,
  createdAt: '2026-06-14T00:00:00.000Z',
});

beforeAll(async () => {
  await ensureTable(client, table);
  await register.putMany([
    orgUnitItem(D, { id: D, kind: 'district', name: { zh: '测试区', en: 'Test' } }),
    orgUnitItem(D, { id: 's1', kind: 'street', name: { zh: '一街', en: 'S1' }, parentId: D }),
    orgUnitItem(D, { id: 's2', kind: 'street', name: { zh: '二街', en: 'S2' }, parentId: D }),
    orgUnitItem(D, { id: 'c1', kind: 'community', name: { zh: '一社区', en: 'C1' }, parentId: 's1' }),
    staffItem({ staffId: 'co-c1-1', name: 'Officer', role: 'community_officer', orgUnitId: 'c1', phone: '+8613900000001', email: 'a@example.cn', channel: 'sms', language: 'zh-CN', quietHours: { start: '21:00', end: '08:00' } }),
    staffItem({ staffId: 'co-c1-2', name: 'Officer 2', role: 'community_officer', orgUnitId: 'c1', phone: '+8613900000002', email: 'b@example.cn', channel: 'email', language: 'en', quietHours: { start: '21:00', end: '08:00' } }),
    staffItem({ staffId: 'sm-s1', name: 'Manager', role: 'street_manager', orgUnitId: 's1', phone: '+8613900000003', email: 'c@example.cn', channel: 'both', language: 'zh-CN', quietHours: { start: '21:00', end: '08:00' } }),
    ...['p1', 'p2', 'p3'].map((id) => subjectItem({ subjectId: id, class: 'primary', communityId: 'c1', registeredOn: '2026-01-01' }, where)),
    subjectItem({ subjectId: 'w1', class: 'co_managed', communityId: 'c3', unitId: 'u1', registeredOn: '2026-01-01' }, where),
  ]);
  for (const c of all) {
    await cases.create({
      case: c,
      entry: firstEntry(c),
      timers: timersOfCase(c),
      outbox: c === all[0] ? [reminder('o1', 'co-c1-1', 'pending'), reminder('o2', 'co-c1-1', 'sent'), reminder('o3', 'co-c1-2', 'pending')] : [],
    });
  }
});

/** Runs a read and checks that it went out only as GetItem/Query commands. */
async function readOnly<T>(fn: () => Promise<T>, allowed: string[] = ['QueryCommand', 'GetItemCommand']): Promise<T> {
  meter.reset();
  const out = await fn();
  const sent = meter.read().commands;
  expect(sent.length).toBeGreaterThan(0);
  for (const c of sent) expect(allowed).toContain(c);
  return out;
}

describe('access patterns', () => {
  it('1–2: the org tree by one Query, one org unit by GetItem', async () => {
    const tree = await readOnly(() => register.orgTree(), ['QueryCommand']);
    expect(tree.map((u) => u.id).sort()).toEqual(['c1', 's1', 's2', D].sort());
    const s1 = await readOnly(() => register.getOrgUnit('s1'), ['GetItemCommand']);
    expect(s1).toMatchObject({ id: 's1', kind: 'street', parentId: D });
  });

  it('3–4: staff by id and by org unit', async () => {
    expect(await readOnly(() => register.getStaff('sm-s1'), ['GetItemCommand'])).toMatchObject({ staffId: 'sm-s1', role: 'street_manager' });
    const ofC1 = await readOnly(() => register.listStaff('c1'), ['QueryCommand']);
    expect(ofC1.map((s) => s.staffId).sort()).toEqual(['co-c1-1', 'co-c1-2']);
  });

  it('5–7: subjects by id, by managing org, by street and district, paged', async () => {
    expect(await readOnly(() => register.getSubject('w1'), ['GetItemCommand'])).toMatchObject({ subjectId: 'w1', unitId: 'u1' });
    const page1 = await readOnly(() => register.listSubjects({ id: 'c1', kind: 'community' }, { limit: 2 }), ['QueryCommand']);
    expect(page1.items.map((s) => s.subjectId)).toEqual(['p1', 'p2']);
    const page2 = await register.listSubjects({ id: 'c1', kind: 'community' }, { limit: 2, cursor: page1.cursor });
    expect(page2.items.map((s) => s.subjectId)).toEqual(['p3']);
    expect((await register.listSubjects({ id: 'u1', kind: 'unit' })).items.map((s) => s.subjectId)).toEqual(['w1']);
    expect((await register.listSubjects({ id: 's1', kind: 'street' })).items.map((s) => s.subjectId).sort()).toEqual(['p1', 'p2', 'p3', 'w1']);
    expect((await register.listSubjects({ id: 's2', kind: 'street' })).items).toEqual([]);
    expect((await register.listSubjects({ id: D, kind: 'district' })).items).toHaveLength(4);
  });

  it('8: one queue (org unit + status) ordered by due date, paged', async () => {
    const open = await readOnly(() => cases.listQueue('c1', 'open'), ['QueryCommand']);
    expect(byId(open.items)).toEqual(byId(sortedByDue(all.filter((c) => c.queueOrgUnitId === 'c1' && c.status === 'open'))));
    expect(byId((await cases.listQueue('c1', 'done')).items)).toEqual([all[6]!.caseId]);
    expect(byId((await cases.listQueue('s1', 'open')).items)).toEqual([all[2]!.caseId]);
    const first = await cases.listQueue('c1', 'open', { limit: 1 });
    const second = await cases.listQueue('c1', 'open', { limit: 1, cursor: first.cursor });
    expect([...byId(first.items), ...byId(second.items)]).toEqual(byId(open.items));
  });

  it('9: overdue cases owned by a community, wherever they sit now', async () => {
    const overdue = await readOnly(() => cases.listOpenUnder({ id: 'c1', kind: 'community' }, { dueBefore: NOW }), ['QueryCommand']);
    // c1's overdue open cases: the one in its own queue and the one escalated to the street.
    expect(byId(overdue.items)).toEqual([all[2]!.caseId, all[0]!.caseId]);
  });

  it('10: overdue cases under a street: all its communities and units at once', async () => {
    const overdue = await readOnly(() => cases.listOpenUnder({ id: 's1', kind: 'street' }, { dueBefore: NOW }), ['QueryCommand']);
    const expected = sortedByDue(all.filter((c) => c.status === 'open' && c.ownerStreetId === 's1' && c.dueAt < NOW));
    expect(byId(overdue.items)).toEqual(byId(expected));
    expect(overdue.items.map((c) => c.ownerOrgUnitId).sort()).toEqual(['c1', 'c1', 'c2', 'u1']);
  });

  it('10: the list under a street pages with a cursor to exactly the same items', async () => {
    const full = (await cases.listOpenUnder({ id: 's1', kind: 'street' }, { dueBefore: NOW })).items.map((c) => c.caseId);
    const paged: string[] = [];
    let cursor: string | undefined;
    do {
      const page = await cases.listOpenUnder({ id: 's1', kind: 'street' }, { dueBefore: NOW, limit: 1, cursor });
      paged.push(...page.items.map((c) => c.caseId));
      cursor = page.cursor;
    } while (cursor);
    expect(paged).toEqual(full);
    await expect(cases.listOpenUnder({ id: 's1', kind: 'street' }, { cursor: 'not-a-cursor' })).rejects.toMatchObject({ name: 'BadCursorError' });
  });

  it('11: overdue and open cases of the whole district', async () => {
    const overdue = await readOnly(() => cases.listOpenUnder({ id: D, kind: 'district' }, { dueBefore: NOW }), ['QueryCommand']);
    expect(byId(overdue.items)).toEqual(byId(sortedByDue(all.filter((c) => c.status === 'open' && c.dueAt < NOW))));
    const open = await cases.listOpenUnder({ id: D, kind: 'district' });
    expect(open.items).toHaveLength(all.filter((c) => c.status === 'open').length);
  });

  it('12: one case with its whole history, by one Query', async () => {
    const c = all[1]!;
    const next: Case = { ...c, state: 'rejected', queueOrgUnitId: 's1', level: 'street', version: 2, updatedAt: '2026-06-02T00:00:00.000Z' };
    await cases.change(1, {
      case: next,
      timers: timersOfCase(c),
      entry: { caseId: c.caseId, seq: 2, at: next.updatedAt, actor: { kind: 'staff', staffId: 'co-c1-1' }, action: 'reject', fromState: c.state, toState: 'rejected', fromQueueOrgUnitId: 'c1', toQueueOrgUnitId: 's1', reason: 'wrong community' },
    });
    const got = await readOnly(() => cases.getWithHistory(c.caseId), ['QueryCommand']);
    expect(got?.case).toMatchObject({ caseId: c.caseId, version: 2, queueOrgUnitId: 's1' });
    expect(got?.history.map((h) => [h.seq, h.action])).toEqual([[1, 'open'], [2, 'reject']]);
    expect(got?.timers.map((t) => t.timerId).sort()).toEqual([`${c.caseId}#overdue`, `${c.caseId}#remind:due-7`]);
    // The queue index followed the change.
    expect(byId((await cases.listQueue('s1', 'open')).items)).toContain(c.caseId);
    expect(byId((await cases.listQueue('c1', 'open')).items)).not.toContain(c.caseId);
    expect(await readOnly(() => cases.get(c.caseId), ['GetItemCommand'])).toMatchObject({ version: 2 });
  });

  it('13: a subject’s open cases', async () => {
    const open = await readOnly(() => cases.listForSubject('subj-a', 'open'), ['QueryCommand']);
    expect(byId(open)).toEqual([all[0]!.caseId, all[1]!.caseId]);
    expect(byId(await cases.listForSubject('subj-a', 'done'))).toEqual([all[6]!.caseId]);
  });

  it('14: timers due at or before an instant; firing one claims it once', async () => {
    // A case is listed once, by its earliest timer; each of its timers due by then is returned.
    const due = await readOnly(() => cases.dueTimers(NOW), ['QueryCommand']);
    expect(due.map((t) => t.timerId)).toEqual([`${all[4]!.caseId}#overdue`, `${all[0]!.caseId}#remind:due-7`, `${all[1]!.caseId}#remind:due-7`]);
    const c = all[4]!;
    const fire = (version: number) =>
      cases.commit({
        cases: [
          {
            case: { ...c, version: version + 1, state: 'overdue', updatedAt: NOW },
            expectedVersion: version,
            entry: { caseId: c.caseId, seq: version + 1, at: NOW, actor: { kind: 'system', process: 'sweeper' }, action: 'overdue', toState: 'overdue', toQueueOrgUnitId: c.queueOrgUnitId },
            // The timer fired is left out of the case's timers: removed by the same version-conditional write.
            timers: timersOfCase(c).filter((t) => t.timerId !== due[0]!.timerId),
          },
        ],
      });
    await fire(1);
    // A second sweeper holding the same timer read the case at the version before: its write is refused.
    await expect(fire(1)).rejects.toMatchObject({ name: 'StaleCaseError' });
    expect((await cases.dueTimers(NOW)).map((t) => t.caseId)).not.toContain(c.caseId);
    expect(await cases.timersOf(c.caseId)).toEqual([]);
  });

  it('15: a staff member’s pending reminders', async () => {
    const pending = await readOnly(() => cases.pendingReminders('co-c1-1'), ['QueryCommand']);
    expect(pending.map((o) => o.outboxId)).toEqual(['o1']);
    expect((await cases.pendingReminders('co-c1-2')).map((o) => o.outboxId)).toEqual(['o3']);
  });
});

describe('transactions', () => {
  it('a change with a stale version is rejected whole and changes nothing', async () => {
    const c = all[5]!;
    const before = await cases.getWithHistory(c.caseId);
    const stale: Case = { ...c, status: 'done', state: 'acknowledged', version: 3 };
    await expect(
      cases.change(2, {
        case: stale,
        entry: { caseId: c.caseId, seq: 3, at: NOW, actor: { kind: 'system', process: 'test' }, action: 'acknowledge', toState: 'acknowledged', toQueueOrgUnitId: 'u1' },
        timers: [stored(timer(c, 'late', NOW))],
        outbox: [reminder('o-stale', 'co-c1-1', 'pending')],
      }),
    ).rejects.toMatchObject({ name: 'StaleCaseError' });
    expect(await cases.getWithHistory(c.caseId)).toEqual(before);
    expect((await cases.pendingReminders('co-c1-1')).map((o) => o.outboxId)).not.toContain('o-stale');
  });

  it('a case is created once: a second create with the same id changes nothing', async () => {
    const c = all[3]!;
    await expect(cases.create({ case: { ...c, queueOrgUnitId: 'c3' }, entry: firstEntry(c), timers: [] })).rejects.toMatchObject({ name: 'StaleCaseError' });
    expect(await cases.get(c.caseId)).toMatchObject({ queueOrgUnitId: D });
  });

  it('an outbox item (reminder) can be written only once', async () => {
    const c = all[5]!;
    const next: Case = { ...c, version: 2, updatedAt: NOW };
    await expect(
      cases.change(1, {
        case: next,
        timers: [],
        entry: { caseId: c.caseId, seq: 2, at: NOW, actor: { kind: 'system', process: 'test' }, action: 'remind', toState: c.state, toQueueOrgUnitId: c.queueOrgUnitId },
        outbox: [reminder('o1', 'co-c1-1', 'pending')],
      }),
    ).rejects.toMatchObject({ name: 'StaleCaseError' });
    expect(await cases.get(c.caseId)).toMatchObject({ version: 1 });
  });
});
