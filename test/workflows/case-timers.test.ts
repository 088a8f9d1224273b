// A case's timers live on its item: written tersely, listed in the due index by the earliest, fired one after the other
// by the sweeper, each claimed by the same version-conditional write that applies it.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { Actor } from '../../functions/domain/case';
import { VirtualClock } from '../../functions/domain/clock';
import { businessInstant } from '../../functions/domain/time';
import { listDueTimersHandler } from '../../functions/handlers/tasks/list-due-timers';
import { caseItem, keys, timersOfItem, type Item } from '../../functions/store/keys';
import { INDEXES } from '../../functions/store/table-design';
import type { LocalRuntime } from '../../dev/local/runtime';
import { testDocumentClient } from '../support/dynamodb';
import { allSubjects, testRuntime } from '../support/runtime';

const at = (date: string, time = '10:00') => businessInstant(date, time);
const staff = (id: string): Actor => ({ kind: 'staff', staffId: id });

async function itemOf(rt: LocalRuntime, caseId: string): Promise<Item> {
  const out = await testDocumentClient().send(new GetCommand({ TableName: rt.tableName, Key: keys.case(caseId), ConsistentRead: true }));
  return out.Item as Item;
}

async function openHandover(rt: LocalRuntime, caseId: string) {
  const w = (await allSubjects(rt)).find((s) => s.class === 'co_managed' && s.unitId)!;
  await rt.openCase({ type: 'handover', caseId, subjectId: w.subjectId, reason: 'resigned', separationDate: '2026-03-01' }, staff(`ul-${w.unitId}`));
  return w;
}

describe('timers on the case item', () => {
  const sample = {
    caseId: 'c-1',
    type: 'handover',
    status: 'open',
    state: 'awaiting_ack',
    ownerOrgUnitId: 'x',
    queueOrgUnitId: 'x',
    level: 'community',
    ownerStreetId: 's',
    dueDate: '2026-03-31',
    dueAt: '2026-03-31T15:59:59.999Z',
    provisional: false,
    createdAt: '2026-03-02T02:00:00.000Z',
    updatedAt: '2026-03-02T02:00:00.000Z',
    version: 1,
    data: {},
  } as const;

  it('are stored as key → instant, with the command only when the key does not name it, and read back whole', () => {
    const timers = [
      { timerId: 'c-1#overdue', at: '2026-03-31T16:00:00.000Z', command: { action: 'overdue' } },
      { timerId: 'c-1#remind:due-7', at: '2026-03-24T01:00:00.000Z', command: { action: 'remind', key: 'due-7' } },
      { timerId: 'c-1#reroute_due', at: '2026-03-20T16:00:00.000Z', command: { action: 'escalate_district' } },
    ];
    const item = caseItem({ ...sample, timers }, 'd');
    expect(item.timers).toEqual({
      overdue: '2026-03-31T16:00:00.000Z',
      'remind:due-7': '2026-03-24T01:00:00.000Z',
      reroute_due: '2026-03-20T16:00:00.000Z|escalate_district',
    });
    // Listed in the due index by the earliest timer; back in firing order with their case id.
    expect(item[INDEXES.due.sk]).toBe('2026-03-20T16:00:00.000Z#c-1');
    expect(timersOfItem(item)).toEqual([
      { timerId: 'c-1#reroute_due', caseId: 'c-1', at: '2026-03-20T16:00:00.000Z', command: { action: 'escalate_district' } },
      { timerId: 'c-1#remind:due-7', caseId: 'c-1', at: '2026-03-24T01:00:00.000Z', command: { action: 'remind', key: 'due-7' } },
      { timerId: 'c-1#overdue', caseId: 'c-1', at: '2026-03-31T16:00:00.000Z', command: { action: 'overdue' } },
    ]);
    // No timers: not in the due index at all.
    expect(caseItem(sample, 'd')[INDEXES.due.pk]).toBeUndefined();
    // A timer of another case, or a command the encoding cannot carry, is refused rather than stored wrong.
    expect(() => caseItem({ ...sample, timers: [{ timerId: 'c-2#overdue', at: sample.dueAt, command: { action: 'overdue' } }] }, 'd')).toThrow(/c-2#overdue/);
    expect(() => caseItem({ ...sample, timers: [{ timerId: 'c-1#x', at: sample.dueAt, command: { action: 'remind', key: 'due-1', extra: 1 } }] }, 'd')).toThrow(/c-1#x/);
  });

  it('the sweeper lists one timer per case, the earliest, and says more are due; each fires once, in order', async () => {
    const rt = await testRuntime(at('2026-03-02'));
    await openHandover(rt, 'ho-t');
    const opened = timersOfItem(await itemOf(rt, 'ho-t'));
    expect(opened.map((t) => t.timerId.split('#')[1])).toEqual(['remind:due-7', 'remind:due-0', 'overdue']);

    // The clock past both reminders: the case is listed once, by its first.
    const clock = new VirtualClock(at('2026-03-31', '12:00'));
    const list = listDueTimersHandler({ cases: rt.cases, clock });
    const first = await list({ limit: 50 });
    expect(first).toEqual({ timers: [{ timerId: 'ho-t#remind:due-7', caseId: 'ho-t', at: opened[0]!.at }], more: true });

    const versionBefore = (await itemOf(rt, 'ho-t')).version as number;
    expect(await rt.service.fireTimer(first.timers[0]!)).toBe('fired');
    // The same ref again (a second sweeper, a retried Task): the timer is gone with the write that applied it.
    expect(await rt.service.fireTimer(first.timers[0]!)).toBe('stale');
    const after = await itemOf(rt, 'ho-t');
    expect(after.version).toBe(versionBefore + 1);
    expect(Object.keys(after.timers as object).sort()).toEqual(['overdue', 'remind:due-0']);
    expect(after[INDEXES.due.sk]).toBe(`${opened[1]!.at}#ho-t`);

    const second = await list({ limit: 50 });
    expect(second).toEqual({ timers: [{ timerId: 'ho-t#remind:due-0', caseId: 'ho-t', at: opened[1]!.at }], more: false });
  });

  it('a timer whose command no longer applies is removed alone: the case, its version and history stay', async () => {
    const rt = await testRuntime(at('2026-03-02'));
    await openHandover(rt, 'ho-r');
    const stored = (await rt.cases.get('ho-r', true))!;
    // escalate_district applies only to a handover re-routed to a street; this one sits at its community.
    const bogus = { timerId: 'ho-r#reroute_due', at: at('2026-03-03', '00:00'), command: { action: 'escalate_district' } };
    expect(await rt.cases.dropTimer({ ...stored, timers: [...stored.timers!, bogus] }, 'nothing-to-drop')).toBe(true);
    const withBogus = (await rt.cases.get('ho-r', true))!;
    expect(withBogus.timers!.map((t) => t.timerId)).toContain('ho-r#reroute_due');

    expect(await rt.service.fireTimer({ caseId: 'ho-r', timerId: bogus.timerId, at: bogus.at })).toBe('rejected');
    const got = (await rt.cases.getWithHistory('ho-r'))!;
    expect(got.case.version).toBe(withBogus.version);
    expect(got.history).toHaveLength(1);
    expect(got.timers.map((t) => t.timerId)).toEqual(stored.timers!.map((t) => t.timerId));
    // A put at a version that moved on writes nothing.
    expect(await rt.cases.dropTimer({ ...withBogus, version: withBogus.version - 1 }, 'ho-r#overdue')).toBe(false);
    expect((await rt.cases.timersOf('ho-r')).map((t) => t.timerId)).toContain('ho-r#overdue');
  });

  it('closing a case takes all its timers and takes it out of the due index', async () => {
    const rt = await testRuntime(at('2026-03-02'));
    const w = await openHandover(rt, 'ho-c');
    await rt.act('ho-c', { action: 'acknowledge' }, staff(`co-${w.communityId}-1`), 'ack-c', w.communityId);
    const item = await itemOf(rt, 'ho-c');
    expect(item.status).toBe('done');
    expect(item.timers).toBeUndefined();
    expect(item[INDEXES.due.pk]).toBeUndefined();
    expect(await rt.cases.dueTimers('2099-01-01T00:00:00.000Z')).toEqual([]);
  });
});
