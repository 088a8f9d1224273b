// Every routing path, end to end: commands through the case service as the API calls it, the
// scheduled work on the real ASL files (aws-local-stepfunctions) with the real handlers, DynamoDB
// Local, and a virtual clock that fires each timer at its own instant.
import { describe, expect, it } from 'vitest';
import type { Case } from '../../functions/domain/case';
import type { Subject } from '../../functions/domain/people';
import { businessInstant } from '../../functions/domain/time';
import type { LocalRuntime } from '../../dev/local/runtime';
import { allSubjects, testRuntime } from '../support/runtime';

const staff = (staffId: string) => ({ kind: 'staff' as const, staffId });
const at = (date: string, hhmm = '10:00') => businessInstant(date, hhmm);

async function pick(rt: LocalRuntime, cls: Subject['class'], where: (s: Subject) => boolean = () => true): Promise<Subject> {
  const s = (await allSubjects(rt)).find((x) => x.class === cls && where(x));
  if (!s) throw new Error(`no ${cls} subject in the test register`);
  return s;
}

async function caseOf(rt: LocalRuntime, caseId: string) {
  const got = await rt.cases.getWithHistory(caseId);
  if (!got) throw new Error(`no case ${caseId}`);
  return got;
}

async function outboxFor(rt: LocalRuntime, staffId: string) {
  return (await rt.cases.pendingReminders(staffId)).map((o) => `${o.template}:${o.caseId}`);
}

const levels = { unit: 0, community: 0, street: 1, district: 2 } as const;
function expectOnlyUpwards(history: { toQueueOrgUnitId: string }[], rt: LocalRuntime) {
  const rank = (id: string) => {
    const kind = rt.district.territory.require(id).kind;
    return levels[kind as keyof typeof levels] ?? 0;
  };
  for (let i = 1; i < history.length; i++) expect(rank(history[i]!.toQueueOrgUnitId)).toBeGreaterThanOrEqual(rank(history[i - 1]!.toQueueOrgUnitId));
}

describe('one path per command', () => {
  it('opening and acting call the case service as the API does: no workflow execution, the same case written', async () => {
    const rt = await testRuntime(at('2026-03-02'));
    const w = await pick(rt, 'co_managed');
    const calls: string[] = [];
    const traced = await testRuntime(at('2026-03-02'), { wrapHandler: (key, fn) => async (event) => (calls.push(key), fn(event)) });
    for (const r of [rt, traced]) {
      await r.openCase({ type: 'handover', caseId: 'ho-1', subjectId: w.subjectId, reason: 'resigned', separationDate: '2026-03-01' }, staff(`ul-${w.unitId}`));
      await r.act('ho-1', { action: 'acknowledge' }, staff(`co-${w.communityId}-1`), 'ack-1', w.communityId);
      expect(r.transitions).toEqual({});
      expect(r.commands).toEqual({ open: 1, act: 1 });
    }
    // Each command ran once, under the function that runs it in the cloud (what tests and the simulation price).
    expect(calls).toEqual(['api', 'api']);
    expect((await caseOf(traced, 'ho-1')).case).toMatchObject({ status: 'done', state: 'acknowledged' });
    const strip = (x: Awaited<ReturnType<typeof caseOf>>) => x.history.map((h) => [h.action, h.toQueueOrgUnitId]);
    expect(strip(await caseOf(traced, 'ho-1'))).toEqual(strip(await caseOf(rt, 'ho-1')));
  });
});

describe('the local clock', () => {
  it('reports a long advance day by day, and runs the same timers as one advance', async () => {
    const [a, b] = [await testRuntime(at('2026-03-02')), await testRuntime(at('2026-03-02'))];
    const w = await pick(a, 'co_managed');
    for (const r of [a, b]) await r.openCase({ type: 'handover', caseId: 'ho-days', subjectId: w.subjectId, reason: 'resigned', separationDate: '2026-03-01' });
    const days: string[] = [];
    await a.advanceTo(at('2026-04-03'), { onDay: (d) => days.push(d.date) });
    await b.advanceTo(at('2026-04-03'));
    expect(days[0]).toBe('2026-03-02');
    expect(days.at(-1)).toBe('2026-04-03');
    expect(days).toHaveLength(33);
    expect(new Set(days).size).toBe(days.length);
    const strip = (x: Awaited<ReturnType<typeof caseOf>>) => ({ case: x.case, history: x.history.map((h) => [h.action, h.at, h.toQueueOrgUnitId]), timers: x.timers.map((t) => [t.timerId, t.at]) });
    expect(strip(await caseOf(a, 'ho-days'))).toEqual(strip(await caseOf(b, 'ho-days')));
    expect(a.clock.now().toISOString()).toBe(b.clock.now().toISOString());
  });
});

describe('handover', () => {
  it('on time: routed to the residence community, acknowledged, subject becomes primary there, unit gets its receipt', async () => {
    const rt = await testRuntime(at('2026-03-02'));
    const w = await pick(rt, 'co_managed');
    const opened = await rt.openCase(
      { type: 'handover', caseId: 'ho-on-time', subjectId: w.subjectId, reason: 'resigned', separationDate: '2026-03-01' },
      staff(`ul-${w.unitId}`),
    );
    expect(opened).toMatchObject({ created: true, status: 'open', queueOrgUnitId: w.communityId });
    const { case: c, history, timers } = await caseOf(rt, 'ho-on-time');
    expect(c).toMatchObject({ level: 'community', ownerOrgUnitId: w.communityId, dueDate: '2026-03-31', provisional: false });
    expect(history).toHaveLength(1);
    expect(timers.map((t) => [t.timerId.split('#')[1], t.at]).sort()).toEqual([
      ['overdue', '2026-03-31T16:00:00.000Z'],
      ['remind:due-0', at('2026-03-31', '09:00')],
      ['remind:due-7', at('2026-03-24', '09:00')],
    ]);
    const officer = `co-${w.communityId}-1`;
    expect(await outboxFor(rt, officer)).toContain('handover.opened:ho-on-time');

    await rt.advanceDays(2, { jobs: false });
    const ack = await rt.act('ho-on-time', { action: 'acknowledge' }, staff(officer), 'ack-1', w.communityId);
    expect(ack).toMatchObject({ applied: true, status: 'done', state: 'acknowledged' });
    const after = await caseOf(rt, 'ho-on-time');
    expect(after.timers).toEqual([]);
    expect(after.history.map((h) => h.action)).toEqual(['open', 'acknowledge']);
    const subject = await rt.register.getSubject(w.subjectId);
    expect(subject).toMatchObject({ class: 'primary', communityId: w.communityId });
    expect(subject?.unitId).toBeUndefined();
    expect((await rt.register.listSubjects({ id: w.communityId, kind: 'community' })).items.map((s) => s.subjectId)).toContain(w.subjectId);
    expect((await rt.register.listSubjects({ id: w.unitId!, kind: 'unit' })).items.map((s) => s.subjectId)).not.toContain(w.subjectId);
    expect(await outboxFor(rt, `ul-${w.unitId}`)).toContain('handover.receipt:ho-on-time');

    // Nothing falls due afterwards: no reminder for a closed case.
    const before = await outboxFor(rt, officer);
    await rt.advanceDays(45, { jobs: false });
    expect(await outboxFor(rt, officer)).toEqual(before);
  });

  it('reminds the receiving community 7 days before and on the due day', async () => {
    const rt = await testRuntime(at('2026-03-02'));
    const w = await pick(rt, 'co_managed');
    await rt.openCase({ type: 'handover', caseId: 'ho-remind', subjectId: w.subjectId, reason: 'dismissed', separationDate: '2026-03-01' });
    const officer = `co-${w.communityId}-1`;
    const reminders = async () => (await outboxFor(rt, officer)).filter((o) => o.startsWith('handover.due_reminder'));
    await rt.advanceTo(at('2026-03-24', '08:59'), { jobs: false });
    expect(await reminders()).toHaveLength(0);
    await rt.advanceTo(at('2026-03-24', '09:00'), { jobs: false });
    expect(await reminders()).toHaveLength(1);
    await rt.advanceTo(at('2026-03-31', '09:00'), { jobs: false });
    expect(await reminders()).toHaveLength(2);
    const { history } = await caseOf(rt, 'ho-remind');
    expect(history.map((h) => h.action)).toEqual(['open', 'remind', 'remind']);
  });

  it('not acknowledged: overdue to the street with a notice to the street manager, then to the district 7 days later', async () => {
    const rt = await testRuntime(at('2026-03-02'));
    const w = await pick(rt, 'co_managed');
    const street = rt.district.territory.streetOf(w.communityId)!;
    await rt.openCase({ type: 'handover', caseId: 'ho-late', subjectId: w.subjectId, reason: 'removed', separationDate: '2026-03-01' });

    await rt.advanceTo(at('2026-04-01', '00:00'), { jobs: false });
    let c = (await caseOf(rt, 'ho-late')).case;
    expect(c).toMatchObject({ status: 'open', state: 'overdue', level: 'street', queueOrgUnitId: street, ownerOrgUnitId: w.communityId });
    expect(await outboxFor(rt, `sm-${street}`)).toContain('handover.overdue:ho-late');
    // The owning community still sees it as its own, and overdue.
    const now = rt.clock.now().toISOString();
    expect((await rt.cases.listOpenUnder({ id: w.communityId, kind: 'community' }, { dueBefore: now })).items.map((x) => x.caseId)).toContain('ho-late');
    expect((await rt.cases.listOpenUnder({ id: street, kind: 'street' }, { dueBefore: now })).items.map((x) => x.caseId)).toContain('ho-late');

    await rt.advanceTo(at('2026-04-07', '23:59'), { jobs: false });
    expect((await caseOf(rt, 'ho-late')).case.level).toBe('street');
    await rt.advanceTo(at('2026-04-08', '00:00'), { jobs: false });
    const got = await caseOf(rt, 'ho-late');
    c = got.case;
    expect(c).toMatchObject({ level: 'district', queueOrgUnitId: 'tiny', ownerOrgUnitId: w.communityId, state: 'overdue' });
    expect(await outboxFor(rt, 'dm-tiny')).toContain('handover.escalated_district:ho-late');
    expect(got.history.map((h) => h.action)).toEqual(['open', 'remind', 'remind', 'overdue', 'escalate_district']);
    expectOnlyUpwards(got.history, rt);
    expect(got.timers).toEqual([]);
  });

  it('wrong community: rejected to the street, which re-routes it to another community', async () => {
    const rt = await testRuntime(at('2026-03-02'));
    const w = await pick(rt, 'co_managed', (s) => s.communityId === 'east-a');
    await rt.openCase({ type: 'handover', caseId: 'ho-reroute', subjectId: w.subjectId, reason: 'resigned', separationDate: '2026-03-01' });
    const rejected = await rt.act('ho-reroute', { action: 'reject', reason: 'not registered here' }, staff('co-east-a-1'), 'rej-1', 'east-a');
    expect(rejected).toMatchObject({ state: 'rerouting', queueOrgUnitId: 'east' });
    expect(await outboxFor(rt, 'so-east-1')).toContain('handover.reroute:ho-reroute');
    // 2026-03-02 is a Monday: 3 working days → Thursday 2026-03-05.
    const { timers } = await caseOf(rt, 'ho-reroute');
    expect(timers.find((t) => t.timerId.endsWith('#reroute_due'))?.at).toBe('2026-03-05T16:00:00.000Z');

    const moved = await rt.act('ho-reroute', { action: 'reassign', toOrgUnitId: 'east-b' }, staff('so-east-1'), 'reassign-1', 'east');
    expect(moved).toMatchObject({ state: 'awaiting_ack', queueOrgUnitId: 'east-b' });
    const after = await caseOf(rt, 'ho-reroute');
    expect(after.case).toMatchObject({ ownerOrgUnitId: 'east-b', level: 'community', dueDate: '2026-03-31' });
    expect(after.timers.map((t) => t.timerId)).not.toContain('ho-reroute#reroute_due');
    expect(await outboxFor(rt, 'co-east-b-1')).toContain('handover.assigned:ho-reroute');
    expect(after.history.map((h) => [h.action, h.fromQueueOrgUnitId, h.toQueueOrgUnitId, h.reason])).toEqual([
      ['open', undefined, 'east-a', 'resigned'],
      ['reject', 'east-a', 'east', 'not registered here'],
      ['reassign', 'east', 'east-b', undefined],
    ]);
  });

  it('a street that does not re-route within 3 working days sends the case to the district', async () => {
    const rt = await testRuntime(at('2026-03-02'));
    const w = await pick(rt, 'co_managed', (s) => s.communityId === 'east-a');
    await rt.openCase({ type: 'handover', caseId: 'ho-stuck', subjectId: w.subjectId, reason: 'resigned', separationDate: '2026-03-01' });
    await rt.act('ho-stuck', { action: 'reject', reason: 'not ours' }, staff('co-east-a-1'), 'rej-1', 'east-a');
    await rt.advanceTo(at('2026-03-05', '23:00'), { jobs: false });
    expect((await caseOf(rt, 'ho-stuck')).case.level).toBe('street');
    await rt.advanceTo(at('2026-03-06', '00:00'), { jobs: false });
    expect((await caseOf(rt, 'ho-stuck')).case).toMatchObject({ level: 'district', queueOrgUnitId: 'tiny' });
  });

  it('a move across streets is visible to both streets until it closes', async () => {
    const rt = await testRuntime(at('2026-03-02'));
    const p = await pick(rt, 'primary', (s) => s.communityId === 'east-a');
    await rt.openCase({ type: 'handover', caseId: 'ho-move', subjectId: p.subjectId, reason: 'moved', separationDate: '2026-03-01', toCommunityId: 'west-a' });
    const ids = async (street: string) => (await rt.cases.listOpenUnder({ id: street, kind: 'street' })).items.map((c) => c.caseId);
    expect((await caseOf(rt, 'ho-move')).case).toMatchObject({ queueOrgUnitId: 'west-a', ownerStreetId: 'west', sendingStreetId: 'east' });
    expect(await ids('west')).toContain('ho-move');
    expect(await ids('east')).toContain('ho-move');
    await rt.act('ho-move', { action: 'acknowledge' }, staff('co-west-a-1'), 'ack-move', 'west-a');
    expect(await ids('east')).not.toContain('ho-move');
    expect(await ids('west')).not.toContain('ho-move');
    expect(await rt.register.getSubject(p.subjectId)).toMatchObject({ communityId: 'west-a' });
  });

  it('a due date in the National Day break moves to the first working day after it', async () => {
    const rt = await testRuntime(at('2026-09-07'));
    const w = await pick(rt, 'co_managed');
    await rt.openCase({ type: 'handover', caseId: 'ho-holiday', subjectId: w.subjectId, reason: 'resigned', separationDate: '2026-09-05' });
    const { case: c, timers } = await caseOf(rt, 'ho-holiday');
    // 30 days from 2026-09-05 is 2026-10-05, inside the Oct 1–7 break.
    expect(c).toMatchObject({ dueDate: '2026-10-08', provisional: false });
    expect(timers.find((t) => t.timerId.endsWith('#overdue'))?.at).toBe('2026-10-08T16:00:00.000Z');
    await rt.advanceTo(at('2026-10-08', '23:59'), { jobs: false });
    expect((await caseOf(rt, 'ho-holiday')).case.state).not.toBe('overdue');
    await rt.advanceTo(at('2026-10-09', '00:00'), { jobs: false });
    expect((await caseOf(rt, 'ho-holiday')).case.state).toBe('overdue');
  });

  it('a deadline in a year without an official schedule is flagged provisional', async () => {
    const rt = await testRuntime(at('2026-12-10'));
    const w = await pick(rt, 'co_managed');
    await rt.openCase({ type: 'handover', caseId: 'ho-2027', subjectId: w.subjectId, reason: 'resigned', separationDate: '2026-12-10' });
    expect((await caseOf(rt, 'ho-2027')).case).toMatchObject({ dueDate: '2027-01-11', provisional: true });
  });
});

describe('follow_up', () => {
  it('not reachable: done, with one retry case whose window opens 7 days later', async () => {
    const rt = await testRuntime(at('2026-03-02'));
    const p = await pick(rt, 'primary');
    await rt.openCase({ type: 'follow_up', caseId: 'fu-1', subjectId: p.subjectId, trigger: 'service', eventDate: '2026-03-02' });
    const { case: c } = await caseOf(rt, 'fu-1');
    expect(c).toMatchObject({ queueOrgUnitId: p.communityId, dueDate: '2026-03-16' });
    await rt.advanceTo(at('2026-03-05'), { jobs: false });
    await rt.act('fu-1', { action: 'record_outcome', outcome: 'not_reachable', date: '2026-03-05' }, staff(`co-${p.communityId}-1`), 'out-1', p.communityId);
    const open = await rt.cases.listForSubject(p.subjectId, 'open');
    expect(open).toHaveLength(1);
    const retry = open[0]!;
    expect(retry).toMatchObject({ type: 'follow_up', parentCaseId: 'fu-1', queueOrgUnitId: p.communityId });
    expect(retry.data).toMatchObject({ windowStart: '2026-03-12', attempt: 2 });
  });

  it('window closed without an outcome: overdue, escalated to the street', async () => {
    const rt = await testRuntime(at('2026-03-02'));
    const p = await pick(rt, 'primary');
    await rt.openCase({ type: 'follow_up', caseId: 'fu-late', subjectId: p.subjectId, trigger: 'birth', eventDate: '2026-03-02' });
    await rt.advanceTo(at('2026-03-17', '00:00'), { jobs: false });
    expect((await caseOf(rt, 'fu-late')).case).toMatchObject({ state: 'overdue', level: 'street' });
  });
});

describe('health_check', () => {
  it('absent opens a follow_up; no health detail is stored, only the outcome and date', async () => {
    const rt = await testRuntime(at('2026-03-02'));
    const m = await pick(rt, 'mobile');
    const opened = await rt.openCase({ type: 'health_check', subjectId: m.subjectId });
    const { case: c } = await caseOf(rt, opened.caseId);
    // Mobile: three periods a year (Jan–Apr, May–Aug, Sep–Dec); due at the period's end.
    expect(c).toMatchObject({ dueDate: '2026-04-30', queueOrgUnitId: m.communityId });
    await rt.advanceTo(at('2026-03-10'), { jobs: false });
    await rt.act(opened.caseId, { action: 'record_outcome', outcome: 'absent', date: '2026-03-10' }, staff(`co-${m.communityId}-1`), 'hc-1', m.communityId);
    const done = await caseOf(rt, opened.caseId);
    expect(done.case).toMatchObject({ status: 'done', state: 'absent' });
    const followUps = (await rt.cases.listForSubject(m.subjectId, 'open')).filter((x) => x.type === 'follow_up');
    expect(followUps).toHaveLength(1);
    expect(followUps[0]).toMatchObject({ parentCaseId: opened.caseId });
    expect(JSON.stringify(done)).not.toMatch(/diagnos|pregnan|iud|ring/i);
  });

  it('the generator opens one case per subject per period (co_managed in the unit queue), and again opens none', async () => {
    const rt = await testRuntime(at('2026-03-02'));
    const subjects = await allSubjects(rt);
    await rt.runJob({ kind: 'health_checks', at: rt.clock.now().toISOString(), periodOf: '2026-03-02' });
    const byOwner = new Map<string, Case[]>();
    for (const s of subjects) {
      const open = (await rt.cases.listForSubject(s.subjectId, 'open')).filter((c) => c.type === 'health_check');
      expect(open).toHaveLength(1);
      const expectedQueue = s.class === 'co_managed' ? s.unitId : s.communityId;
      expect(open[0]!.queueOrgUnitId).toBe(expectedQueue);
      byOwner.set(open[0]!.queueOrgUnitId, [...(byOwner.get(open[0]!.queueOrgUnitId) ?? []), open[0]!]);
    }
    await rt.runJob({ kind: 'health_checks', at: rt.clock.now().toISOString(), periodOf: '2026-03-02' });
    for (const s of subjects) expect((await rt.cases.listForSubject(s.subjectId, 'open')).filter((c) => c.type === 'health_check')).toHaveLength(1);
  });
});

describe('certificate_check', () => {
  it('missing opens a 30-day sub-case; valid produces feedback for the region of origin', async () => {
    const rt = await testRuntime(at('2026-03-02'));
    const m = await pick(rt, 'mobile');
    await rt.openCase({ type: 'certificate_check', caseId: 'cc-1', subjectId: m.subjectId, startDate: '2026-03-02' });
    expect((await caseOf(rt, 'cc-1')).case.dueDate).toBe('2026-03-17');
    await rt.advanceTo(at('2026-03-04'), { jobs: false });
    await rt.act('cc-1', { action: 'record_outcome', outcome: 'missing', date: '2026-03-04' }, staff(`co-${m.communityId}-1`), 'cc-out', m.communityId);
    const sub = (await rt.cases.listForSubject(m.subjectId, 'open')).find((c) => c.type === 'certificate_check');
    expect(sub).toMatchObject({ parentCaseId: 'cc-1', dueDate: '2026-04-03' });
    expect(sub!.data).toMatchObject({ task: 'apply' });
    await rt.advanceTo(at('2026-03-20'), { jobs: false });
    await rt.act(sub!.caseId, { action: 'record_outcome', outcome: 'valid', date: '2026-03-20' }, staff(`co-${m.communityId}-1`), 'cc-valid', m.communityId);
    const feedback = await rt.cases.pendingFeedback();
    expect(feedback.map((f) => [f.caseId, f.outcome])).toEqual([[sub!.caseId, 'valid']]);
  });
});

describe('recurring obligations', () => {
  it('across a month end and a year end: change reports and half-yearly unit notices open, late ones escalate', async () => {
    const rt = await testRuntime(at('2026-11-30', '12:00'));
    await rt.advanceTo(at('2026-12-01', '12:00'));
    const communities = rt.district.territory.ofKind('community').map((c) => c.id);
    for (const id of communities) expect((await caseOf(rt, `change_report:${id}:2026-12`)).case).toMatchObject({ dueDate: '2027-01-04', provisional: true, queueOrgUnitId: id }); // 2 January 2027 is a Saturday; 2027 has no official schedule yet
    // east-a files on time; the others do not.
    await rt.advanceTo(at('2026-12-31'));
    await rt.act('change_report:east-a:2026-12', { action: 'record_outcome', outcome: 'filed', date: '2026-12-31' }, staff('co-east-a-1'), 'file-1', 'east-a');

    await rt.advanceTo(at('2027-01-05', '12:00'));
    expect((await caseOf(rt, 'change_report:east-a:2026-12')).case).toMatchObject({ status: 'done', state: 'filed' });
    const late = (await caseOf(rt, 'change_report:east-b:2026-12')).case;
    expect(late).toMatchObject({ status: 'open', state: 'overdue', level: 'street', queueOrgUnitId: 'east' });
    // The new year's first month report is open, due on 2 February.
    for (const id of communities) expect((await caseOf(rt, `change_report:${id}:2027-01`)).case).toMatchObject({ status: 'open', dueDate: '2027-02-02' });
    // Each unit's notice for the second half of 2026 goes to each residence community of its co_managed subjects.
    const subjects = await allSubjects(rt);
    const pairs = new Set(subjects.filter((s) => s.class === 'co_managed').map((s) => `${s.unitId}:${s.communityId}`));
    expect(pairs.size).toBeGreaterThan(0);
    for (const pair of pairs) {
      const [unit, community] = pair.split(':');
      const notice = (await caseOf(rt, `unit_notice:${unit}:${community}:2026-H2`)).case;
      expect(notice).toMatchObject({ status: 'open', dueDate: '2027-01-15', ownerOrgUnitId: unit });
    }
  });
});

describe('bad input writes nothing', () => {
  it('refuses an unknown subject, a future separation, an impossible window and a senseless action', async () => {
    const rt = await testRuntime(at('2026-03-02'));
    const w = await pick(rt, 'co_managed');
    await expect(rt.openCase({ type: 'handover', caseId: 'x1', subjectId: 's-nobody', reason: 'resigned', separationDate: '2026-03-01' })).rejects.toMatchObject({ name: 'CaseRejected' });
    await expect(rt.openCase({ type: 'handover', caseId: 'x2', subjectId: w.subjectId, reason: 'resigned', separationDate: '2026-04-01' })).rejects.toMatchObject({ name: 'CaseRejected' });
    await expect(
      rt.openCase({ type: 'follow_up', caseId: 'x3', subjectId: w.subjectId, trigger: 'manual', eventDate: '2026-03-02', windowStart: '2026-03-10', windowEnd: '2026-03-05' }),
    ).rejects.toMatchObject({ name: 'CaseRejected' });
    await expect(rt.openCase({ type: 'handover', caseId: 'x4', subjectId: w.subjectId, reason: 'resigned', separationDate: '2026-03-01', toCommunityId: 'elsewhere-district-community' })).rejects.toMatchObject({ name: 'CaseRejected' });
    for (const id of ['x1', 'x2', 'x3', 'x4']) expect(await rt.cases.get(id)).toBeUndefined();

    await rt.openCase({ type: 'follow_up', caseId: 'fu-ok', subjectId: w.subjectId, trigger: 'manual', eventDate: '2026-03-02' });
    const before = await caseOf(rt, 'fu-ok');
    await expect(rt.act('fu-ok', { action: 'acknowledge' }, staff(`co-${w.communityId}-1`), 'bad-1', w.communityId)).rejects.toMatchObject({ name: 'CaseRejected' });
    await expect(rt.act('fu-ok', { action: 'record_outcome', outcome: 'cured', date: '2026-03-02' }, staff(`co-${w.communityId}-1`), 'bad-2', w.communityId)).rejects.toMatchObject({ name: 'CaseRejected' });
    expect(await caseOf(rt, 'fu-ok')).toEqual(before);
  });
});
