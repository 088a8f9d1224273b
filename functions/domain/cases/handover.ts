// 手续移交: a subject's file moves from her employer unit (a separation) or her old community (a move) to the
// receiving community, which acknowledges it, or rejects it to its street for re-routing.
import * as z from 'zod';
import type { Case, QueueLevel } from '../case';
import type { BusinessDate } from '../time';
import { daysBetween, endOfBusinessDay } from '../time';
import { caseIdField, isoDate, orgId, subjectRef } from './commands';
import {
  afterDate,
  clean,
  invalid,
  notify,
  num,
  str,
  timerId,
  todayOf,
  withoutKeys,
  type ChangeSubjectEffect,
  type Data,
  type Effect,
  type MachineContext,
  type Opening,
  type Rejection,
  type SetTimerEffect,
} from './decision';
import { commonPermissions, type Permission } from './authorization';
import type { StaffAction } from './commands';
import { cancelled, common, done, type CaseTypeModule, type Handler, type MachineDef, type StateDef } from './machine';
import { higher, queueOrgUnitFor, requireKind, roleForOrg, workerRole } from './routing';
import { subjectData } from './subject';

export const handoverReasons = ['resigned', 'dismissed', 'removed', 'moved'] as const;

export const handoverInput = z.strictObject({
  type: z.literal('handover'),
  caseId: caseIdField,
  subject: subjectRef,
  /** resigned / dismissed / removed: she left her employer unit; moved: she moved to another community. */
  reason: z.enum(handoverReasons),
  /** The separation or move date: the 30 days count from it. */
  separationDate: isoDate,
  /** Where she now lives. For a separation it defaults to her residence community; for a move, unknown → the street routes it. */
  toCommunityId: orgId.optional(),
  parentCaseId: caseIdField.optional(),
});
type Input = z.output<typeof handoverInput>;

const awaiting = (self: string, means: string): StateDef => ({
  status: 'open',
  means,
  on: {
    acknowledge: ['acknowledged'],
    reject: ['rerouting'],
    ...(self === 'awaiting_ack' ? {} : { reassign: ['awaiting_ack', 'overdue'] }),
    ...common(self),
  },
});

const machine: MachineDef = {
  type: 'handover',
  initial: ['awaiting_ack', 'rerouting'],
  outcomes: [],
  states: {
    awaiting_ack: awaiting('awaiting_ack', 'with the receiving community, which acknowledges it; the street re-routes it only after the receiving community rejects it'),
    escalated: awaiting('escalated', 'escalated above the receiving community'),
    overdue: awaiting('overdue', 'overdue and with the street'),
    rerouting: {
      status: 'open',
      means: 'already rejected and with the street for re-routing; it can be acknowledged once it is reassigned to a community',
      on: { reassign: ['awaiting_ack', 'overdue'], ...common('rerouting') },
    },
    acknowledged: done(),
    cancelled: cancelled(),
  },
};

function rerouteDeadline(ctx: MachineContext): { date: BusinessDate; data: Data } {
  const r = ctx.deadline(ctx.rules.handover.reroute, todayOf(ctx));
  return { date: r.date, data: { rerouteDueDate: r.date, rerouteDueAt: endOfBusinessDay(r.date), rerouteProvisional: r.provisional } };
}
function rerouteTimer(caseId: string, date: BusinessDate): SetTimerEffect {
  return { kind: 'set_timer', timerId: timerId(caseId, 'reroute_due'), caseId, at: afterDate(date), command: { action: 'escalate_district' } };
}

function open(input: Input, ctx: MachineContext): Opening | Rejection {
  const { subject, separationDate } = input;
  const today = todayOf(ctx);
  if (separationDate > today) return invalid(`the separation date ${separationDate} is in the future (today is ${today})`);
  let from: string;
  let to: string | undefined;
  if (input.reason === 'moved') {
    from = subject.communityId;
    to = input.toCommunityId;
    const bad = requireKind(ctx.territory, from, 'community', 'the sending community');
    if (bad) return bad;
    if (to === from) return invalid(`the subject already lives in "${from}": a move needs another community`);
  } else {
    if (subject.class !== 'co_managed' || !subject.unitId) return invalid(`a separation (${input.reason}) is from an employer unit: the subject must be co_managed with a unit`);
    from = subject.unitId;
    to = input.toCommunityId ?? subject.communityId;
    const bad = requireKind(ctx.territory, from, 'unit', 'the sending unit');
    if (bad) return bad;
  }
  if (to) {
    const bad = requireKind(ctx.territory, to, 'community', 'the receiving community');
    if (bad) return bad;
  }
  // The 30 days are the sender's duty. Reported after them, the case says by how much the sender was late, and the
  // receiving community gets a fair window from the report instead of a case already overdue.
  const statutory = ctx.deadline(ctx.rules.handover.due, separationDate);
  const late = statutory.date < today;
  const due = late ? ctx.deadline(ctx.rules.handover.lateReportWindow, today) : statutory;
  const data = clean({
    ...subjectData(subject),
    reason: input.reason,
    separationDate,
    fromOrgUnitId: from,
    fromKind: input.reason === 'moved' ? 'community' : 'unit',
    rejections: 0,
    ...(late ? { reportedLate: true, statutoryDueDate: statutory.date, reportDelayDays: daysBetween(statutory.date, today) } : {}),
  });
  if (to) return { caseId: input.caseId, subjectId: subject.subjectId, parentCaseId: input.parentCaseId, owner: to, level: 'community', state: 'awaiting_ack', due, data, effects: [], reason: input.reason };
  // Receiving community unknown: the sending community owns it until its street routes it.
  const reroute = rerouteDeadline(ctx);
  return {
    caseId: input.caseId,
    subjectId: subject.subjectId,
    parentCaseId: input.parentCaseId,
    owner: from,
    level: 'street',
    state: 'rerouting',
    due,
    data: { ...data, ...reroute.data },
    effects: [rerouteTimer(input.caseId, reroute.date)],
    reason: input.reason,
  };
}

const acknowledge: Handler<'acknowledge'> = (c, _cmd, ctx, seq) => {
  const today = todayOf(ctx);
  const from = str(c.data, 'fromOrgUnitId');
  const effects: Effect[] = [{ kind: 'cancel_all_timers', caseId: c.caseId }];
  if (from && ctx.territory.get(from)) effects.push(notify(c.caseId, seq, 'handover.receipt', from, roleForOrg(from, ctx.territory), { acknowledgedOn: today }));
  if (c.subjectId) {
    const set: ChangeSubjectEffect['set'] = { communityId: c.ownerOrgUnitId };
    if (str(c.data, 'fromKind') === 'unit') Object.assign(set, { class: 'primary', unitId: null });
    effects.push({ kind: 'change_subject', subjectId: c.subjectId, caseId: c.caseId, set });
  }
  return { state: 'acknowledged', data: { ...c.data, acknowledgedOn: today }, effects };
};

const reject: Handler<'reject'> = (c, cmd, ctx, seq) => {
  const level = higher(c.level, 'street');
  const reroute = rerouteDeadline(ctx);
  const queue = queueOrgUnitFor(level, c.ownerOrgUnitId, ctx.territory);
  return {
    state: 'rerouting',
    level,
    data: { ...c.data, ...reroute.data, rejectedBy: c.ownerOrgUnitId, rejections: (num(c.data, 'rejections') ?? 0) + 1 },
    effects: [rerouteTimer(c.caseId, reroute.date), notify(c.caseId, seq, 'handover.reroute', queue, workerRole[level], { rerouteDueDate: reroute.date })],
    reason: cmd.reason,
  };
};

const reassign: Handler<'reassign'> = (c, cmd, ctx, seq) => {
  const to = cmd.toOrgUnitId;
  const bad = requireKind(ctx.territory, to, 'community', 'the new receiving community');
  if (bad) return bad;
  if (to === c.ownerOrgUnitId) return invalid(`the case is already owned by "${to}"`);
  if (to === str(c.data, 'fromOrgUnitId')) return invalid(`a handover cannot be routed back to the org unit that sent it ("${to}")`);
  const pastDue = ctx.now > c.dueAt;
  // Re-routing, not escalation: before the due date the new community gets it in its own queue; after it, the case
  // keeps its escalated level (at the new owner's street, or the district).
  const level: QueueLevel = pastDue ? higher(c.level, 'street') : 'community';
  const queue = queueOrgUnitFor(level, to, ctx.territory);
  return {
    state: pastDue ? 'overdue' : 'awaiting_ack',
    level,
    owner: to,
    data: { ...withoutKeys(c.data, 'rerouteDueDate', 'rerouteDueAt', 'rerouteProvisional'), previousOwnerOrgUnitId: c.ownerOrgUnitId, reassignments: (num(c.data, 'reassignments') ?? 0) + 1 },
    effects: [
      { kind: 'cancel_timer', timerId: timerId(c.caseId, 'reroute_due'), caseId: c.caseId },
      notify(c.caseId, seq, 'handover.assigned', to, 'community_officer', { dueDate: c.dueDate }),
      ...(queue !== to ? [notify(c.caseId, seq, 'handover.assigned', queue, workerRole[level], { dueDate: c.dueDate })] : []),
    ],
    ...(cmd.reason ? { reason: cmd.reason } : {}),
  };
};

/**
 * A handover out of the district (data.toRegion, functions/domain/exchange.ts openHandoverOut) waits in the sending
 * community's queue, but its receiving community is in the other district: that district's receipt closes it. So
 * nobody here takes the receiver's side of it: the sending community (its owner) may not acknowledge or reject it, and
 * its street or the district may not re-route it to a community of this district. Escalation and cancel stay open.
 */
const outOfDistrict = (c: Case) => typeof c.data.toRegion === 'string';
const receiverSide = (action: StaffAction): Permission => ({
  who: (c) => {
    if (outOfDistrict(c)) return `the receiving district (${String(c.data.toRegion)}), whose receipt closes a handover out of the district`;
    const { who } = commonPermissions[action];
    return typeof who === 'function' ? who(c) : who;
  },
  may: (c, org, ctx) => !outOfDistrict(c) && commonPermissions[action].may(c, org, ctx),
});

export const handover: CaseTypeModule<Input> = {
  machine,
  notifyOnOpen: true,
  open,
  handlers: { acknowledge, reject, reassign },
  permissions: { acknowledge: receiverSide('acknowledge'), reject: receiverSide('reject'), reassign: receiverSide('reassign') },
};
