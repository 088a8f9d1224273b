// Who may do what with a case, and why an action is refused: both read from the tables (the machines' states and
// the permissions below), never restated by hand.
//
//   allowedActions(case)        the staff actions the case's type, state and level allow, whoever asks
//   permittedActions(case, ctx) of those, the ones the actor in ctx may take now
import { caseTypes, type Case, type CaseType } from '../case';
import { pastTense, staffActions, timerActions, type Action, type CaseCommand, type StaffAction } from './commands';
import { invalid, notAllowed, type MachineContext, type Rejection } from './decision';
import { caseTypeModules, machines } from './registry';

/** Who may take a staff action on a case, in words ("<action> is only for <who>") and as a test. */
export interface Permission {
  who: string | ((c: Case) => string);
  may(c: Case, actorOrgUnitId: string, ctx: MachineContext): boolean;
}

const ownerOrAbove = (c: Case, org: string, ctx: MachineContext) => org === c.ownerOrgUnitId || ctx.territory.isWithin(c.ownerOrgUnitId, org);

/** The rule every case type follows unless its module says otherwise (a module may narrow it: read at call time). */
export const commonPermissions: Record<StaffAction, Permission> = {
  acknowledge: { who: 'the receiving community', may: (c, org) => org === c.ownerOrgUnitId },
  reject: { who: 'the receiving community', may: (c, org) => org === c.ownerOrgUnitId },
  reassign: {
    who: 'the street holding the case or the district',
    may: (c, org, ctx) => ctx.territory.get(org)?.kind === 'district' || (c.level === 'street' && org === c.queueOrgUnitId),
  },
  record_outcome: { who: 'the owner of the case, its street or the district', may: ownerOrAbove },
  escalate: { who: (c) => `the queue holding the case (${c.queueOrgUnitId}) or a level above it`, may: (c, org, ctx) => ctx.territory.isWithin(c.queueOrgUnitId, org) },
  cancel: { who: 'the owner of the case, its street or the district', may: ownerOrAbove },
};

export function permissionFor(type: CaseType, action: StaffAction): Permission {
  return caseTypeModules[type].permissions?.[action] ?? commonPermissions[action];
}

const isStaffAction = (a: Action): a is StaffAction => (staffActions as readonly string[]).includes(a);
const isTimerAction = (a: Action) => (timerActions as readonly string[]).includes(a);

/** Whether the actor in ctx may take this command on the case; undefined when she may. */
export function authorize(c: Case, cmd: CaseCommand, ctx: MachineContext): Rejection | undefined {
  const action = cmd.action;
  if (ctx.actor.kind === 'system') {
    // The system may escalate and cancel (jobs, fault handling) and fire timers; the rest needs a person.
    if (isStaffAction(action) && action !== 'escalate' && action !== 'cancel') return notAllowed(`${action} needs a staff member; the system cannot do it`);
    return undefined;
  }
  if (isTimerAction(action)) return notAllowed(`${action} is a system timer event, not a staff action`);
  const org = ctx.actorOrgUnitId;
  if (!org) return invalid('a staff action needs the org unit the staff member acts for (actorOrgUnitId)');
  if (!ctx.territory.get(org)) return invalid(`"${org}" is not an org unit of district ${ctx.territory.districtId}`);
  if (!isStaffAction(action)) return undefined;
  const permission = permissionFor(c.type, action);
  if (permission.may(c, org, ctx)) return undefined;
  const who = typeof permission.who === 'function' ? permission.who(c) : permission.who;
  return notAllowed(`${action} is only for ${who}`);
}

/** The staff actions the case's type, state and level allow (before asking who the user is). */
export function allowedActions(c: Case): StaffAction[] {
  if (c.status !== 'open') return [];
  const on = machines[c.type]?.states[c.state]?.on ?? {};
  return staffActions.filter((a) => {
    if (!on[a]) return false;
    if (a === 'escalate') return c.level !== 'district';
    if (a === 'reassign') return c.level === 'street' || c.level === 'district';
    return true;
  });
}

/** What the actor in ctx may do with the case now: the allowed actions her org unit is permitted. */
export function permittedActions(c: Case, ctx: MachineContext): StaffAction[] {
  if (ctx.actor.kind !== 'staff' || !ctx.actorOrgUnitId || !ctx.territory.get(ctx.actorOrgUnitId)) return [];
  const org = ctx.actorOrgUnitId;
  return allowedActions(c).filter((a) => permissionFor(c.type, a).may(c, org, ctx));
}

const plural = (t: CaseType) => `${t.replace(/_/g, ' ')}s`;
const list = (xs: readonly string[]) => (xs.length <= 1 ? xs.join('') : `${xs.slice(0, -1).join(', ')} or ${xs.at(-1)}`);

/** The actions that close a case of this type: those leading from an open state to a done one. */
function closingActions(type: CaseType): Action[] {
  const m = machines[type];
  const out = new Set<Action>();
  for (const def of Object.values(m.states)) {
    if (def.status !== 'open') continue;
    for (const [action, targets] of Object.entries(def.on) as [Action, readonly string[]][]) {
      if (targets.some((t) => m.states[t]?.status === 'done')) out.add(action);
    }
  }
  return [...out];
}

/** Why an action is not in the current state's table, in words a user can act on; read from the machines. */
export function explainNotAllowed(c: Case, action: Action): string {
  const m = machines[c.type];
  const statesWith = Object.entries(m.states).filter(([, def]) => def.status === 'open' && def.on[action]).map(([s]) => s);
  if (statesWith.length === 0) {
    const closers = closingActions(c.type);
    const closesOthers = caseTypes.some((t) => t !== c.type && closingActions(t).includes(action));
    if (closesOthers && closers.length > 0) return `a ${c.type} case is closed by ${list(closers)}, not ${action}`;
    const typesWith = caseTypes.filter((t) => Object.values(machines[t].states).some((def) => def.on[action])).map(plural);
    if (typesWith.length === 0) return `${action} is not an action of any case type`;
    return `${action} is only for ${list(typesWith)}: only ${list(typesWith)} are ${pastTense[action]}, a ${c.type} case never is`;
  }
  const means = m.states[c.state]?.means;
  return `${action} is not allowed while the ${c.type} case is ${means ?? `in state ${c.state}`}; it is allowed in state ${list(statesWith)}`;
}
