// "Not due until": a community marks a subject not due a check until a date. Audited; a date in the past or more than
// two years ahead is a 400 naming the field and writes nothing; someone else's subject looks like no subject; the
// health-check generator skips her for a period that ends before the date; the subject list shows the mark until it
// is ignored from its date on (the daily job clears it: test/api/not-due-clearing.test.ts).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createWorkflowHandlers } from '../../functions/handlers/workflow-handlers';
import { businessInstant } from '../../functions/domain/time';
import { startApiServer, type ApiServer } from './support';

let s: ApiServer;
const tok: Record<string, string> = {};
beforeAll(async () => {
  s = await startApiServer(businessInstant('2026-03-02', '10:00'));
  for (const id of ['dm-tiny', 'co-east-a-1', 'co-west-a-1']) tok[id] = await s.token(id);
});
afterAll(async () => {
  await s?.close();
});

describe('not due until', () => {
  it('is set by her community, audited, refused with the field when out of range, hidden from others', async () => {
    const patch = (who: string, subjectId: string, notDueUntil: unknown) => s.call('PATCH', `/subjects/${subjectId}`, { token: tok[who], body: { notDueUntil } });
    // Refusals write only their audit entries (docs/security.md): the data is unchanged.
    const before = await s.countItems('data');
    for (const bad of ['2026-03-01', '2026-03-02', '2028-03-03', '2026-02-30']) {
      const r = await patch('co-east-a-1', 's-000011', bad);
      expect(r.status, bad).toBe(400);
      expect((r.body.errors ?? []).map((e: { path: string }) => e.path), bad).toContain('body.notDueUntil');
    }
    expect(await s.countItems('data')).toBe(before);
    expect((await patch('co-west-a-1', 's-000011', '2026-09-30')).status).toBe(404);
    expect((await patch('co-east-a-1', 's-nobody', '2026-09-30')).status).toBe(404);

    const ok = await patch('co-east-a-1', 's-000011', '2026-09-30');
    expect(ok.status, ok.text).toBe(200);
    expect(ok.body).toMatchObject({ subjectId: 's-000011', notDueUntil: '2026-09-30' });
    expect(Object.keys(ok.body)).not.toContain('reason');
    const audit = await s.call('GET', '/audit?date=2026-03-02', { token: tok['dm-tiny'] });
    expect(audit.body.items.filter((e: { action: string }) => e.action === 'subjects.not_due_until')).toEqual([
      expect.objectContaining({ staffId: 'co-east-a-1', subjectIds: ['s-000011'], targetOrgUnitId: 'east-a' }),
    ]);
    const list = await s.call('GET', '/subjects?orgUnitId=east-a&limit=200', { token: tok['co-east-a-1'] });
    expect(list.body.items.find((x: { subjectId: string }) => x.subjectId === 's-000011').notDueUntil).toBe('2026-09-30');

    // The generator: the May–August period (mobile and primary alike end before 30 September) skips her.
    const handlers = createWorkflowHandlers({ ...s.rt.parts } as never);
    s.rt.clock.set(businessInstant('2026-05-01', '00:30'));
    const page = await handlers.generateHealthChecksPage({ orgUnitId: 'east-a', periodOf: '2026-05-01' });
    expect(page.notDue).toBe(1);
    expect((await s.rt.cases.listForSubject('s-000011', 'open')).filter((c) => c.type === 'health_check')).toEqual([]);

    // At its date the mark is over: the list no longer shows it and the next period opens her check.
    s.rt.clock.set(businessInstant('2026-09-30', '10:00'));
    const later = await s.call('GET', '/subjects?orgUnitId=east-a&limit=200', { token: tok['co-east-a-1'] });
    expect(later.body.items.find((x: { subjectId: string }) => x.subjectId === 's-000011').notDueUntil).toBeNull();
    const next = await handlers.generateHealthChecksPage({ orgUnitId: 'east-a', periodOf: '2026-09-30' });
    expect(next.notDue).toBe(0);
    expect((await s.rt.cases.listForSubject('s-000011', 'open')).some((c) => c.type === 'health_check')).toBe(true);
  });
});
