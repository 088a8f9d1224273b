// A death reported by another department stops her services: she leaves the register with the event's record (one
// transaction), then every open case of hers is cancelled (subject_deceased) with its timers, each by the case
// service's own conditional cancel. Idempotent by event id; a crash between the two steps is healed by the repeat the
// department sends; two deliveries at once cancel each case once. On DynamoDB Local.
import { beforeAll, describe, expect, it } from 'vitest';
import { DECEASED, DepartmentEventService } from '../../functions/app/department-events';
import type { ExchangeParts } from '../../functions/app/compose';
import type { Case } from '../../functions/domain/case';
import { VirtualClock } from '../../functions/domain/clock';
import { districtConfig } from '../../functions/domain/district-config';
import { LocalRuntime } from '../../dev/local/runtime';
import { dynamoEndpoint, uniqueTableName } from '../support/dynamodb';
import { CHUANHUI, YILING, exchangeDistrict, putSubject } from './support';

const START = '2026-03-02T02:00:00.000Z';
const DEPT = 'civil-affairs';
const officer = (community: string) => ({ kind: 'staff' as const, staffId: `co-${community}-1` });
let rt: LocalRuntime;
let x: ExchangeParts;

beforeAll(async () => {
  const base = exchangeDistrict('chuanhui', CHUANHUI, [YILING]);
  const config = districtConfig.parse({ ...base, exchange: { ...base.exchange, departments: [{ id: DEPT, name: { zh: '民政局', en: 'Civil Affairs' }, events: ['birth', 'death'] }] } });
  rt = await LocalRuntime.create({ endpoint: dynamoEndpoint(), config, clock: new VirtualClock(START), tableName: uniqueTableName('x-death'), reminders: false });
  await rt.seed();
  x = rt.parts.exchange!;
}, 120_000);

/** Her cases with their history and timers, as stored now. */
async function stored(ids: string[]) {
  return Promise.all(ids.map(async (id) => (await rt.cases.getWithHistory(id))!));
}

/** A subject with open cases of several types (each with its timers) and one case closed before. */
async function subjectWithCases(subjectId: string, community: string): Promise<{ open: string[]; closed: string }> {
  await putSubject(rt, { subjectId, class: 'mobile', communityId: community, registeredOn: '2026-02-20', originRegion: YILING });
  const birth = await x.events.apply(DEPT, [{ eventId: `birth-${subjectId}`, type: 'birth', subjectId, date: '2026-03-01' }]);
  const followUp = birth[0]!.caseId!;
  const hc = await rt.openCase({ type: 'health_check', subjectId }, officer(community));
  await rt.openCase({ type: 'certificate_check', caseId: `cc-${subjectId}`, subjectId, task: 'verify', startDate: '2026-03-01' }, officer(community));
  await rt.openCase({ type: 'handover', caseId: `ho-${subjectId}`, subjectId, reason: 'moved', separationDate: '2026-03-01', toCommunityId: 'west-a' }, officer(community));
  // One closed before the death: it stays as it was.
  await rt.openCase({ type: 'follow_up', caseId: `fu-done-${subjectId}`, subjectId, trigger: 'service', eventDate: '2026-03-01' }, officer(community));
  await rt.act(`fu-done-${subjectId}`, { action: 'record_outcome', outcome: 'visited', date: '2026-03-02' }, officer(community), `done-${subjectId}`, community);
  // The certificate check asked her origin: its sub-case is hers too.
  const open = [followUp, hc.caseId, `cc-${subjectId}`, `cc-${subjectId}.origin`, `ho-${subjectId}`];
  for (const c of await stored(open)) {
    expect(c.case.status, c.case.caseId).toBe('open');
    expect(c.timers.length, c.case.caseId).toBeGreaterThan(0);
  }
  return { open, closed: `fu-done-${subjectId}` };
}

function expectCancelledForDeath(c: { case: Case; history: { action: string; reason?: string; actor: unknown }[]; timers: unknown[] }) {
  expect(c.case, c.case.caseId).toMatchObject({ status: 'cancelled', state: 'cancelled' });
  expect(c.history.filter((h) => h.action === 'cancel'), c.case.caseId).toEqual([expect.objectContaining({ reason: DECEASED, actor: { kind: 'system', process: `department:${DEPT}` } })]);
  expect(c.timers, c.case.caseId).toEqual([]);
}

describe('a death from another department', () => {
  it('takes her off the register and cancels every open case of hers with its timers, once', async () => {
    const { open, closed } = await subjectWithCases('dead-1', 'east-a');
    const before = (await stored([closed]))[0]!;
    const death = { eventId: 'death-1', type: 'death', subjectId: 'dead-1', date: '2026-03-02' };
    const [out] = await x.events.apply(DEPT, [death]);
    expect(out).toMatchObject({ outcome: 'applied', closedCases: open.length });
    expect(await rt.register.getSubject('dead-1')).toMatchObject({ leftOn: '2026-03-02', leftReason: 'death' });
    for (const c of await stored(open)) expectCancelledForDeath(c);
    expect(await rt.cases.listForSubject('dead-1', 'open')).toEqual([]);
    // The case closed before is untouched; no health detail in any reason.
    const after = (await stored([closed]))[0]!;
    expect(after.case).toEqual(before.case);
    expect(after.history).toHaveLength(before.history.length);
    // A repeat applies nothing again.
    const [again] = await x.events.apply(DEPT, [death]);
    expect(again).toMatchObject({ outcome: 'already_applied', closedCases: 0 });
    for (const c of await stored(open)) expectCancelledForDeath(c);
  });

  it('a crash after her record and before her cases closed is healed by the repeat; two deliveries at once cancel each case once', async () => {
    const { open } = await subjectWithCases('dead-2', 'east-b');
    let crashes = 0;
    const crashing = new DepartmentEventService({
      cases: rt.cases,
      register: rt.register,
      store: x.store,
      service: rt.service,
      exchange: x.service,
      district: rt.district,
      clock: rt.clock,
      fault: () => {
        crashes++;
        throw new Error('injected crash after the death was recorded');
      },
    });
    const death = { eventId: 'death-2', type: 'death', subjectId: 'dead-2', date: '2026-03-02' };
    await expect(crashing.apply(DEPT, [death])).rejects.toThrow(/injected crash/);
    expect(crashes).toBe(1);
    // The state the crash left: she has left the register, her cases are still open with their timers.
    expect(await rt.register.getSubject('dead-2')).toMatchObject({ leftOn: '2026-03-02', leftReason: 'death' });
    for (const c of await stored(open)) expect(c.case.status).toBe('open');
    // The department sends the batch again (it got no answer), twice at once.
    const [a, b] = await Promise.all([x.events.apply(DEPT, [death]), x.events.apply(DEPT, [death])]);
    expect([a![0]!.outcome, b![0]!.outcome]).toEqual(['already_applied', 'already_applied']);
    expect(a![0]!.closedCases! + b![0]!.closedCases!).toBe(open.length);
    for (const c of await stored(open)) expectCancelledForDeath(c);
  });
});
