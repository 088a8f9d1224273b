// The case machines: one state machine per case type, as data, and one pure decision function over them.
//
//   openCase(input, ctx)          → Decision | Rejection   the new case, its first history entry, its first timers
//   decide(case, command, ctx)    → Decision | Rejection   what one command does to one case
//   allowedActions(case)          → string[]               the staff actions the UI may offer
//
// A Decision is the whole outcome of a command: the new case (version + 1), exactly one history entry, and the effects
// the runtime must carry out (timers to set or cancel, notification intents, follow-on cases to open, subject changes,
// feedback to the region of origin). Nothing here does I/O, reads a clock or draws a random number: the same case,
// command and context always give the same decision, with the same ids, so a retried command changes nothing twice.
//
// Invariants kept here:
//   - every open case sits in exactly one queue, and the queue follows from (level, owner): unit and community level →
//     the owner itself; street → the owner's street; district → the district;
//   - escalation (escalate, overdue, escalate_district) only moves a case up and never changes its owner; only a
//     handover's reassign (re-routing by the street or district) changes the owner;
//   - a done or cancelled case accepts no command.
import * as z from 'zod';
import type { CalendarResult, DeadlineRule } from './calendar';
import type { Actor, Case, CaseStatus, CaseType, HistoryEntry, QueueLevel } from './case';
import type { StaffRole } from './district-config';
import { managingOrgUnitId, subjectClasses, type Subject, type SubjectClass } from './people';
import type { RoutingRules } from './rules';
import type { Territory } from './territory';
import {
  addCalendarDays,
  assertBusinessDate,
  businessDateOf,
  businessInstant,
  endOfBusinessDay,
  startOfBusinessDay,
  type BusinessDate,
  type Instant,
} from './time';

// ---------------------------------------------------------------------------------------------------------------------
// Context, commands, decisions

/** A deadline counted from a start date: WorkCalendar.deadline, or a stand-in with the same contract. */
export type DeadlineFn = (rule: DeadlineRule, start: BusinessDate) => CalendarResult;

export interface MachineContext {
  now: Instant;
  actor: Actor;
  /** The org unit a staff actor acts for. Required for staff actions; ignored for the system. */
  actorOrgUnitId?: string;
  territory: Territory;
  rules: RoutingRules;
  deadline: DeadlineFn;
}

const isoDate = z.string().refine((s) => {
  try {
    assertBusinessDate(s);
    return true;
  } catch {
    return false;
  }
}, 'a date is YYYY-MM-DD');
/** Free text from staff: kept short; it goes to history only, never into a notification. */
const reasonText = z
  .string()
  .trim()
  .min(1, 'a reason is required')
  .max(500)
  // A reason is kept in history for years: it must not carry a phone or ID number.
  .refine((s) => !/(?<!\d)1[3-9]\d{9}(?!\d)/.test(s.replace(/[\s-]/g, '')) && !/(?<!\d)\d{17}[\dXx](?!\d)/.test(s.replace(/\s/g, '')), 'a reason must not contain a phone or ID number');
const orgId = z.string().min(1).max(63);

export const caseCommand = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('acknowledge') }),
  z.strictObject({ action: z.literal('reject'), reason: reasonText }),
  z.strictObject({ action: z.literal('reassign'), toOrgUnitId: orgId, reason: reasonText.optional() }),
  z.strictObject({
    action: z.literal('record_outcome'),
    outcome: z.string().min(1),
    date: isoDate,
    /** moved_away only: the community she moved to, when it is known and in this district. */
    toCommunityId: orgId.optional(),
  }),
  z.strictObject({ action: z.literal('escalate'), reason: reasonText.optional() }),
  z.strictObject({ action: z.literal('cancel'), reason: reasonText }),
  // System timer events.
  z.strictObject({ action: z.literal('remind'), key: z.string().regex(/^(due|check)-\d{1,2}$/, 'a reminder key is due-N or check-N') }),
  z.strictObject({ action: z.literal('overdue') }),
  z.strictObject({ action: z.literal('escalate_district') }),
]);
export type CaseCommand = z.infer<typeof caseCommand>;
export type Action = CaseCommand['action'];

export const staffActions = ['acknowledge', 'reject', 'reassign', 'record_outcome', 'escalate', 'cancel'] as const;
export const timerActions = ['remind', 'overdue', 'escalate_district'] as const;
export type TimerCommand = Extract<CaseCommand, { action: (typeof timerActions)[number] }>;

export interface SetTimerEffect {
  kind: 'set_timer';
  /** `${caseId}#${key}`: setting a timer with an id that exists replaces it. */
  timerId: string;
  caseId: string;
  at: Instant;
  /** The command the timer delivers to decide() when it fires. */
  command: TimerCommand;
}
export interface CancelTimerEffect {
  kind: 'cancel_timer';
  timerId: string;
  caseId: string;
}
/** The case closed: every pending timer of the case goes. */
export interface CancelAllTimersEffect {
  kind: 'cancel_all_timers';
  caseId: string;
}
export interface NotifyEffect {
  kind: 'notify';
  /** Deterministic: `${caseId}#${seq}#${template}#${orgUnitId}#${role}`; the outbox drops a duplicate. */
  notificationId: string;
  caseId: string;
  template: string;
  recipient: { orgUnitId: string; role: StaffRole };
  /** Dates, counts and codes only: never a name, phone, ID number or health detail. */
  params: Record<string, string | number>;
}
export interface OpenCaseEffect {
  kind: 'open_case';
  parentCaseId: string;
  /** Pass to openCase() with the same context; its caseId is `${parentCaseId}.${seq}`. */
  input: OpenCaseInput;
}
export interface ChangeSubjectEffect {
  kind: 'change_subject';
  subjectId: string;
  caseId: string;
  /** unitId: null removes the employer unit. */
  set: { class?: SubjectClass; communityId?: string; unitId?: null };
}
/** A certificate check's result, sent back to the subject's region of origin. */
export interface OriginFeedbackEffect {
  kind: 'origin_feedback';
  caseId: string;
  subjectId: string;
  outcome: 'valid';
  date: BusinessDate;
}
export type Effect =
  | SetTimerEffect
  | CancelTimerEffect
  | CancelAllTimersEffect
  | NotifyEffect
  | OpenCaseEffect
  | ChangeSubjectEffect
  | OriginFeedbackEffect;

export interface Decision {
  ok: true;
  /** The case after the command: status, state, queue, level, version + 1, updatedAt, closedAt, data. */
  case: Case;
  /** Exactly one entry; its seq is the new version. */
  history: HistoryEntry;
  /** In order: cancellations before the timers that replace them. */
  effects: Effect[];
}
export interface Rejection {
  ok: false;
  code: 'not_allowed' | 'invalid';
  reason: string;
}

const notAllowed = (reason: string): Rejection => ({ ok: false, code: 'not_allowed', reason });
const invalid = (reason: string): Rejection => ({ ok: false, code: 'invalid', reason });
const isRejection = (x: unknown): x is Rejection => typeof x === 'object' && x !== null && (x as Rejection).ok === false;

// ---------------------------------------------------------------------------------------------------------------------
// The machines, as data

export interface StateDef {
  status: CaseStatus;
  /** Allowed actions and the states each may lead to (the handler picks one; guards may still refuse). */
  on: Partial<Record<Action, readonly string[]>>;
}
export interface MachineDef {
  type: CaseType;
  /** States a new case may start in. */
  initial: readonly string[];
  /** record_outcome values (each is also the terminal state it leads to). */
  outcomes: readonly string[];
  states: Readonly<Record<string, StateDef>>;
}

/** The actions every open state has: manual escalation, cancel, and the timer events. */
function common(self: string): StateDef['on'] {
  const keepsState = self === 'rerouting' || self === 'overdue';
  const afterDue = self === 'rerouting' ? 'rerouting' : 'overdue';
  return {
    escalate: [keepsState ? self : 'escalated'],
    cancel: ['cancelled'],
    remind: [self],
    overdue: [afterDue],
    escalate_district: [afterDue],
  };
}

const done = (): StateDef => ({ status: 'done', on: {} });
const cancelled = (): StateDef => ({ status: 'cancelled', on: {} });

/** A case closed by record_outcome: waiting → (escalated) → (overdue) → one of the outcomes. */
function outcomeMachine(type: CaseType, waiting: string, outcomes: readonly string[]): MachineDef {
  const work = (self: string): StateDef => ({ status: 'open', on: { record_outcome: outcomes, ...common(self) } });
  return {
    type,
    initial: [waiting],
    outcomes,
    states: {
      [waiting]: work(waiting),
      escalated: work('escalated'),
      overdue: work('overdue'),
      ...Object.fromEntries(outcomes.map((o) => [o, done()])),
      cancelled: cancelled(),
    },
  };
}

const handoverAwaiting = (self: string): StateDef => ({
  status: 'open',
  on: {
    acknowledge: ['acknowledged'],
    reject: ['rerouting'],
    ...(self === 'awaiting_ack' ? {} : { reassign: ['awaiting_ack', 'overdue'] }),
    ...common(self),
  },
});

export const machines: Readonly<Record<CaseType, MachineDef>> = {
  handover: {
    type: 'handover',
    initial: ['awaiting_ack', 'rerouting'],
    outcomes: [],
    states: {
      awaiting_ack: handoverAwaiting('awaiting_ack'),
      escalated: handoverAwaiting('escalated'),
      overdue: handoverAwaiting('overdue'),
      rerouting: { status: 'open', on: { reassign: ['awaiting_ack', 'overdue'], ...common('rerouting') } },
      acknowledged: done(),
      cancelled: cancelled(),
    },
  },
  follow_up: outcomeMachine('follow_up', 'awaiting_outcome', ['visited', 'not_reachable', 'moved_away']),
  health_check: outcomeMachine('health_check', 'awaiting_outcome', ['attended', 'absent', 'exempt']),
  certificate_check: outcomeMachine('certificate_check', 'awaiting_outcome', ['valid', 'missing', 'expired']),
  unit_notice: {
    type: 'unit_notice',
    initial: ['awaiting_receipt'],
    outcomes: [],
    states: {
      awaiting_receipt: { status: 'open', on: { acknowledge: ['received'], ...common('awaiting_receipt') } },
      escalated: { status: 'open', on: { acknowledge: ['received'], ...common('escalated') } },
      overdue: { status: 'open', on: { acknowledge: ['received'], ...common('overdue') } },
      received: done(),
      cancelled: cancelled(),
    },
  },
  change_report: outcomeMachine('change_report', 'awaiting_filing', ['filed']),
};

/** Certificate tasks: the registration check, and the sub-cases it opens. A sub-case closes only as valid. */
export const certificateTasks = ['verify', 'apply', 'renew'] as const;
export type CertificateTask = (typeof certificateTasks)[number];
const certificateOutcomes: Record<CertificateTask, readonly string[]> = {
  verify: ['valid', 'missing', 'expired'],
  apply: ['valid'],
  renew: ['valid'],
};

/** Types that notify the queue holder when a case opens (the recurring ones are known in advance; reminders do). */
const notifyOnOpen: Record<CaseType, boolean> = {
  handover: true,
  follow_up: true,
  certificate_check: true,
  health_check: false,
  unit_notice: false,
  change_report: false,
};

// ---------------------------------------------------------------------------------------------------------------------
// Queues and levels

const levelRank: Record<QueueLevel, number> = { unit: 0, community: 0, street: 1, district: 2 };
/** Who works a queue at each level (reminders and arrivals go to them). */
const workerRole: Record<QueueLevel, StaffRole> = {
  unit: 'unit_liaison',
  community: 'community_officer',
  street: 'street_officer',
  district: 'district_manager',
};

/** The queue a case owned by `ownerOrgUnitId` sits in at `level`. */
export function queueOrgUnitFor(level: QueueLevel, ownerOrgUnitId: string, territory: Territory): string {
  switch (level) {
    case 'unit':
    case 'community':
      return ownerOrgUnitId;
    case 'street': {
      const street = territory.streetOf(ownerOrgUnitId);
      if (!street) throw new Error(`"${ownerOrgUnitId}" has no street in district ${territory.districtId}`);
      return street;
    }
    case 'district':
      return territory.districtId;
  }
}

function higher(a: QueueLevel, b: QueueLevel): QueueLevel {
  return levelRank[a] >= levelRank[b] ? a : b;
}

function ownerLevel(ownerOrgUnitId: string, territory: Territory): QueueLevel {
  return territory.get(ownerOrgUnitId)?.kind === 'unit' ? 'unit' : 'community';
}

function roleForOrg(orgUnitId: string, territory: Territory): StaffRole {
  const kind = territory.require(orgUnitId).kind;
  return kind === 'unit' ? 'unit_liaison' : kind === 'community' ? 'community_officer' : kind === 'street' ? 'street_officer' : 'district_manager';
}

// ---------------------------------------------------------------------------------------------------------------------
// Small helpers

type Data = Case['data'];
const timerId = (caseId: string, key: string) => `${caseId}#${key}`;
const followOnId = (caseId: string, seq: number) => `${caseId}.${seq}`;
const todayOf = (ctx: MachineContext) => businessDateOf(ctx.now);
/** A timer that fires when the date is over: 00:00 of the next day (Asia/Shanghai). */
const afterDate = (date: BusinessDate): Instant => startOfBusinessDay(addCalendarDays(date, 1));

function str(data: Data, key: string): string | undefined {
  const v = data[key];
  return typeof v === 'string' ? v : undefined;
}
function num(data: Data, key: string): number | undefined {
  const v = data[key];
  return typeof v === 'number' ? v : undefined;
}
function clean(data: Record<string, string | number | boolean | undefined>): Data {
  const out: Data = {};
  for (const [k, v] of Object.entries(data)) if (v !== undefined) out[k] = v;
  return out;
}
function withoutKeys(data: Data, ...keys: string[]): Data {
  const out = { ...data };
  for (const k of keys) delete out[k];
  return out;
}
function issuesText(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(input)'}: ${i.message}`).join('; ');
}

function notify(caseId: string, seq: number, template: string, orgUnitId: string, role: StaffRole, params: Record<string, string | number> = {}): NotifyEffect {
  return { kind: 'notify', notificationId: `${caseId}#${seq}#${template}#${orgUnitId}#${role}`, caseId, template, recipient: { orgUnitId, role }, params };
}

function dueTimers(caseId: string, dueDate: BusinessDate, offsets: readonly number[], ctx: MachineContext): SetTimerEffect[] {
  const today = todayOf(ctx);
  const out: SetTimerEffect[] = [];
  for (const offset of [...offsets].sort((a, b) => b - a)) {
    const date = addCalendarDays(dueDate, -offset);
    if (date < today) continue; // a reminder for a day already past is not sent
    const key = `remind:due-${offset}`;
    out.push({ kind: 'set_timer', timerId: timerId(caseId, key), caseId, at: businessInstant(date, ctx.rules.reminderTime), command: { action: 'remind', key: `due-${offset}` } });
  }
  out.push({ kind: 'set_timer', timerId: timerId(caseId, 'overdue'), caseId, at: afterDate(dueDate), command: { action: 'overdue' } });
  return out;
}

// ---------------------------------------------------------------------------------------------------------------------
// Opening a case

const subjectRef = z.strictObject({
  subjectId: z.string().min(1).max(80),
  class: z.enum(subjectClasses),
  communityId: orgId,
  unitId: orgId.optional(),
  implantUntil: isoDate.optional(),
  registeredOn: isoDate.optional(),
});
/** What routing needs of a subject: no name, phone, ID number or health detail. */
export type SubjectRef = z.infer<typeof subjectRef>;

const caseId = z.string().min(1).max(200);
export const handoverReasons = ['resigned', 'dismissed', 'removed', 'moved'] as const;
export const followUpTriggers = ['service', 'birth', 'return', 'check_absence', 'manual', 'retry'] as const;

export const openCaseInput = z.discriminatedUnion('type', [
  z.strictObject({
    type: z.literal('handover'),
    caseId,
    subject: subjectRef,
    /** resigned / dismissed / removed: she left her employer unit; moved: she moved to another community. */
    reason: z.enum(handoverReasons),
    /** The separation or move date: the 30 days count from it. */
    separationDate: isoDate,
    /** Where she now lives. For a separation it defaults to her residence community; for a move, unknown → the street routes it. */
    toCommunityId: orgId.optional(),
    parentCaseId: caseId.optional(),
  }),
  z.strictObject({
    type: z.literal('follow_up'),
    caseId,
    subject: subjectRef,
    trigger: z.enum(followUpTriggers),
    /** The event (service, birth, return, missed check, failed attempt); the window opens at it unless windowStart says later. */
    eventDate: isoDate,
    windowStart: isoDate.optional(),
    windowEnd: isoDate.optional(),
    /** 1 for a first visit; a retry counts up. */
    attempt: z.number().int().min(1).max(10).default(1),
    parentCaseId: caseId.optional(),
  }),
  z.strictObject({
    type: z.literal('health_check'),
    subject: subjectRef,
    /** Any date in the period; defaults to today. The case id is derived: one case per subject per period. */
    periodOf: isoDate.optional(),
  }),
  z.strictObject({
    type: z.literal('certificate_check'),
    caseId,
    subject: subjectRef,
    task: z.enum(certificateTasks).default('verify'),
    /** verify: the registration date in the community; apply/renew: the date the need was found. */
    startDate: isoDate,
    parentCaseId: caseId.optional(),
  }),
  z.strictObject({
    type: z.literal('unit_notice'),
    unitId: orgId,
    communityId: orgId,
    /** The half-year reported on. The case id is derived: one per unit, community and half-year. */
    period: z.string().regex(/^\d{4}-H[12]$/, 'a half-year is YYYY-H1 or YYYY-H2'),
  }),
  z.strictObject({
    type: z.literal('change_report'),
    communityId: orgId,
    /** The month reported on. The case id is derived: one per community and month. */
    month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month is YYYY-MM'),
  }),
]);
export type OpenCaseInput = z.input<typeof openCaseInput>;
type ParsedOpen = z.output<typeof openCaseInput>;

interface Opening {
  caseId: string;
  subjectId?: string;
  parentCaseId?: string;
  owner: string;
  level: QueueLevel;
  state: string;
  due: CalendarResult;
  data: Data;
  /** Reminder timers beyond the due-date ones, and other opening effects. */
  effects: Effect[];
  reason?: string;
}

/** The period of a year divided into `perYear` equal blocks of months that contains `date`. */
export function checkPeriod(date: BusinessDate, perYear: number): { start: BusinessDate; end: BusinessDate; index: number } {
  assertBusinessDate(date);
  const months = 12 / perYear;
  if (!Number.isInteger(months)) throw new RangeError(`${perYear} checks a year do not divide the year into whole months`);
  const year = Number(date.slice(0, 4));
  const index = Math.floor((Number(date.slice(5, 7)) - 1) / months);
  const startMonth = index * months + 1;
  const endMonth = startMonth + months; // first month after the period
  const start = `${year}-${String(startMonth).padStart(2, '0')}-01`;
  const next = endMonth > 12 ? `${year + 1}-01-01` : `${year}-${String(endMonth).padStart(2, '0')}-01`;
  return { start, end: addCalendarDays(next, -1), index: index + 1 };
}

/** The health-check cadence of a subject on a date: an implant in effect wins over the class. */
export function checkCadence(subject: Pick<SubjectRef, 'class' | 'implantUntil'>, date: BusinessDate, rules: RoutingRules): { cadence: SubjectClass | 'implant'; perYear: number } {
  if (subject.implantUntil && subject.implantUntil >= date) return { cadence: 'implant', perYear: rules.health_check.perYear.implant };
  return { cadence: subject.class, perYear: rules.health_check.perYear[subject.class] };
}

function validDate(s: string): boolean {
  try {
    assertBusinessDate(s);
    return true;
  } catch {
    return false;
  }
}

/** The community's first fixed check day on or after `from`, up to `to`. */
function nextCheckDay(territory: Territory, communityId: string, from: BusinessDate, to: BusinessDate): BusinessDate | undefined {
  const days = territory.get(communityId)?.checkDays ?? [];
  let best: BusinessDate | undefined;
  for (let year = Number(from.slice(0, 4)); year <= Number(to.slice(0, 4)); year++) {
    for (const mmdd of days) {
      const date = `${year}-${mmdd}`;
      if (!validDate(date) || date < from || date > to) continue;
      if (!best || date < best) best = date;
    }
  }
  return best;
}

function requireKind(territory: Territory, id: string, kind: 'community' | 'unit', what: string): Rejection | undefined {
  const unit = territory.get(id);
  if (!unit) return invalid(`${what} "${id}" is not an org unit of district ${territory.districtId}`);
  if (unit.kind !== kind) return invalid(`${what} "${id}" is a ${unit.kind}, not a ${kind}`);
  return undefined;
}

function subjectData(s: SubjectRef): Data {
  return clean({ subjectClass: s.class, communityId: s.communityId, unitId: s.unitId });
}

function openHandover(input: Extract<ParsedOpen, { type: 'handover' }>, ctx: MachineContext): Opening | Rejection {
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
  const due = ctx.deadline(ctx.rules.handover.due, separationDate);
  const data = clean({
    ...subjectData(subject),
    reason: input.reason,
    separationDate,
    fromOrgUnitId: from,
    fromKind: input.reason === 'moved' ? 'community' : 'unit',
    rejections: 0,
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

function openFollowUp(input: Extract<ParsedOpen, { type: 'follow_up' }>, ctx: MachineContext): Opening | Rejection {
  const today = todayOf(ctx);
  const { eventDate, subject } = input;
  if (eventDate > today) return invalid(`the event date ${eventDate} is in the future (today is ${today})`);
  const windowStart = input.windowStart ?? eventDate;
  if (windowStart < eventDate) return invalid(`the window cannot open (${windowStart}) before the event (${eventDate})`);
  const window = input.windowEnd ? { date: input.windowEnd, provisional: false } : ctx.deadline(ctx.rules.follow_up.window, windowStart);
  if (window.date < windowStart) return invalid(`the window ends (${window.date}) before it starts (${windowStart})`);
  const bad = requireKind(ctx.territory, subject.communityId, 'community', "the subject's community");
  if (bad) return bad;
  return {
    caseId: input.caseId,
    subjectId: subject.subjectId,
    parentCaseId: input.parentCaseId,
    owner: subject.communityId,
    level: 'community',
    state: 'awaiting_outcome',
    due: window,
    data: clean({ ...subjectData(subject), trigger: input.trigger, eventDate, windowStart, windowEnd: window.date, attempt: input.attempt }),
    effects: [],
    reason: input.trigger,
  };
}

function openHealthCheck(input: Extract<ParsedOpen, { type: 'health_check' }>, ctx: MachineContext): Opening | Rejection {
  const today = todayOf(ctx);
  const { subject } = input;
  const ref = input.periodOf ?? today;
  const { cadence, perYear } = checkCadence(subject, ref, ctx.rules);
  const period = checkPeriod(ref, perYear);
  if (period.end < today) return invalid(`the period ${period.start}..${period.end} has already ended`);
  const bad = requireKind(ctx.territory, subject.communityId, 'community', "the subject's community");
  if (bad) return bad;
  // co_managed: the employer unit manages her, so the case sits in the unit's queue.
  const owner = managingOrgUnitId(subject as Subject); // reads class and unitId only
  if (owner !== subject.communityId) {
    const badUnit = requireKind(ctx.territory, owner, 'unit', "the subject's unit");
    if (badUnit) return badUnit;
  }
  const id = `health_check:${subject.subjectId}:${period.start}`;
  const checkDay = nextCheckDay(ctx.territory, subject.communityId, today > period.start ? today : period.start, period.end);
  const effects: Effect[] = [];
  if (checkDay) {
    for (const offset of [...ctx.rules.health_check.remindBeforeCheckDayDays].sort((a, b) => b - a)) {
      const date = addCalendarDays(checkDay, -offset);
      if (date < today) continue;
      effects.push({ kind: 'set_timer', timerId: timerId(id, `remind:check-${offset}`), caseId: id, at: businessInstant(date, ctx.rules.reminderTime), command: { action: 'remind', key: `check-${offset}` } });
    }
  }
  return {
    caseId: id,
    subjectId: subject.subjectId,
    owner,
    level: ownerLevel(owner, ctx.territory),
    state: 'awaiting_outcome',
    due: { date: period.end, provisional: false },
    data: clean({ ...subjectData(subject), cadence, perYear, periodStart: period.start, periodEnd: period.end, period: period.index, checkDay }),
    effects,
  };
}

function openCertificateCheck(input: Extract<ParsedOpen, { type: 'certificate_check' }>, ctx: MachineContext): Opening | Rejection {
  const today = todayOf(ctx);
  const { subject, startDate, task } = input;
  if (subject.class !== 'mobile') return invalid('certificate checks are for mobile subjects');
  if (startDate > today) return invalid(`the start date ${startDate} is in the future (today is ${today})`);
  const bad = requireKind(ctx.territory, subject.communityId, 'community', "the subject's community");
  if (bad) return bad;
  const rule = ctx.rules.certificate_check[task];
  return {
    caseId: input.caseId,
    subjectId: subject.subjectId,
    parentCaseId: input.parentCaseId,
    owner: subject.communityId,
    level: 'community',
    state: 'awaiting_outcome',
    due: ctx.deadline(rule, startDate),
    data: clean({ ...subjectData(subject), task, startDate }),
    effects: [],
    reason: task,
  };
}

function openUnitNotice(input: Extract<ParsedOpen, { type: 'unit_notice' }>, ctx: MachineContext): Opening | Rejection {
  const bad = requireKind(ctx.territory, input.unitId, 'unit', 'the unit') ?? requireKind(ctx.territory, input.communityId, 'community', 'the community');
  if (bad) return bad;
  const year = input.period.slice(0, 4);
  const periodEnd = input.period.endsWith('H1') ? `${year}-06-30` : `${year}-12-31`;
  return {
    caseId: `unit_notice:${input.unitId}:${input.communityId}:${input.period}`,
    owner: input.unitId,
    level: 'unit',
    state: 'awaiting_receipt',
    due: ctx.deadline(ctx.rules.unit_notice.due, periodEnd),
    data: { toCommunityId: input.communityId, period: input.period, periodEnd },
    effects: [],
  };
}

function openChangeReport(input: Extract<ParsedOpen, { type: 'change_report' }>, ctx: MachineContext): Opening | Rejection {
  const bad = requireKind(ctx.territory, input.communityId, 'community', 'the community');
  if (bad) return bad;
  const [y, m] = input.month.split('-').map(Number) as [number, number];
  const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
  const dueDate = `${next}-${String(ctx.rules.change_report.dueDayOfNextMonth).padStart(2, '0')}`;
  return {
    caseId: `change_report:${input.communityId}:${input.month}`,
    owner: input.communityId,
    level: 'community',
    state: 'awaiting_filing',
    due: { date: dueDate, provisional: false },
    data: { month: input.month },
    effects: [],
  };
}

/** Build a new case: its queue, deadline, first history entry and first timers. */
export function openCase(input: OpenCaseInput | unknown, ctx: MachineContext): Decision | Rejection {
  const parsed = openCaseInput.safeParse(input);
  if (!parsed.success) return invalid(issuesText(parsed.error));
  const inp = parsed.data;
  let opening: Opening | Rejection;
  switch (inp.type) {
    case 'handover':
      opening = openHandover(inp, ctx);
      break;
    case 'follow_up':
      opening = openFollowUp(inp, ctx);
      break;
    case 'health_check':
      opening = openHealthCheck(inp, ctx);
      break;
    case 'certificate_check':
      opening = openCertificateCheck(inp, ctx);
      break;
    case 'unit_notice':
      opening = openUnitNotice(inp, ctx);
      break;
    case 'change_report':
      opening = openChangeReport(inp, ctx);
      break;
  }
  if (isRejection(opening)) return opening;
  const o = opening;
  const machine = machines[inp.type];
  if (!machine.initial.includes(o.state)) throw new Error(`internal: ${inp.type} cannot start in ${o.state}`);
  const ownerStreetId = ctx.territory.streetOf(o.owner);
  if (!ownerStreetId) return invalid(`"${o.owner}" has no street in district ${ctx.territory.districtId}`);
  const queue = queueOrgUnitFor(o.level, o.owner, ctx.territory);
  const c: Case = {
    caseId: o.caseId,
    type: inp.type,
    status: 'open',
    state: o.state,
    ...(o.subjectId ? { subjectId: o.subjectId } : {}),
    ownerOrgUnitId: o.owner,
    queueOrgUnitId: queue,
    level: o.level,
    ownerStreetId,
    dueDate: o.due.date,
    dueAt: endOfBusinessDay(o.due.date),
    provisional: o.due.provisional,
    createdAt: ctx.now,
    updatedAt: ctx.now,
    version: 1,
    ...(o.parentCaseId ? { parentCaseId: o.parentCaseId } : {}),
    data: o.data,
  };
  const effects: Effect[] = [...dueTimers(c.caseId, c.dueDate, ctx.rules[inp.type].remindDaysBefore, ctx), ...o.effects];
  if (notifyOnOpen[inp.type]) {
    const template = o.state === 'rerouting' ? `${inp.type}.reroute` : `${inp.type}.opened`;
    effects.push(notify(c.caseId, 1, template, queue, workerRole[o.level], { dueDate: c.dueDate }));
  }
  const history: HistoryEntry = {
    caseId: c.caseId,
    seq: 1,
    at: ctx.now,
    actor: ctx.actor,
    action: 'open',
    toState: c.state,
    toQueueOrgUnitId: queue,
    ...(o.reason ? { reason: o.reason } : {}),
  };
  return { ok: true, case: c, history, effects };
}

// ---------------------------------------------------------------------------------------------------------------------
// Deciding a command

interface Change {
  state: string;
  level?: QueueLevel;
  owner?: string;
  data?: Data;
  effects?: Effect[];
  reason?: string;
}

const pastTense: Record<Action, string> = {
  acknowledge: 'acknowledged',
  reject: 'rejected',
  reassign: 'reassigned',
  record_outcome: 'given an outcome',
  escalate: 'escalated',
  cancel: 'cancelled',
  remind: 'reminded about',
  overdue: 'marked overdue',
  escalate_district: 'escalated to the district',
};

/** Why an action is not in the current state's table, in words a user can act on. */
function explainNotAllowed(c: Case, action: Action): string {
  const t = c.type;
  switch (action) {
    case 'reject':
      if (t !== 'handover') return `reject is only for handovers (the receiving community rejects a wrongly routed one); a ${t} case is not rejected`;
      if (c.state === 'rerouting') return 'the handover was already rejected and is with the street for re-routing';
      break;
    case 'acknowledge':
      if (t === 'handover' && c.state === 'rerouting') return 'the handover is with the street for re-routing; it can be acknowledged once it is reassigned to a community';
      if (t !== 'handover' && t !== 'unit_notice') return `a ${t} case is closed by record_outcome, not acknowledge`;
      break;
    case 'reassign':
      if (t !== 'handover') return `only handovers are re-routed; a ${t} case follows the subject's or unit's own queue`;
      return 'reassign is for the street or district re-routing a handover; the receiving community rejects it instead';
    case 'record_outcome':
      if (t === 'handover' || t === 'unit_notice') return `a ${t} case is closed by acknowledge, not record_outcome`;
      break;
    default:
      break;
  }
  return `${action} is not allowed for a ${t} case in state ${c.state}`;
}

const staffOnly: ReadonlySet<Action> = new Set(['acknowledge', 'reject', 'reassign', 'record_outcome']);
const systemOnly: ReadonlySet<Action> = new Set(timerActions);

function authorize(c: Case, cmd: CaseCommand, ctx: MachineContext): Rejection | undefined {
  const { territory } = ctx;
  if (ctx.actor.kind === 'system') {
    if (staffOnly.has(cmd.action)) return notAllowed(`${cmd.action} needs a staff member; the system cannot do it`);
    return undefined;
  }
  if (systemOnly.has(cmd.action)) return notAllowed(`${cmd.action} is a system timer event, not a staff action`);
  const org = ctx.actorOrgUnitId;
  if (!org) return invalid('a staff action needs the org unit the staff member acts for (actorOrgUnitId)');
  const unit = territory.get(org);
  if (!unit) return invalid(`"${org}" is not an org unit of district ${territory.districtId}`);
  const aboveOwner = org !== c.ownerOrgUnitId && territory.isWithin(c.ownerOrgUnitId, org);
  switch (cmd.action) {
    case 'acknowledge':
      if (c.type === 'unit_notice') {
        if (org !== str(c.data, 'toCommunityId')) return notAllowed('acknowledge is only for the community the notice is addressed to');
      } else if (org !== c.ownerOrgUnitId) return notAllowed('acknowledge is only for the receiving community');
      return undefined;
    case 'reject':
      if (org !== c.ownerOrgUnitId) return notAllowed('reject is only for the receiving community');
      return undefined;
    case 'reassign':
      if (!(unit.kind === 'district' || (c.level === 'street' && org === c.queueOrgUnitId)))
        return notAllowed('reassign is only for the street holding the case or the district');
      return undefined;
    case 'record_outcome':
      if (org === c.ownerOrgUnitId || aboveOwner) return undefined;
      // A co_managed subject's check is held by her unit, but the check day is at her residence community.
      if (c.type === 'health_check' && org === str(c.data, 'communityId')) return undefined;
      return notAllowed('record_outcome is for the owner of the case, its street or the district');
    case 'escalate':
      if (!territory.isWithin(c.queueOrgUnitId, org)) return notAllowed(`escalate is for the queue holding the case (${c.queueOrgUnitId}) or a level above it`);
      return undefined;
    case 'cancel':
      if (org === c.ownerOrgUnitId || aboveOwner) return undefined;
      return notAllowed('cancel is only for the owner of the case, its street or the district');
    default:
      return undefined;
  }
}

function rerouteDeadline(ctx: MachineContext): { date: BusinessDate; data: Data } {
  const r = ctx.deadline(ctx.rules.handover.reroute, todayOf(ctx));
  return { date: r.date, data: { rerouteDueDate: r.date, rerouteDueAt: endOfBusinessDay(r.date), rerouteProvisional: r.provisional } };
}
function rerouteTimer(caseId: string, date: BusinessDate): SetTimerEffect {
  return { kind: 'set_timer', timerId: timerId(caseId, 'reroute_due'), caseId, at: afterDate(date), command: { action: 'escalate_district' } };
}

type Handler<A extends Action> = (c: Case, cmd: Extract<CaseCommand, { action: A }>, ctx: MachineContext, seq: number) => Change | Rejection;

const acknowledge: Handler<'acknowledge'> = (c, _cmd, ctx, seq) => {
  const today = todayOf(ctx);
  if (c.type === 'unit_notice') {
    return {
      state: 'received',
      data: { ...c.data, receivedOn: today },
      effects: [{ kind: 'cancel_all_timers', caseId: c.caseId }, notify(c.caseId, seq, 'unit_notice.receipt', c.ownerOrgUnitId, 'unit_liaison', { period: str(c.data, 'period') ?? '' })],
    };
  }
  // handover
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

function subjectOf(c: Case): SubjectRef | Rejection {
  const subjectClass = str(c.data, 'subjectClass');
  const communityId = str(c.data, 'communityId');
  if (!c.subjectId || !communityId || !subjectClasses.includes(subjectClass as SubjectClass)) return invalid(`case ${c.caseId} lacks the subject facts a follow-on case needs`);
  const unitId = str(c.data, 'unitId');
  return { subjectId: c.subjectId, class: subjectClass as SubjectClass, communityId, ...(unitId ? { unitId } : {}) };
}

const recordOutcome: Handler<'record_outcome'> = (c, cmd, ctx, seq) => {
  const today = todayOf(ctx);
  const { outcome, date } = cmd;
  const allowed = c.type === 'certificate_check' ? certificateOutcomes[(str(c.data, 'task') as CertificateTask) ?? 'verify'] ?? [] : machines[c.type].outcomes;
  if (!allowed.includes(outcome)) return invalid(`"${outcome}" is not an outcome of this ${c.type} case (one of: ${allowed.join(', ')})`);
  if (date > today) return invalid(`the outcome date ${date} is in the future (today is ${today})`);
  const earliest =
    c.type === 'follow_up' ? str(c.data, 'eventDate')
    : c.type === 'health_check' ? str(c.data, 'periodStart')
    : c.type === 'certificate_check' ? str(c.data, 'startDate')
    : c.type === 'change_report' ? `${str(c.data, 'month')}-01`
    : undefined;
  if (earliest && date < earliest) return invalid(`the outcome date ${date} is before ${earliest}, when this case's task began`);
  if (cmd.toCommunityId !== undefined && !(c.type === 'follow_up' && outcome === 'moved_away')) return invalid('toCommunityId goes with a follow_up outcome of moved_away only');

  const effects: Effect[] = [{ kind: 'cancel_all_timers', caseId: c.caseId }];
  const childId = followOnId(c.caseId, seq);
  const open = (input: OpenCaseInput) => effects.push({ kind: 'open_case', parentCaseId: c.caseId, input });

  if (c.type === 'follow_up' && outcome === 'not_reachable') {
    const subject = subjectOf(c);
    if (isRejection(subject)) return subject;
    const attempt = num(c.data, 'attempt') ?? 1;
    if (attempt - 1 < ctx.rules.follow_up.maxRetries) {
      open({ type: 'follow_up', caseId: childId, subject, trigger: 'retry', eventDate: date, windowStart: addCalendarDays(date, ctx.rules.follow_up.retryAfterDays), attempt: attempt + 1, parentCaseId: c.caseId });
    } else {
      // Retries used up: the missed visit surfaces at the street.
      effects.push(notify(c.caseId, seq, 'follow_up.unreachable', c.ownerStreetId, 'street_officer', { attempts: attempt }));
    }
  } else if (c.type === 'follow_up' && outcome === 'moved_away') {
    const subject = subjectOf(c);
    if (isRejection(subject)) return subject;
    if (cmd.toCommunityId) {
      const bad = requireKind(ctx.territory, cmd.toCommunityId, 'community', 'the community she moved to');
      if (bad) return bad;
      if (cmd.toCommunityId === subject.communityId) return invalid(`she already lives in "${cmd.toCommunityId}"`);
    }
    open({ type: 'handover', caseId: childId, subject, reason: 'moved', separationDate: date, ...(cmd.toCommunityId ? { toCommunityId: cmd.toCommunityId } : {}), parentCaseId: c.caseId });
  } else if (c.type === 'health_check' && outcome === 'absent') {
    const subject = subjectOf(c);
    if (isRejection(subject)) return subject;
    open({ type: 'follow_up', caseId: childId, subject, trigger: 'check_absence', eventDate: date, parentCaseId: c.caseId });
  } else if (c.type === 'certificate_check') {
    if (outcome === 'valid') {
      if (c.subjectId) effects.push({ kind: 'origin_feedback', caseId: c.caseId, subjectId: c.subjectId, outcome: 'valid', date });
    } else {
      const subject = subjectOf(c);
      if (isRejection(subject)) return subject;
      open({ type: 'certificate_check', caseId: childId, subject, task: outcome === 'missing' ? 'apply' : 'renew', startDate: date, parentCaseId: c.caseId });
    }
  } else if (c.type === 'change_report') {
    effects.push(notify(c.caseId, seq, 'change_report.filed', c.ownerStreetId, 'street_officer', { month: str(c.data, 'month') ?? '' }));
  }
  return { state: outcome, data: { ...c.data, outcome, outcomeDate: date }, effects };
};

const escalate: Handler<'escalate'> = (c, cmd, ctx, seq) => {
  if (c.level === 'district') return notAllowed('the case is already in the district queue; escalation only moves a case up');
  const level: QueueLevel = c.level === 'street' ? 'district' : 'street';
  const queue = queueOrgUnitFor(level, c.ownerOrgUnitId, ctx.territory);
  return {
    state: machines[c.type].states[c.state]?.on.escalate?.[0] ?? c.state,
    level,
    effects: [notify(c.caseId, seq, `${c.type}.escalated`, queue, workerRole[level], { dueDate: c.dueDate })],
    ...(cmd.reason ? { reason: cmd.reason } : {}),
  };
};

const cancel: Handler<'cancel'> = (c, cmd) => ({ state: 'cancelled', effects: [{ kind: 'cancel_all_timers', caseId: c.caseId }], reason: cmd.reason });

const remind: Handler<'remind'> = (c, cmd, ctx, seq) => {
  const sent = (str(c.data, 'remindersSent') ?? '').split(',').filter(Boolean);
  if (sent.includes(cmd.key)) return notAllowed(`reminder ${cmd.key} was already sent for this case`);
  const [kind, n] = cmd.key.split('-') as ['due' | 'check', string];
  const params: Record<string, string | number> =
    kind === 'check' ? { checkDay: str(c.data, 'checkDay') ?? '', daysBefore: Number(n) } : { dueDate: c.dueDate, daysBefore: Number(n) };
  return {
    state: c.state,
    data: { ...c.data, remindersSent: [...sent, cmd.key].join(',') },
    effects: [notify(c.caseId, seq, kind === 'check' ? `${c.type}.check_day_reminder` : `${c.type}.due_reminder`, c.queueOrgUnitId, workerRole[c.level], params)],
  };
};

const overdue: Handler<'overdue'> = (c, _cmd, ctx, seq) => {
  if (!(ctx.now > c.dueAt)) return notAllowed(`the case is not past its due date (${c.dueDate})`);
  if (c.data.overdue === true) return notAllowed('the case is already overdue');
  const today = todayOf(ctx);
  const level = higher(c.level, 'street');
  const effects: Effect[] = [notify(c.caseId, seq, `${c.type}.overdue`, c.ownerStreetId, 'street_manager', { dueDate: c.dueDate })];
  const data: Data = { ...c.data, overdue: true, overdueSince: today };
  const after = ctx.rules[c.type].escalateToDistrictAfterDays;
  if (after !== null && c.level !== 'district') {
    const at = startOfBusinessDay(addCalendarDays(today, after));
    data.districtDueAt = at;
    effects.push({ kind: 'set_timer', timerId: timerId(c.caseId, 'escalate_district'), caseId: c.caseId, at, command: { action: 'escalate_district' } });
  }
  return { state: machines[c.type].states[c.state]?.on.overdue?.[0] ?? 'overdue', level, data, effects, reason: `due date ${c.dueDate} passed` };
};

const escalateDistrict: Handler<'escalate_district'> = (c, _cmd, ctx, seq) => {
  if (c.level === 'district') return notAllowed('the case is already in the district queue');
  const rerouteDueAt = str(c.data, 'rerouteDueAt');
  const districtDueAt = str(c.data, 'districtDueAt');
  let reason: string;
  if (c.state === 'rerouting' && rerouteDueAt && ctx.now > rerouteDueAt) reason = `not re-routed by ${str(c.data, 'rerouteDueDate')}`;
  else if (districtDueAt && ctx.now >= districtDueAt) reason = `still open ${ctx.rules[c.type].escalateToDistrictAfterDays ?? '?'} days after it went overdue`;
  else return notAllowed('nothing about this case is due for district escalation yet');
  const level: QueueLevel = 'district';
  return {
    state: machines[c.type].states[c.state]?.on.escalate_district?.[0] ?? c.state,
    level,
    effects: [notify(c.caseId, seq, `${c.type}.escalated_district`, ctx.territory.districtId, 'district_manager', { dueDate: c.dueDate })],
    reason,
  };
};

const handlers: { [A in Action]: Handler<A> } = {
  acknowledge,
  reject,
  reassign,
  record_outcome: recordOutcome,
  escalate,
  cancel,
  remind,
  overdue,
  escalate_district: escalateDistrict,
};

/** What one command does to one case. Pure and deterministic. */
export function decide(c: Case, command: CaseCommand | unknown, ctx: MachineContext): Decision | Rejection {
  const parsed = caseCommand.safeParse(command);
  if (!parsed.success) return invalid(issuesText(parsed.error));
  const cmd = parsed.data;
  const machine = machines[c.type];
  if (!machine) return invalid(`unknown case type "${String(c.type)}"`);
  const stateDef = machine.states[c.state];
  if (!stateDef) return invalid(`a ${c.type} case has no state "${c.state}"`);
  if (c.status !== 'open' || stateDef.status !== 'open') return notAllowed(`a ${c.status} case cannot be ${pastTense[cmd.action]}`);
  if (ctx.now < c.updatedAt) return invalid(`the command's time ${ctx.now} is before the case's last change ${c.updatedAt}`);
  const targets = stateDef.on[cmd.action];
  if (!targets) return notAllowed(explainNotAllowed(c, cmd.action));
  const denied = authorize(c, cmd, ctx);
  if (denied) return denied;

  const seq = c.version + 1;
  const change = (handlers[cmd.action] as Handler<Action>)(c, cmd, ctx, seq);
  if (isRejection(change)) return change;
  if (!targets.includes(change.state)) throw new Error(`internal: ${c.type} ${c.state} --${cmd.action}--> ${change.state} is not in the machine`);

  const nextDef = machine.states[change.state]!;
  const owner = change.owner ?? c.ownerOrgUnitId;
  const level = change.level ?? c.level;
  if (levelRank[level] < levelRank[c.level] && cmd.action !== 'reassign') throw new Error(`internal: ${cmd.action} would move case ${c.caseId} down`);
  const queue = nextDef.status === 'open' ? queueOrgUnitFor(level, owner, ctx.territory) : c.queueOrgUnitId;
  const ownerStreetId = owner === c.ownerOrgUnitId ? c.ownerStreetId : ctx.territory.streetOf(owner);
  if (!ownerStreetId) return invalid(`"${owner}" has no street in district ${ctx.territory.districtId}`);
  const next: Case = {
    ...c,
    status: nextDef.status,
    state: change.state,
    ownerOrgUnitId: owner,
    ownerStreetId,
    queueOrgUnitId: queue,
    level,
    version: seq,
    updatedAt: ctx.now,
    ...(nextDef.status !== 'open' ? { closedAt: ctx.now } : {}),
    data: change.data ?? c.data,
  };
  const history: HistoryEntry = {
    caseId: c.caseId,
    seq,
    at: ctx.now,
    actor: ctx.actor,
    action: cmd.action,
    fromState: c.state,
    toState: next.state,
    fromQueueOrgUnitId: c.queueOrgUnitId,
    toQueueOrgUnitId: next.queueOrgUnitId,
    ...(change.reason ? { reason: change.reason } : {}),
  };
  return { ok: true, case: next, history, effects: change.effects ?? [] };
}

/** The staff actions the UI may offer on a case (before checking who the user is). */
export function allowedActions(c: Case): string[] {
  if (c.status !== 'open') return [];
  const on = machines[c.type]?.states[c.state]?.on ?? {};
  return staffActions.filter((a) => {
    if (!on[a]) return false;
    if (a === 'escalate') return c.level !== 'district';
    if (a === 'reassign') return c.level === 'street' || c.level === 'district';
    return true;
  });
}
