// What a command produces: a Decision (the new case, one history entry, the effects the runtime carries out) or a
// Rejection. The effects are data; nothing in the domain does I/O, reads a clock or draws a random number.
import type { CalendarResult, DeadlineRule } from '../calendar';
import type { Actor, Case, HistoryEntry, QueueLevel } from '../case';
import type { StaffRole } from '../district-config';
import type { SubjectClass } from '../people';
import type { RoutingRules } from '../rules';
import type { Territory } from '../territory';
import { addCalendarDays, businessDateOf, businessInstant, startOfBusinessDay, type BusinessDate, type Instant } from '../time';
import type { TimerCommand } from './commands';
import type { OpenCaseInput } from './registry';

/** A deadline counted from a start date: WorkCalendar.deadline, or a stand-in with the same contract. */
export type DeadlineFn = (rule: DeadlineRule, start: BusinessDate) => CalendarResult;

export interface MachineContext {
  now: Instant;
  actor: Actor;
  /** The org unit a staff actor acts for. Required for staff actions; ignored for the system. */
  actorOrgUnitId?: string;
  territory: Territory;
  rules: RoutingRules;
  /** The one deadline function: every due date a case carries comes from it. */
  deadline: DeadlineFn;
  /** Whether a date is an official public holiday (fixed check days on one move); absent: none known. */
  holiday?: (date: BusinessDate) => boolean;
}

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

export const notAllowed = (reason: string): Rejection => ({ ok: false, code: 'not_allowed', reason });
export const invalid = (reason: string): Rejection => ({ ok: false, code: 'invalid', reason });
export const isRejection = (x: unknown): x is Rejection => typeof x === 'object' && x !== null && (x as Rejection).ok === false;

export type Data = Case['data'];

/** What an action handler returns; decide() turns it into the new case and its history entry. */
export interface Change {
  state: string;
  /** A new due date (a case type with steps, each on its own deadline). */
  due?: CalendarResult;
  level?: QueueLevel;
  owner?: string;
  data?: Data;
  effects?: Effect[];
  reason?: string;
}

/** What a case type's opener returns; openCase() turns it into the new case, its first history entry and timers. */
export interface Opening {
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

// ---------------------------------------------------------------------------------------------------------------------
// Small helpers every case type uses

export const timerId = (caseId: string, key: string) => `${caseId}#${key}`;
export const followOnId = (caseId: string, seq: number) => `${caseId}.${seq}`;
export const todayOf = (ctx: MachineContext) => businessDateOf(ctx.now);
/** A timer that fires when the date is over: 00:00 of the next day (Asia/Shanghai). */
export const afterDate = (date: BusinessDate): Instant => startOfBusinessDay(addCalendarDays(date, 1));

export function str(data: Data, key: string): string | undefined {
  const v = data[key];
  return typeof v === 'string' ? v : undefined;
}
export function num(data: Data, key: string): number | undefined {
  const v = data[key];
  return typeof v === 'number' ? v : undefined;
}
export function clean(data: Record<string, string | number | boolean | undefined>): Data {
  const out: Data = {};
  for (const [k, v] of Object.entries(data)) if (v !== undefined) out[k] = v;
  return out;
}
export function withoutKeys(data: Data, ...keys: string[]): Data {
  const out = { ...data };
  for (const k of keys) delete out[k];
  return out;
}

/**
 * A last day the rules set as a date (the 2nd of the month, a period's end, a given window end), through the one
 * deadline function: on a rest day it moves to the next working day (Civil Code art. 203), provisional in a year
 * without an official schedule.
 */
export function lastDayOn(ctx: MachineContext, date: BusinessDate): CalendarResult {
  return ctx.deadline({ days: 0, unit: 'calendar' }, date);
}

export function notify(caseId: string, seq: number, template: string, orgUnitId: string, role: StaffRole, params: Record<string, string | number> = {}): NotifyEffect {
  return { kind: 'notify', notificationId: `${caseId}#${seq}#${template}#${orgUnitId}#${role}`, caseId, template, recipient: { orgUnitId, role }, params };
}

/** Reminders `offsets` days before the due date (none for a day already past), then the overdue timer. */
export function dueTimers(caseId: string, dueDate: BusinessDate, offsets: readonly number[], ctx: MachineContext): SetTimerEffect[] {
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
