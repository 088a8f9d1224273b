// The case machines: one state machine per case type, as data, and one pure decision function over them.
//
//   openCase(input, ctx)          → Decision | Rejection   the new case, its first history entry, its first timers
//   decide(case, command, ctx)    → Decision | Rejection   what one command does to one case
//   allowedActions(case)          → string[]               the staff actions the UI may offer
//   permittedActions(case, ctx)   → string[]               of those, what the actor in ctx may take now
//
// A Decision is the whole outcome of a command: the new case (version + 1), exactly one history entry, and the effects
// the runtime must carry out (timers to set or cancel, notification intents, follow-on cases to open, subject changes,
// feedback to the region of origin). Nothing here does I/O, reads a clock or draws a random number: the same case,
// command and context always give the same decision, with the same ids, so a retried command changes nothing twice.
//
// The parts, one concern each, under cases/: a module per case type (its machine, opener and own actions), commands,
// decision (effects and helpers), routing (queues and levels), authorization (who may do what, and why not),
// actions (the handlers every type shares) and the registry of types.
//
// Invariants kept here:
//   - every open case sits in exactly one queue, and the queue follows from (level, owner);
//   - escalation (escalate, overdue, escalate_district) only moves a case up and never changes its owner; only a
//     handover's reassign (re-routing by the street or district) changes the owner;
//   - a done or cancelled case accepts no command.
import type { Case, HistoryEntry } from './case';
import { handlerFor } from './cases/actions';
import { authorize, explainNotAllowed } from './cases/authorization';
import { caseCommand, issuesText, pastTense, type CaseCommand } from './cases/commands';
import { dueTimers, invalid, isRejection, notAllowed, notify, type Decision, type Effect, type MachineContext, type Rejection } from './cases/decision';
import { caseTypeModules, machines, openCaseInput, type OpenCaseInput, type ParsedOpen } from './cases/registry';
import { levelRank, queueOrgUnitFor, workerRole } from './cases/routing';
import { endOfBusinessDay } from './time';

export { allowedActions, permittedActions, type Permission } from './cases/authorization';
export { caseCommand, staffActions, timerActions, type Action, type CaseCommand, type StaffAction, type SubjectRef, type TimerCommand } from './cases/commands';
export type { CancelAllTimersEffect, CancelTimerEffect, ChangeSubjectEffect, DeadlineFn, Decision, Effect, MachineContext, NotifyEffect, OpenCaseEffect, OriginFeedbackEffect, Rejection, SetTimerEffect } from './cases/decision';
export { certificateTasks, type CertificateTask } from './cases/certificate-check';
export { followUpTriggers } from './cases/follow-up';
export { handoverReasons } from './cases/handover';
export { checkCadence, checkPeriod, checkPeriodOf } from './cases/health-check';
export type { MachineDef, StateDef } from './cases/machine';
export { machines, openCaseInput, type OpenCaseInput } from './cases/registry';
export { queueOrgUnitFor } from './cases/routing';

/** Build a new case: its queue, deadline, first history entry and first timers. */
export function openCase(input: OpenCaseInput | unknown, ctx: MachineContext): Decision | Rejection {
  const parsed = openCaseInput.safeParse(input);
  if (!parsed.success) return invalid(issuesText(parsed.error));
  const inp: ParsedOpen = parsed.data;
  const type = inp.type;
  const module = caseTypeModules[type] as { open(i: ParsedOpen, c: MachineContext): ReturnType<(typeof caseTypeModules)['handover']['open']>; notifyOnOpen: boolean };
  const o = module.open(inp, ctx);
  if (isRejection(o)) return o;
  const machine = machines[type];
  if (!machine.initial.includes(o.state)) throw new Error(`internal: ${type} cannot start in ${o.state}`);
  const ownerStreetId = ctx.territory.streetOf(o.owner);
  if (!ownerStreetId) return invalid(`"${o.owner}" has no street in district ${ctx.territory.districtId}`);
  const queue = queueOrgUnitFor(o.level, o.owner, ctx.territory);
  const c: Case = {
    caseId: o.caseId,
    type,
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
  const effects: Effect[] = [...dueTimers(c.caseId, c.dueDate, ctx.rules[type].remindDaysBefore, ctx), ...o.effects];
  if (module.notifyOnOpen) {
    const template = o.state === 'rerouting' ? `${type}.reroute` : `${type}.opened`;
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
  const handler = handlerFor(c, cmd.action);
  if (!handler) throw new Error(`internal: a ${c.type} case has no handler for ${cmd.action}`);
  const change = handler(c, cmd, ctx, seq);
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
    ...(change.due ? { dueDate: change.due.date, dueAt: endOfBusinessDay(change.due.date), provisional: change.due.provisional } : {}),
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
