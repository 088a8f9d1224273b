// Every due date goes through the one deadline function (WorkCalendar.deadline): none falls on a rest day, none
// bypasses the calendar, and a year without an official schedule is flagged provisional. On the official 2025 and
// 2026 schedules (chinese-days) and on 2027, which has none yet.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { WorkCalendar, type CalendarResult, type DeadlineRule } from '../../functions/domain/calendar';
import type { Case } from '../../functions/domain/case';
import { decide, openCase, type Decision, type MachineContext, type OpenCaseInput, type Rejection, type SetTimerEffect, type SubjectRef } from '../../functions/domain/case-machines';
import { districtConfig } from '../../functions/domain/district-config';
import { lateReportingReport } from '../../functions/domain/reports';
import { defaultRules, resolveRules, type RoutingRules } from '../../functions/domain/rules';
import { Territory } from '../../functions/domain/territory';
import { addCalendarDays, businessDateOf, businessInstant, startOfBusinessDay, type BusinessDate } from '../../functions/domain/time';

const name = (en: string) => ({ zh: `${en}区`, en });
const territory = new Territory(
  districtConfig.parse({
    id: 'testd',
    name: name('Test District'),
    streets: [
      { id: 's1', name: name('One'), character: 'urban', communities: [{ id: 'c1', name: name('C1'), checkDays: ['03-15', '07-15', '11-15'] }, { id: 'c2', name: name('C2'), checkDays: ['04-10'] }] },
      { id: 's2', name: name('Two'), character: 'rural', communities: [{ id: 'c3', name: name('C3'), checkDays: ['05-20'] }] },
    ],
    units: [{ id: 'u1', name: name('U1'), streetId: 's1' }, { id: 'u2', name: name('U2'), streetId: 's2' }],
    staff: [{ id: 'dm', name: '区', role: 'district_manager', orgUnitId: 'testd', phone: '+8613800000001', email: 'dm@example.org' }],
    register: { primary: 1, co_managed: 1, mobile: 1 },
  }),
);
const calendar = new WorkCalendar();

/** The real deadline function, recording every result it gave: a due date not among them bypassed the calendar. */
function recording() {
  const given: CalendarResult[] = [];
  const deadline = (rule: DeadlineRule, start: BusinessDate) => {
    const r = calendar.deadline(rule, start);
    given.push(r);
    return r;
  };
  return { given, deadline };
}
const system = { actor: { kind: 'system' as const, process: 'test' } };
const staff = (org: string) => ({ actor: { kind: 'staff' as const, staffId: `st-${org}` }, actorOrgUnitId: org });
function ctxAt(date: BusinessDate, deadline: MachineContext['deadline'], who: Pick<MachineContext, 'actor' | 'actorOrgUnitId'> = system, rules: RoutingRules = defaultRules): MachineContext {
  return { now: businessInstant(date, '10:00'), ...who, territory, rules, deadline };
}
function ok(r: Decision | Rejection): Decision {
  if (!r.ok) throw new Error(`unexpected rejection: ${r.reason}`);
  return r;
}

const subjects: Record<string, SubjectRef> = {
  coManaged: { subjectId: 'p1', class: 'co_managed', communityId: 'c1', unitId: 'u1' },
  primary: { subjectId: 'p2', class: 'primary', communityId: 'c2' },
  mobile: { subjectId: 'p3', class: 'mobile', communityId: 'c3' },
  implant: { subjectId: 'p4', class: 'primary', communityId: 'c1', implantUntil: '2030-01-01' },
};

/** Every opener, started on `start` and reported `lag` days later. */
function openers(start: BusinessDate, lag: number): OpenCaseInput[] {
  const month = start.slice(0, 7);
  const half = `${start.slice(0, 4)}-H${Number(start.slice(5, 7)) <= 6 ? 1 : 2}`;
  return [
    { type: 'handover', caseId: 'h', subject: subjects.coManaged!, reason: 'resigned', separationDate: start },
    { type: 'handover', caseId: 'hm', subject: subjects.primary!, reason: 'moved', separationDate: start, toCommunityId: 'c3' },
    { type: 'handover', caseId: 'hu', subject: subjects.primary!, reason: 'moved', separationDate: start },
    { type: 'follow_up', caseId: 'f', subject: subjects.primary!, trigger: 'service', eventDate: start },
    { type: 'follow_up', caseId: 'fw', subject: subjects.primary!, trigger: 'manual', eventDate: start, windowEnd: addCalendarDays(start, lag + 3) },
    ...Object.values(subjects).map((subject): OpenCaseInput => ({ type: 'health_check', subject, periodOf: addCalendarDays(start, lag) })),
    ...(['verify', 'apply', 'renew'] as const).map((task): OpenCaseInput => ({ type: 'certificate_check', caseId: `cc-${task}`, subject: subjects.mobile!, task, startDate: start })),
    { type: 'unit_notice', unitId: 'u1', communityId: 'c1', period: half },
    { type: 'change_report', communityId: 'c1', month },
  ];
}

/** A due date's day and every `*DueDate` a case carries. */
function dueDates(c: Case): BusinessDate[] {
  return [c.dueDate, ...Object.entries(c.data).filter(([k, v]) => /DueDate$/.test(k) && k !== 'statutoryDueDate' && typeof v === 'string').map(([, v]) => v as string)];
}

function checkDecision(d: Decision, given: CalendarResult[]) {
  for (const date of dueDates(d.case)) {
    expect(calendar.isWorkingDay(date), `${d.case.caseId}: ${date} is a rest day`).toBe(true);
    expect(given.some((g) => g.date === date), `${d.case.caseId}: ${date} did not come from the deadline function`).toBe(true);
  }
  const year = Number(d.case.dueDate.slice(0, 4));
  if (!calendar.hasOfficialSchedule(year)) expect(d.case.provisional, `${d.case.caseId} due ${d.case.dueDate}`).toBe(true);
  // Every deadline timer fires from a due date the case carries: overdue and re-route after their day, district at its start.
  for (const t of d.effects.filter((e): e is SetTimerEffect => e.kind === 'set_timer')) {
    if (t.command.action === 'overdue') expect(t.at).toBe(startOfBusinessDay(addCalendarDays(d.case.dueDate, 1)));
    if (t.timerId.endsWith('#reroute_due')) expect(t.at).toBe(startOfBusinessDay(addCalendarDays(String(d.case.data.rerouteDueDate), 1)));
    if (t.timerId.endsWith('#escalate_district')) expect(t.at).toBe(startOfBusinessDay(String(d.case.data.districtDueDate)));
  }
}

describe('every due date through the one deadline function', () => {
  it('property: every opener and every timer, any day 2025–2027, no due date on a rest day and none beside the calendar', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 3 * 365 - 60 }), fc.integer({ min: 0, max: 40 }), (offset, lag) => {
        const start = addCalendarDays('2025-01-01', offset);
        const today = addCalendarDays(start, lag);
        for (const input of openers(start, lag)) {
          const { given, deadline } = recording();
          const r = openCase(input, ctxAt(today, deadline, staff('u1')));
          if (!r.ok) continue; // e.g. a period already over: nothing opened, nothing due
          checkDecision(r, given);
          // The timers: overdue (→ district timer), and for a handover a rejection (→ re-route timer).
          const afterDue = addCalendarDays(r.case.dueDate, 1);
          const o = decide(r.case, { action: 'overdue' }, ctxAt(afterDue, deadline));
          if (o.ok) checkDecision(o, given);
          if (r.case.type === 'handover' && r.case.state === 'awaiting_ack') checkDecision(ok(decide(r.case, { action: 'reject', reason: 'not here' }, ctxAt(today, deadline, staff(r.case.ownerOrgUnitId)))), given);
        }
      }),
      { numRuns: 150 },
    );
  });

  it('the monthly change report due on the 2nd moves past a holiday: May and October every year, 2 Feb 2025, 2 Jan 2026', () => {
    const due = (month: string, today: string) => ok(openCase({ type: 'change_report', communityId: 'c1', month }, ctxAt(today, (r, s) => calendar.deadline(r, s)))).case;
    expect(due('2025-04', '2025-04-01').dueDate).toBe('2025-05-06'); // 1–5 May off
    expect(due('2025-09', '2025-09-01').dueDate).toBe('2025-10-09'); // 1–8 October off
    expect(due('2025-01', '2025-01-01').dueDate).toBe('2025-02-05'); // Spring Festival 28 Jan – 4 Feb
    expect(due('2025-12', '2025-12-01').dueDate).toBe('2026-01-04'); // 1–3 January off; Sunday 4 January is a working day
    expect(due('2026-04', '2026-04-01').dueDate).toBe('2026-05-06'); // 1–5 May off
    expect(due('2026-09', '2026-09-01').dueDate).toBe('2026-10-08'); // 1–7 October off
    expect(due('2025-06', '2025-06-01')).toMatchObject({ dueDate: '2025-07-02', provisional: false });
    // 2027 has no official schedule yet: 2 May 2027 is a Sunday; Monday 3 May on weekends alone, flagged.
    expect(due('2027-04', '2027-04-01')).toMatchObject({ dueDate: '2027-05-03', provisional: true });
  });

  it("a health check's due date is its period's end, moved off a rest day", () => {
    const open = (subject: SubjectRef, today: string) => ok(openCase({ type: 'health_check', subject }, ctxAt(today, (r, s) => calendar.deadline(r, s)))).case;
    expect(open(subjects.mobile!, '2025-05-02')).toMatchObject({ dueDate: '2025-09-01', provisional: false, data: { periodEnd: '2025-08-31' } }); // a Sunday
    expect(open(subjects.primary!, '2026-07-02')).toMatchObject({ dueDate: '2026-12-31', provisional: false });
    expect(open(subjects.mobile!, '2027-01-05')).toMatchObject({ dueDate: '2027-04-30', provisional: true });
  });
});

describe('late reports: the 30 days stay the sender\'s duty', () => {
  const separation = (separationDate: string): OpenCaseInput => ({ type: 'handover', caseId: 'h-late', subject: subjects.coManaged!, reason: 'resigned', separationDate });
  const real = (r: DeadlineRule, s: BusinessDate) => calendar.deadline(r, s);

  it('reported within its 30 days: due at the 30 days, nothing marked', () => {
    const c = ok(openCase(separation('2025-03-01'), ctxAt('2025-03-31', real, staff('u1')))).case;
    expect(c.dueDate).toBe('2025-03-31');
    expect(c.data.reportedLate).toBeUndefined();
  });

  it("reported after them: the unit's delay is marked and the community gets 5 working days from the report", () => {
    // Due 31 January 2025, in the Spring Festival break: the 30 days ended on 5 February. Reported 5 March: 28 days late.
    const d = ok(openCase(separation('2025-01-01'), ctxAt('2025-03-05', real, staff('u1'))));
    expect(d.case).toMatchObject({ dueDate: '2025-03-12', queueOrgUnitId: 'c1', level: 'community', data: { reportedLate: true, statutoryDueDate: '2025-02-05', reportDelayDays: 28, fromOrgUnitId: 'u1' } });
    // Not overdue on arrival: the overdue timer waits for the fair window.
    const overdue = d.effects.find((e): e is SetTimerEffect => e.kind === 'set_timer' && e.command.action === 'overdue');
    expect(overdue?.at).toBe(startOfBusinessDay('2025-03-13'));
    expect(decide(d.case, { action: 'overdue' }, ctxAt('2025-03-12', real))).toMatchObject({ ok: false });
    // Over the Labour Day break the window skips the holiday: reported 30 April 2025 → 6, 7, 8, 9, 12 May.
    expect(ok(openCase(separation('2025-03-01'), ctxAt('2025-04-30', real, staff('u1')))).case.dueDate).toBe('2025-05-12');
  });

  it('the window is configurable, and a window below 1 is refused with its path', () => {
    const rules = resolveRules({ handover: { lateReportWindow: { days: 2 } } });
    expect(ok(openCase(separation('2025-01-01'), ctxAt('2025-03-05', real, staff('u1'), rules))).case.dueDate).toBe('2025-03-07');
    expect(() => resolveRules({ handover: { lateReportWindow: { days: 0 } } })).toThrow(/rules\.handover\.lateReportWindow\.days/);
  });

  it('late reporting by unit and street', () => {
    const open = (caseId: string, subject: SubjectRef, separationDate: string, today: string) =>
      ok(openCase({ type: 'handover', caseId, subject, reason: 'dismissed', separationDate }, ctxAt(today, real, staff(subject.unitId!)))).case;
    const u2: SubjectRef = { subjectId: 'p9', class: 'co_managed', communityId: 'c3', unitId: 'u2' };
    const cases = [
      open('a', subjects.coManaged!, '2025-01-01', '2025-03-05'), // 28 days late
      open('b', subjects.coManaged!, '2025-02-01', '2025-03-20'), // due 2025-03-03: 17 days late
      open('c', u2, '2025-02-10', '2025-03-20'), // due 2025-03-12: 8 days late
      open('d', u2, '2025-03-01', '2025-03-20'), // on time: not counted
    ];
    const r = lateReportingReport({ orgUnitId: 'testd', cases, territory, from: '2025-03-01', to: '2025-03-31' });
    expect(r.reporters).toEqual([
      { reporterId: 'u1', streetId: 's1', cases: 2, totalDelayDays: 45, maxDelayDays: 28 },
      { reporterId: 'u2', streetId: 's2', cases: 1, totalDelayDays: 8, maxDelayDays: 8 },
    ]);
    expect(r.streets).toEqual([{ streetId: 's1', cases: 2, totalDelayDays: 45 }, { streetId: 's2', cases: 1, totalDelayDays: 8 }]);
    expect(lateReportingReport({ orgUnitId: 's2', cases, territory, from: '2025-03-01', to: '2025-03-31' }).reporters.map((x) => x.reporterId)).toEqual(['u2']);
    expect(lateReportingReport({ orgUnitId: 'testd', cases, territory, from: '2025-03-06', to: '2025-03-31' }).reporters[0]).toMatchObject({ reporterId: 'u1', cases: 1 });
  });
});
