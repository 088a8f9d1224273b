// "Not due until" marks are cleared at their date (issue 13): the daily retention job removes a mark whose date has
// come from the subject's record and from the GSI6 list of marks, audited as a change the system made; a mark is
// cleared only if it is still the one that expired (one set again meanwhile stays); before the job runs, the lazy
// check already ignores it; a rerun does nothing.
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { clearExpiredNotDueMarks, NOT_DUE_CLEARED, NOT_DUE_PROCESS } from '../../functions/app/not-due-marks';
import { businessInstant } from '../../functions/domain/time';
import { documentClient } from '../../functions/store/client';
import { keys } from '../../functions/store/keys';
import { INDEXES } from '../../functions/store/table-design';
import { startApiServer, type ApiServer } from './support';

let s: ApiServer;
const tok: Record<string, string> = {};
beforeAll(async () => {
  // Monday 2 March 2026.
  s = await startApiServer(businessInstant('2026-03-02', '10:00'));
  for (const id of ['dm-tiny', 'co-east-a-1']) tok[id] = await s.token(id);
  // Two subjects the community manages.
  const page = await s.call('GET', '/subjects?orgUnitId=east-a&limit=200', { token: tok['co-east-a-1'] });
  [A, B] = page.body.items.map((x: { subjectId: string }) => x.subjectId).sort();
  if (!A || !B) throw new Error('east-a manages fewer than two subjects');
});
let A = '';
let B = '';
afterAll(async () => {
  await s?.close();
});

const raw = async (subjectId: string) => (await documentClient(s.rt.client).send(new GetCommand({ TableName: s.rt.tableName, Key: keys.subject(subjectId), ConsistentRead: true }))).Item!;
const listed = async (subjectId: string) => (await s.call('GET', '/subjects?orgUnitId=east-a&limit=200', { token: tok['co-east-a-1'] })).body.items.find((x: { subjectId: string }) => x.subjectId === subjectId);
const clearedEntries = async (date: string) =>
  (await s.call('GET', `/audit?date=${date}&limit=500`, { token: tok['dm-tiny'] })).body.items.filter((e: { action: string }) => e.action === NOT_DUE_CLEARED);

describe('"not due until" marks cleared at their date', () => {
  it('the daily job clears a mark on its date, audited as the system, and leaves a later one', async () => {
    const patch = (subjectId: string, notDueUntil: string) => s.call('PATCH', `/subjects/${subjectId}`, { token: tok['co-east-a-1'], body: { notDueUntil } });
    expect((await patch(A, '2026-03-05')).status).toBe(200);
    expect((await patch(B, '2026-03-20')).status).toBe(200);
    // Listed by date while the mark stands.
    expect(await raw(A)).toMatchObject({ notDueUntil: '2026-03-05', [INDEXES.due.pk]: keys.notDueMarks(), [INDEXES.due.sk]: `2026-03-05#${A}` });

    // The day it expires, before the job's run (02:00): no longer in effect (the lazy check), still stored.
    await s.rt.advanceTo(businessInstant('2026-03-05', '01:00'));
    expect((await listed(A)).notDueUntil).toBeNull();
    expect((await raw(A)).notDueUntil).toBe('2026-03-05');
    expect(await clearedEntries('2026-03-04')).toEqual([]);

    // The scheduled job of that day clears it: off her record and off the list of marks; the later mark stays.
    await s.rt.advanceTo(businessInstant('2026-03-05', '03:00'));
    const after = await raw(A);
    expect(after.notDueUntil).toBeUndefined();
    expect(after[INDEXES.due.pk]).toBeUndefined();
    expect(after[INDEXES.due.sk]).toBeUndefined();
    expect(after).toMatchObject({ subjectId: A, class: expect.any(String), communityId: 'east-a' });
    expect((await raw(B)).notDueUntil).toBe('2026-03-20');
    expect((await s.rt.register.listExpiredNotDueMarks('2026-12-31')).items.map((x) => x.subjectId)).toEqual([B]);

    // Audited: the subject, her community, the system as the actor (no staff member).
    const entries = await clearedEntries('2026-03-05');
    expect(entries).toEqual([expect.objectContaining({ action: NOT_DUE_CLEARED, role: 'system', process: NOT_DUE_PROCESS, subjectIds: [A], targetOrgUnitId: 'east-a' })]);
    expect(entries[0].staffId).toBeUndefined();
    expect(entries[0].at.slice(0, 10)).toBe('2026-03-04'); // 02:00 in Shanghai is the day before in UTC

    // A rerun the same day finds nothing.
    expect(await clearExpiredNotDueMarks({ register: s.rt.register, audit: s.rt.parts.audit, clock: s.rt.clock })).toEqual({ date: '2026-03-05', due: 0, cleared: 0, skipped: 0 });
    expect(await clearedEntries('2026-03-05')).toHaveLength(1);
  }, 120_000);

  it('clears only the mark that expired: one set again meanwhile stays, and nothing is audited', async () => {
    const deps = { register: s.rt.register, audit: s.rt.parts.audit, clock: s.rt.clock };
    // The job has read the 20 March mark as due ...
    const [due] = (await s.rt.register.listExpiredNotDueMarks('2026-03-20')).items;
    expect(due).toMatchObject({ subjectId: B, notDueUntil: '2026-03-20' });
    // ... and her community sets a new date before the job's write.
    expect((await s.call('PATCH', `/subjects/${B}`, { token: tok['co-east-a-1'], body: { notDueUntil: '2026-04-30' } })).status).toBe(200);
    const before = await s.countItems('all');
    const entry = s.rt.parts.audit.itemOf({ auditId: 'race', at: s.rt.clock.now().toISOString(), date: '2026-03-05', role: 'system', process: NOT_DUE_PROCESS, action: NOT_DUE_CLEARED, subjectIds: [B] });
    expect(await s.rt.register.clearNotDueMark(B, due!.notDueUntil, entry)).toBe(false);
    expect(await s.countItems('all')).toBe(before);
    expect(await raw(B)).toMatchObject({ notDueUntil: '2026-04-30', [INDEXES.due.sk]: `2026-04-30#${B}` });

    // Run for 20 March: not due any more; for 30 April: cleared.
    expect(await clearExpiredNotDueMarks(deps, { date: '2026-03-20' })).toMatchObject({ due: 0, cleared: 0 });
    expect(await clearExpiredNotDueMarks(deps, { date: '2026-04-29' })).toMatchObject({ due: 0, cleared: 0 });
    expect(await clearExpiredNotDueMarks(deps, { date: '2026-04-30' })).toMatchObject({ due: 1, cleared: 1, skipped: 0 });
    expect((await raw(B)).notDueUntil).toBeUndefined();
    expect((await s.rt.register.listExpiredNotDueMarks('2028-12-31')).items).toEqual([]);
  }, 60_000);
});
