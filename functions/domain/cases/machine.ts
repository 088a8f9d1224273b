// What a case type is: its state machine as data, its opener, and the behaviour its own actions add.
// Every case type is one module (handover.ts, follow-up.ts, …) of this shape; registry.ts lists them.
import type { CaseStatus, CaseType, Case } from '../case';
import type { BusinessDate } from '../time';
import type { Action, CommandOf, StaffAction } from './commands';
import type { Change, Effect, MachineContext, Opening, Rejection } from './decision';
import type { Permission } from './authorization';

export interface StateDef {
  status: CaseStatus;
  /** Allowed actions and the states each may lead to (the handler picks one; guards may still refuse). */
  on: Partial<Record<Action, readonly string[]>>;
  /** Where the case stands, in words that finish "the case is …": explains a refused action. */
  means?: string;
}
export interface MachineDef {
  type: CaseType;
  /** States a new case may start in. */
  initial: readonly string[];
  /** record_outcome values (each is also the terminal state it leads to). */
  outcomes: readonly string[];
  states: Readonly<Record<string, StateDef>>;
}

export type Handler<A extends Action> = (c: Case, cmd: CommandOf<A>, ctx: MachineContext, seq: number) => Change | Rejection;

/** How a type closes on record_outcome: the outcomes a case may take, from when, and what each sets off. */
export interface OutcomeRules {
  allowed(c: Case): readonly string[];
  /** The earliest outcome date: when the case's task began. */
  earliest(c: Case): BusinessDate | undefined;
  /** The effects besides cancelling the timers (follow-on cases, notices, feedback). */
  effects(c: Case, cmd: CommandOf<'record_outcome'>, ctx: MachineContext, seq: number): Effect[] | Rejection;
}

export interface CaseTypeModule<I = never> {
  machine: MachineDef;
  /** Notify the queue holder when a case opens (recurring types are known in advance; their reminders do). */
  notifyOnOpen: boolean;
  open(input: I, ctx: MachineContext): Opening | Rejection;
  /** The type's own handlers for the actions only it has (acknowledge, reject, reassign). */
  handlers?: Partial<{ [A in Action]: Handler<A> }>;
  outcome?: OutcomeRules;
  /** Who may take an action on this type, where it differs from the common rule. */
  permissions?: Partial<Record<StaffAction, Permission>>;
}

/** The actions every open state has: manual escalation, cancel, and the timer events. */
export function common(self: string): StateDef['on'] {
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

export const done = (): StateDef => ({ status: 'done', on: {} });
export const cancelled = (): StateDef => ({ status: 'cancelled', on: {} });

/** A case closed by record_outcome: waiting → (escalated) → (overdue) → one of the outcomes. */
export function outcomeMachine(type: CaseType, waiting: string, outcomes: readonly string[]): MachineDef {
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
