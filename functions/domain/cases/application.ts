// 申请: an application received by a community (what for: a code from the district's list, e.g. 生育服务登记). The
// community gives its opinion within 3 working days and forwards it to its street, which decides within 5 working
// days (source: 社区居委会 … 3个工作日内加具意见 … 5个工作日内送街道人口计生办审批). A late opinion goes to the
// street, a late decision to the district. The decision goes back to the community as a notice. On time only if
// both steps were.
import * as z from 'zod';
import { endOfBusinessDay } from '../time';
import { caseIdField, isoDate, subjectRef } from './commands';
import {
  clean,
  dueTimers,
  invalid,
  notify,
  str,
  todayOf,
  withoutKeys,
  type Effect,
  type MachineContext,
  type Opening,
  type Rejection,
} from './decision';
import type { CaseTypeModule, Handler, MachineDef, StateDef } from './machine';
import { higher, queueOrgUnitFor, openInSubjectCommunity, workerRole } from './routing';
import { subjectData } from './subject';

export const applicationInput = z.strictObject({
  type: z.literal('application'),
  caseId: caseIdField,
  subject: subjectRef,
  /** What is applied for: a code from the district config's `applications` list. */
  code: z.string().min(1).max(40),
  /** The day the community received it: the opinion's 3 working days count from it. */
  receivedOn: isoDate,
  parentCaseId: caseIdField.optional(),
});
type Input = z.output<typeof applicationInput>;

export const opinions = ['supported', 'not_supported'] as const;
export const decisions = ['approved', 'refused'] as const;

/** A step: its own outcomes, escalation, reminders and overdue, which keep the step (the level says where it sits). */
const step = (self: string, next: readonly string[], means: string): StateDef => ({
  status: 'open',
  means,
  on: { record_outcome: next, escalate: [self], cancel: ['cancelled'], remind: [self], overdue: [self], escalate_district: [self] },
});

const machine: MachineDef = {
  type: 'application',
  initial: ['awaiting_opinion'],
  outcomes: [...decisions],
  states: {
    awaiting_opinion: step('awaiting_opinion', ['awaiting_decision'], 'with the community for its opinion'),
    awaiting_decision: step('awaiting_decision', decisions, "with the street for its decision"),
    approved: { status: 'done', on: {} },
    refused: { status: 'done', on: {} },
    cancelled: { status: 'cancelled', on: {} },
  },
};

function open(input: Input, ctx: MachineContext): Opening | Rejection {
  const today = todayOf(ctx);
  const { subject } = input;
  if (!ctx.territory.applicationCodes.has(input.code))
    return invalid(`"${input.code}" is not an application code of district ${ctx.territory.districtId} (one of: ${[...ctx.territory.applicationCodes].join(', ') || 'none configured'})`);
  if (input.receivedOn > today) return invalid(`the date it was received (${input.receivedOn}) is in the future (today is ${today})`);
  return openInSubjectCommunity(ctx.territory, input, {
    state: 'awaiting_opinion',
    due: ctx.deadline(ctx.rules.application.opinion, input.receivedOn),
    data: clean({ ...subjectData(subject), code: input.code, receivedOn: input.receivedOn }),
    effects: [],
    reason: input.code,
  });
}

const recordOutcome: Handler<'record_outcome'> = (c, cmd, ctx, seq) => {
  const today = todayOf(ctx);
  if (cmd.toCommunityId !== undefined) return invalid('toCommunityId goes with a follow_up outcome of moved_away only');
  if (cmd.date > today) return invalid(`the outcome date ${cmd.date} is in the future (today is ${today})`);
  if (c.state === 'awaiting_opinion') {
    if (!(opinions as readonly string[]).includes(cmd.outcome)) return invalid(`"${cmd.outcome}" is not a community opinion (one of: ${opinions.join(', ')})`);
    const receivedOn = str(c.data, 'receivedOn');
    if (receivedOn && cmd.date < receivedOn) return invalid(`the outcome date ${cmd.date} is before ${receivedOn}, when this case's task began`);
    // Forwarded to the street today: its 5 working days count from the day the opinion reaches it.
    const due = ctx.deadline(ctx.rules.application.decision, today);
    const level = higher(c.level, 'street');
    const queue = queueOrgUnitFor(level, c.ownerOrgUnitId, ctx.territory);
    const effects: Effect[] = [
      { kind: 'cancel_all_timers', caseId: c.caseId },
      ...dueTimers(c.caseId, due.date, ctx.rules.application.remindDaysBefore, ctx),
      notify(c.caseId, seq, 'application.forwarded', queue, workerRole[level], { dueDate: due.date }),
    ];
    return {
      state: 'awaiting_decision',
      level,
      due,
      // The step's reminders and overdue mark start afresh; the opinion step's timing is kept for the on-time count.
      data: {
        ...withoutKeys(c.data, 'remindersSent', 'overdue', 'overdueSince', 'districtDueAt', 'districtDueDate'),
        opinion: cmd.outcome,
        opinionOn: cmd.date,
        opinionDueDate: c.dueDate,
        opinionOnTime: ctx.now <= c.dueAt,
      },
      effects,
    };
  }
  if (!(decisions as readonly string[]).includes(cmd.outcome)) return invalid(`"${cmd.outcome}" is not a decision on an application (one of: ${decisions.join(', ')})`);
  const from = str(c.data, 'opinionOn');
  if (from && cmd.date < from) return invalid(`the outcome date ${cmd.date} is before ${from}, when this case's task began`);
  return {
    state: cmd.outcome,
    data: { ...c.data, outcome: cmd.outcome, outcomeDate: cmd.date },
    // The decision goes back to the community that received the application.
    effects: [{ kind: 'cancel_all_timers', caseId: c.caseId }, notify(c.caseId, seq, 'application.decided', c.ownerOrgUnitId, 'community_officer', { date: cmd.date })],
  };
};

/** Late opinion: to the street, its manager told. Late decision: to the district, its manager told. */
const overdue: Handler<'overdue'> = (c, _cmd, ctx, seq) => {
  if (!(ctx.now > c.dueAt)) return { ok: false, code: 'not_allowed', reason: `the case is not past its due date (${c.dueDate})` };
  if (c.data.overdue === true) return { ok: false, code: 'not_allowed', reason: 'the case is already overdue' };
  const data = { ...c.data, overdue: true, overdueSince: todayOf(ctx) };
  if (c.state === 'awaiting_decision') {
    return {
      state: c.state,
      level: 'district',
      data,
      effects: [notify(c.caseId, seq, 'application.decision_overdue', ctx.territory.districtId, 'district_manager', { dueDate: c.dueDate })],
      reason: `decision due ${c.dueDate} passed`,
    };
  }
  return {
    state: c.state,
    level: higher(c.level, 'street'),
    data,
    effects: [notify(c.caseId, seq, 'application.overdue', c.ownerStreetId, 'street_manager', { dueDate: c.dueDate })],
    reason: `opinion due ${c.dueDate} passed`,
  };
};

export const application: CaseTypeModule<Input> = {
  machine,
  notifyOnOpen: true,
  open,
  handlers: { record_outcome: recordOutcome, overdue },
  permissions: {
    // The opinion is the community's own; the decision is the street's (or the district's, above it).
    record_outcome: {
      who: (c) => (c.state === 'awaiting_opinion' ? 'the community that received the application' : "the community's street or the district"),
      may: (c, org, ctx) => (c.state === 'awaiting_opinion' ? org === c.ownerOrgUnitId : org === c.ownerStreetId || ctx.territory.get(org)?.kind === 'district'),
    },
  },
};
