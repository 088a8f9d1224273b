// A case as the API returns it: overdue computed from the clock, and the actions this caller may
// take now (the machine's actions for the type and state, each tried as a dry run of the pure
// decide() with the caller as actor, so the domain's own authorization rules decide).
import type { DistrictContext } from '../app/district-context';
import type { Case, HistoryEntry } from '../domain/case';
import { allowedActions, decide, type MachineContext } from '../domain/case-machines';
import { daysOverdue } from '../domain/reports';
import { businessDateOf } from '../domain/time';
import type { Caller } from './access';
import type { CaseView } from './schemas';

type StaffAction = CaseView['allowedActions'][number];

export function machineContext(caller: Caller, district: DistrictContext, now: string): MachineContext {
  const { territory, rules, deadline } = district;
  return { now, actor: { kind: 'staff', staffId: caller.staffId }, actorOrgUnitId: caller.orgUnitId, territory, rules, deadline };
}

/** A command of each action that is well-formed, so a dry run reaches the authorization step. */
function probe(action: StaffAction, now: string): Record<string, unknown> {
  switch (action) {
    case 'reject':
    case 'cancel':
      return { action, reason: 'probe' };
    case 'reassign':
      return { action, toOrgUnitId: 'probe' };
    case 'record_outcome':
      return { action, outcome: 'probe', date: businessDateOf(now) };
    default:
      return { action };
  }
}

/**
 * The staff actions the caller may take on the case now. The machine lists what the type, state
 * and level allow; a dry run of decide() as the caller drops what her org unit may not do (a
 * rejection as "invalid" means she got past authorization and only the probe's values were wrong).
 */
export function callerActions(c: Case, caller: Caller, district: DistrictContext, now: string): StaffAction[] {
  const ctx = machineContext(caller, district, now);
  return (allowedActions(c) as StaffAction[]).filter((action) => {
    const r = decide(c, probe(action, now), ctx);
    return r.ok || r.code === 'invalid';
  });
}

function historyView(h: HistoryEntry) {
  const { caseId: _caseId, ...rest } = h;
  return rest;
}

export function caseView(c: Case, caller: Caller, district: DistrictContext, now: string, history?: HistoryEntry[]): CaseView {
  const days = daysOverdue(c, now);
  return {
    caseId: c.caseId,
    type: c.type,
    status: c.status,
    state: c.state,
    subjectId: c.subjectId ?? null,
    ownerOrgUnitId: c.ownerOrgUnitId,
    queueOrgUnitId: c.queueOrgUnitId,
    level: c.level,
    dueDate: c.dueDate,
    dueAt: c.dueAt,
    overdue: days > 0,
    daysOverdue: days,
    provisional: c.provisional,
    createdAt: c.createdAt,
    updatedAt: c.updatedAt,
    closedAt: c.closedAt ?? null,
    parentCaseId: c.parentCaseId ?? null,
    data: c.data,
    allowedActions: callerActions(c, caller, district, now),
    ...(history ? { history: history.map(historyView) } : {}),
  };
}
