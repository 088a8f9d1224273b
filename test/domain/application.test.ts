// 申请: the community's opinion in 3 working days, then the street's decision in 5; each step escalates when late;
// the decision goes back to the community; on time only if both steps were.
import { describe, expect, it } from 'vitest';
import { WorkCalendar } from '../../functions/domain/calendar';
import type { Case } from '../../functions/domain/case';
import { allowedActions, decide, machines, openCase, permittedActions, type Decision, type MachineContext, type NotifyEffect, type OpenCaseInput, type Rejection, type SetTimerEffect } from '../../functions/domain/case-machines';
import { districtConfig } from '../../functions/domain/district-config';
import { closedOnTime } from '../../functions/domain/reports';
import { defaultRules } from '../../functions/domain/rules';
import { Territory } from '../../functions/domain/territory';
import { businessInstant, startOfBusinessDay } from '../../functions/domain/time';

const name = (en: string) => ({ zh: `${en}区`, en });
const config = {
  id: 'testd',
  name: name('Test'),
  streets: [
    { id: 's1', name: name('One'), character: 'urban', communities: [{ id: 'c1', name: name('C1'), checkDays: ['03-16'] }] },
    { id: 's2', name: name('Two'), character: 'urban', communities: [{ id: 'c2', name: name('C2'), checkDays: ['03-16'] }] },
  ],
  units: [],
  staff: [{ id: 'dm', name: '区', role: 'district_manager', orgUnitId: 'testd', phone: '+8613800000001', email: 'dm@example.org' }],
  register: { primary: 1, co_managed: 0, mobile: 0 },
  applications: [
    { code: 'birth_service_registration', name: { zh: '生育服务登记', en: 'Birth service registration' } },
    { code: 'one_child_certificate', name: { zh: '独生子女父母光荣证', en: "One-child parents' certificate" } },
  ],
};
const territory = new Territory(districtConfig.parse(config));
const calendar = new WorkCalendar();
const staff = (org: string) => ({ actor: { kind: 'staff' as const, staffId: `st-${org}` }, actorOrgUnitId: org });
const system = { actor: { kind: 'system' as const, process: 'timer' } };
const ctx = (date: string, who: Pick<MachineContext, 'actor' | 'actorOrgUnitId'> = system, hhmm = '10:00'): MachineContext => ({
  now: businessInstant(date, hhmm),
  ...who,
  territory,
  rules: defaultRules,
  deadline: (r, s) => calendar.deadline(r, s),
});
const ok = (r: Decision | Rejection): Decision => {
  if (!r.ok) throw new Error(r.reason);
  return r;
};
const input = (over: Partial<Extract<OpenCaseInput, { type: 'application' }>> = {}): OpenCaseInput => ({
  type: 'application',
  caseId: 'ap-1',
  subject: { subjectId: 'p1', class: 'primary', communityId: 'c1' },
  code: 'birth_service_registration',
  receivedOn: '2025-09-29',
  ...over,
});
const notices = (d: Decision) => d.effects.filter((e): e is NotifyEffect => e.kind === 'notify');
const timer = (d: Decision, action: string) => d.effects.find((e): e is SetTimerEffect => e.kind === 'set_timer' && e.command.action === action);

describe('application', () => {
  it('opens at the community, its opinion due 3 working days after receipt (across National Day 2025)', () => {
    const d = ok(openCase(input(), ctx('2025-09-29', staff('c1'))));
    // Received Monday 29 Sep: 30 Sep, then 1–8 October off, 9 and 10 October.
    expect(d.case).toMatchObject({ type: 'application', state: 'awaiting_opinion', ownerOrgUnitId: 'c1', queueOrgUnitId: 'c1', level: 'community', dueDate: '2025-10-10', provisional: false, data: { code: 'birth_service_registration', receivedOn: '2025-09-29' } });
    expect(notices(d).map((n) => [n.template, n.recipient.orgUnitId])).toEqual([['application.opened', 'c1']]);
    expect(allowedActions(d.case)).toEqual(['record_outcome', 'escalate', 'cancel']);
  });

  it('refuses a code not in the district list, and a receipt date in the future', () => {
    expect(openCase(input({ code: 'pregnancy_test' }), ctx('2025-09-29', staff('c1')))).toMatchObject({ ok: false, code: 'invalid', reason: expect.stringMatching(/not an application code.*birth_service_registration, one_child_certificate/) });
    expect(openCase(input({ receivedOn: '2025-09-30' }), ctx('2025-09-29', staff('c1')))).toMatchObject({ ok: false, reason: expect.stringMatching(/in the future/) });
  });

  it('the community gives its opinion: forwarded to its street, decision due 5 working days later, reminders start afresh', () => {
    const c = ok(openCase(input(), ctx('2025-09-29', staff('c1')))).case;
    expect(decide(c, { action: 'record_outcome', outcome: 'supported', date: '2025-09-30' }, ctx('2025-09-30', staff('s1')))).toMatchObject({ ok: false, code: 'not_allowed', reason: 'record_outcome is only for the community that received the application' });
    expect(decide(c, { action: 'record_outcome', outcome: 'approved', date: '2025-09-30' }, ctx('2025-09-30', staff('c1')))).toMatchObject({ ok: false, code: 'invalid' });
    const d = ok(decide(c, { action: 'record_outcome', outcome: 'supported', date: '2025-09-30' }, ctx('2025-09-30', staff('c1'))));
    expect(d.case).toMatchObject({ state: 'awaiting_decision', status: 'open', level: 'street', queueOrgUnitId: 's1', ownerOrgUnitId: 'c1', dueDate: '2025-10-14', data: { opinion: 'supported', opinionOn: '2025-09-30', opinionDueDate: '2025-10-10', opinionOnTime: true } });
    expect(d.effects[0]).toEqual({ kind: 'cancel_all_timers', caseId: 'ap-1' });
    expect(timer(d, 'overdue')?.at).toBe(startOfBusinessDay('2025-10-15'));
    expect(timer(d, 'remind')?.at).toBe(businessInstant('2025-10-14', defaultRules.reminderTime));
    expect(notices(d).map((n) => [n.template, n.recipient.orgUnitId, n.recipient.role])).toEqual([['application.forwarded', 's1', 'street_officer']]);
    // The community cannot decide; the street (or the district) does, and the decision goes back to the community.
    expect(permittedActions(d.case, ctx('2025-10-09', staff('c1')))).toEqual(['cancel']);
    expect(permittedActions(d.case, ctx('2025-10-09', staff('s1')))).toEqual(['record_outcome', 'escalate', 'cancel']);
    expect(permittedActions(d.case, ctx('2025-10-09', staff('s2')))).toEqual([]);
    const done = ok(decide(d.case, { action: 'record_outcome', outcome: 'approved', date: '2025-10-09' }, ctx('2025-10-09', staff('s1'))));
    expect(done.case).toMatchObject({ status: 'done', state: 'approved', data: { outcome: 'approved', outcomeDate: '2025-10-09' } });
    expect(notices(done).map((n) => [n.template, n.recipient.orgUnitId, n.recipient.role, n.params])).toEqual([['application.decided', 'c1', 'community_officer', { date: '2025-10-09' }]]);
    expect(closedOnTime(done.case)).toBe(true);
  });

  it('a late opinion goes to the street; a late decision to the district; on time only if both were', () => {
    const c = ok(openCase(input(), ctx('2025-09-29', staff('c1')))).case;
    const late = ok(decide(c, { action: 'overdue' }, ctx('2025-10-11', system, '00:00')));
    expect(late.case).toMatchObject({ level: 'street', queueOrgUnitId: 's1', state: 'awaiting_opinion', data: { overdue: true } });
    expect(notices(late).map((n) => [n.template, n.recipient.orgUnitId, n.recipient.role])).toEqual([['application.overdue', 's1', 'street_manager']]);
    // The opinion, late: the overdue mark is cleared for the street's own step.
    const fwd = ok(decide(late.case, { action: 'record_outcome', outcome: 'not_supported', date: '2025-10-13' }, ctx('2025-10-13', staff('c1'))));
    expect(fwd.case).toMatchObject({ level: 'street', dueDate: '2025-10-20', data: { opinionOnTime: false } });
    expect(fwd.case.data.overdue).toBeUndefined();
    const lateDecision = ok(decide(fwd.case, { action: 'overdue' }, ctx('2025-10-21', system, '00:00')));
    expect(lateDecision.case).toMatchObject({ level: 'district', queueOrgUnitId: 'testd' });
    expect(notices(lateDecision).map((n) => [n.template, n.recipient.role])).toEqual([['application.decision_overdue', 'district_manager']]);
    const decided = ok(decide(fwd.case, { action: 'record_outcome', outcome: 'refused', date: '2025-10-16' }, ctx('2025-10-16', staff('testd'))));
    // The decision was in time, the opinion was not: the application was not handled on time.
    expect(decided.case.closedAt! <= decided.case.dueAt).toBe(true);
    expect(closedOnTime(decided.case)).toBe(false);
  });

  it('is drawn from its machine: two steps, two decisions', () => {
    expect(machines.application.initial).toEqual(['awaiting_opinion']);
    expect(machines.application.states.awaiting_opinion!.on.record_outcome).toEqual(['awaiting_decision']);
    expect(machines.application.outcomes).toEqual(['approved', 'refused']);
  });
});

describe('application codes in the district config', () => {
  it('a code listed twice is refused with its path', () => {
    const r = districtConfig.safeParse({ ...config, applications: [...config.applications, { code: 'one_child_certificate', name: { zh: '重复', en: 'dup' } }] });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => [i.path.join('.'), i.message])).toEqual([['applications.2.code', 'application code "one_child_certificate" is already listed at applications[1]']]);
  });
  it('a late-report window below 1 is refused with its path', () => {
    const r = districtConfig.safeParse({ ...config, rules: { handover: { lateReportWindow: { days: 0 } } } });
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.'))).toEqual(['rules.handover.lateReportWindow.days']);
  });
});
