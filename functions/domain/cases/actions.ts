// The handlers of the actions every case type shares (record_outcome, escalate, cancel and the timer events). A
// type's own actions (acknowledge, reject, reassign) live in its module.
import type { Case, QueueLevel } from '../case';
import { startOfBusinessDay } from '../time';
import type { Action } from './commands';
import { invalid, notAllowed, notify, str, timerId, todayOf, type Data, type Effect } from './decision';
import type { Handler } from './machine';
import { caseTypeModules, machines } from './registry';
import { higher, queueOrgUnitFor, workerRole } from './routing';

const recordOutcome: Handler<'record_outcome'> = (c, cmd, ctx, seq) => {
  const today = todayOf(ctx);
  const { outcome, date } = cmd;
  const rules = caseTypeModules[c.type].outcome;
  const allowed = rules?.allowed(c) ?? [];
  if (!allowed.includes(outcome)) return invalid(`"${outcome}" is not an outcome of this ${c.type} case (one of: ${allowed.join(', ')})`);
  if (date > today) return invalid(`the outcome date ${date} is in the future (today is ${today})`);
  const earliest = rules?.earliest(c);
  if (earliest && date < earliest) return invalid(`the outcome date ${date} is before ${earliest}, when this case's task began`);
  if (cmd.toCommunityId !== undefined && !(c.type === 'follow_up' && outcome === 'moved_away')) return invalid('toCommunityId goes with a follow_up outcome of moved_away only');
  const more = rules?.effects(c, cmd, ctx, seq) ?? [];
  if (!Array.isArray(more)) return more;
  return { state: outcome, data: { ...c.data, outcome, outcomeDate: date }, effects: [{ kind: 'cancel_all_timers', caseId: c.caseId }, ...more] };
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

const remind: Handler<'remind'> = (c, cmd, _ctx, seq) => {
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
    // Escalated at the start of the day `after` days on, moved off a rest day like every other deadline.
    const districtDue = ctx.deadline({ days: after, unit: 'calendar' }, today);
    const at = startOfBusinessDay(districtDue.date);
    data.districtDueDate = districtDue.date;
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
  return {
    state: machines[c.type].states[c.state]?.on.escalate_district?.[0] ?? c.state,
    level: 'district',
    effects: [notify(c.caseId, seq, `${c.type}.escalated_district`, ctx.territory.districtId, 'district_manager', { dueDate: c.dueDate })],
    reason,
  };
};

const shared: Partial<{ [A in Action]: Handler<A> }> = {
  record_outcome: recordOutcome,
  escalate,
  cancel,
  remind,
  overdue,
  escalate_district: escalateDistrict,
};

/** The handler of an action on a case of this type: the type's own, else the shared one. */
export function handlerFor(c: Case, action: Action): Handler<Action> | undefined {
  return (caseTypeModules[c.type].handlers?.[action] ?? shared[action]) as Handler<Action> | undefined;
}
