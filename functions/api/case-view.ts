// A case as the API returns it: overdue computed from the clock, and the actions this caller may take now (the
// domain's permittedActions: what the type, state and level allow and her org unit is permitted).
import type { DistrictContext } from '../app/district-context';
import type { Case, HistoryEntry } from '../domain/case';
import { permittedActions, type MachineContext } from '../domain/case-machines';
import { daysOverdue } from '../domain/reports';
import type { Caller } from './access';
import type { CaseView } from './schemas';

type StaffAction = CaseView['allowedActions'][number];

function machineContext(caller: Caller, district: DistrictContext, now: string): MachineContext {
  const { territory, rules, deadline, holiday } = district;
  return { now, actor: { kind: 'staff', staffId: caller.staffId }, actorOrgUnitId: caller.orgUnitId, territory, rules, deadline, holiday };
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
    allowedActions: permittedActions(c, machineContext(caller, district, now)) as StaffAction[],
    ...(history ? { history: history.map(historyView) } : {}),
  };
}
