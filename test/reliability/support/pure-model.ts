// The pure domain run as the runtime runs it, without I/O: cases, their history and timers in
// memory; a command goes through decide(); a clock move fires every timer due on the way at its own
// instant, in time order (a rejected timer command removes the timer, as the sweeper does).
import fc from 'fast-check';
import { WorkCalendar } from '../../../functions/domain/calendar';
import type { Actor, Case, HistoryEntry } from '../../../functions/domain/case';
import { allowedActions, decide, openCase, type Decision, type MachineContext, type OpenCaseInput, type SubjectRef } from '../../../functions/domain/case-machines';
import type { DistrictConfig } from '../../../functions/domain/district-config';
import { resolveRules } from '../../../functions/domain/rules';
import { Territory } from '../../../functions/domain/territory';
import { addCalendarDays, businessDateOf } from '../../../functions/domain/time';
import type { CaseSnapshot, Snapshot } from './case-invariants';

export interface ModelTimer {
  timerId: string;
  caseId: string;
  at: string;
  command: { action: string; [k: string]: unknown };
}

export class PureModel {
  readonly territory: Territory;
  readonly cases = new Map<string, Case>();
  readonly history = new Map<string, HistoryEntry[]>();
  readonly timers = new Map<string, ModelTimer>();
  readonly stats = { opened: 0, applied: 0, rejected: 0, fired: 0, timerRejected: 0, notifications: 0 };
  /** Refusals by the first words of their reason (to keep the generator honest). */
  readonly refusals = new Map<string, number>();
  private readonly rules;
  private readonly calendar;

  constructor(
    config: DistrictConfig,
    public now: string,
  ) {
    this.territory = new Territory(config);
    this.rules = resolveRules(config.rules);
    this.calendar = new WorkCalendar({ officialYears: config.calendar.officialYears });
  }

  ctx(actor: Actor, actorOrgUnitId?: string, now = this.now): MachineContext {
    return { now, actor, ...(actorOrgUnitId ? { actorOrgUnitId } : {}), territory: this.territory, rules: this.rules, deadline: (rule, start) => this.calendar.deadline(rule, start) };
  }

  /** Opens a case; false when the domain refuses the input. A follow-on the domain refuses is a bug: it throws. */
  open(input: OpenCaseInput, actor: Actor): boolean {
    const d = openCase(input, this.ctx(actor));
    if (!d.ok) return false;
    if (this.cases.has(d.case.caseId)) return false; // the service answers "exists"; nothing changes
    this.apply(d, this.ctx(actor));
    this.stats.opened++;
    return true;
  }

  /** Applies a command; false when refused. Checks decide() is deterministic on the way. */
  act(caseId: string, command: unknown, actor: Actor, actorOrgUnitId?: string): boolean {
    const c = this.cases.get(caseId);
    if (!c) return false;
    const ctx = this.ctx(actor, actorOrgUnitId);
    const d = decide(c, command, ctx);
    const again = decide(c, command, ctx);
    if (JSON.stringify(d) !== JSON.stringify(again)) throw new Error(`decide is not deterministic for ${caseId} ${JSON.stringify(command)}`);
    if (!d.ok) {
      this.stats.rejected++;
      const key = d.reason.replace(/"[^"]*"/g, '…').replace(/\d{4}-\d{2}-\d{2}[^ ]*/g, 'D').slice(0, 60);
      this.refusals.set(key, (this.refusals.get(key) ?? 0) + 1);
      return false;
    }
    this.apply(d, ctx);
    this.stats.applied++;
    return true;
  }

  /** Moves the clock to `to`, firing each due timer at its own instant, in (at, timerId) order. */
  advanceTo(to: string): void {
    for (let guard = 0; guard < 10_000; guard++) {
      const next = [...this.timers.values()].filter((t) => t.at <= to).sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.timerId < b.timerId ? -1 : 1))[0];
      if (!next) break;
      if (next.at > this.now) this.now = next.at;
      const c = this.cases.get(next.caseId);
      const ctx = this.ctx({ kind: 'system', process: 'sweeper' });
      const d = c ? decide(c, next.command, ctx) : undefined;
      if (!d || !d.ok) {
        this.timers.delete(next.timerId);
        this.stats.timerRejected++;
        continue;
      }
      const setIds = this.apply(d, ctx);
      if (!setIds.has(next.timerId)) this.timers.delete(next.timerId);
      this.stats.fired++;
    }
    if (to > this.now) this.now = to;
  }

  /** Writes a decision like CaseService.commitFor: the case, its entry, timers, follow-ons. Returns the timer ids set. */
  private apply(d: Decision, ctx: MachineContext, depth = 0): Set<string> {
    const c = d.case;
    this.cases.set(c.caseId, c);
    const h = this.history.get(c.caseId) ?? [];
    if (d.history.seq !== h.length + 1) throw new Error(`${c.caseId}: entry ${d.history.seq} after ${h.length} entries`);
    this.history.set(c.caseId, [...h, d.history]);
    const setIds = new Set<string>();
    for (const e of d.effects) {
      switch (e.kind) {
        case 'set_timer':
          this.timers.set(e.timerId, { timerId: e.timerId, caseId: e.caseId, at: e.at, command: e.command });
          setIds.add(e.timerId);
          break;
        case 'cancel_timer':
          this.timers.delete(e.timerId);
          setIds.delete(e.timerId);
          break;
        case 'cancel_all_timers':
          for (const t of [...this.timers.values()]) if (t.caseId === e.caseId) this.timers.delete(t.timerId);
          setIds.clear();
          break;
        case 'open_case': {
          if (depth > 2) throw new Error(`follow-ons nest too deep at ${e.parentCaseId}`);
          const child = openCase(e.input, ctx);
          if (!child.ok) throw new Error(`follow-on of ${e.parentCaseId} refused: ${child.reason}`);
          if (this.cases.has(child.case.caseId)) throw new Error(`follow-on ${child.case.caseId} exists already`);
          this.apply(child, ctx, depth + 1);
          break;
        }
        case 'notify':
          this.stats.notifications++;
          break;
        default:
          break;
      }
    }
    return setIds;
  }

  snapshot(): Snapshot {
    const snap: Snapshot = new Map();
    for (const [id, c] of this.cases) {
      const s: CaseSnapshot = { case: structuredClone(c), history: structuredClone(this.history.get(id) ?? []), timers: [...this.timers.values()].filter((t) => t.caseId === id).map((t) => t.timerId).sort() };
      snap.set(id, s);
    }
    return snap;
  }
}

// ---------------------------------------------------------------------------------------------
// Generated steps: openings, staff and system commands (valid or not), clock moves.

export type Step =
  | { kind: 'open'; type: 'handover' | 'follow_up' | 'health_check' | 'certificate_check' | 'unit_notice' | 'change_report'; subject: number; daysBack: number; to: number; reasonIx: number; flag: boolean }
  | { kind: 'act'; target: number; action: string; org: number; other: number; outcome: number; daysBack: number; system: boolean }
  | { kind: 'advance'; hours: number };

export const ACTIONS = ['acknowledge', 'reject', 'reassign', 'record_outcome', 'escalate', 'cancel', 'remind', 'overdue', 'escalate_district'] as const;
const OUTCOMES = ['visited', 'not_reachable', 'moved_away', 'attended', 'absent', 'exempt', 'valid', 'missing', 'expired', 'filed', 'bogus'];
const HANDOVER_REASONS = ['resigned', 'dismissed', 'removed', 'moved'] as const;
const TRIGGERS = ['service', 'birth', 'return', 'manual'] as const;

export function stepArb(opts: { maxAdvanceHours: number }): fc.Arbitrary<Step> {
  return fc.oneof(
    {
      weight: 3,
      arbitrary: fc.record({
        kind: fc.constant('open' as const),
        // Handovers have the most paths (reject, re-route, reassign): generated more often.
        type: fc.constantFrom('handover', 'handover', 'handover', 'follow_up', 'health_check', 'certificate_check', 'unit_notice', 'change_report' as const),
        subject: fc.nat(50),
        daysBack: fc.oneof(fc.constant(0), fc.nat(45)),
        to: fc.nat(20),
        reasonIx: fc.nat(10),
        flag: fc.boolean(),
      }),
    },
    {
      weight: 6,
      arbitrary: fc.record({
        kind: fc.constant('act' as const),
        target: fc.nat(100),
        action: fc.constantFrom(...ACTIONS),
        org: fc.nat(30),
        other: fc.nat(30),
        outcome: fc.nat(OUTCOMES.length - 1),
        daysBack: fc.oneof(fc.constant(0), fc.nat(20)),
        system: fc.nat(4).map((n) => n === 0),
      }),
    },
    { weight: 3, arbitrary: fc.record({ kind: fc.constant('advance' as const), hours: fc.integer({ min: 1, max: opts.maxAdvanceHours }) }) },
  );
}

/** Turns a generated opening into an OpenCaseInput against the district and the current time. */
export function openingInput(s: Extract<Step, { kind: 'open' }>, caseId: string, subjects: SubjectRef[], territory: Territory, now: string): OpenCaseInput {
  const today = businessDateOf(now);
  const date = addCalendarDays(today, -s.daysBack);
  const subject = subjects[s.subject % subjects.length]!;
  const communities = territory.ofKind('community').map((u) => u.id);
  const units = territory.ofKind('unit').map((u) => u.id);
  switch (s.type) {
    case 'handover': {
      const reason = HANDOVER_REASONS[s.reasonIx % HANDOVER_REASONS.length]!;
      const to = s.flag ? communities[s.to % communities.length] : undefined;
      return { type: 'handover', caseId, subject, reason, separationDate: date, ...(to ? { toCommunityId: to } : {}) };
    }
    case 'follow_up':
      return { type: 'follow_up', caseId, subject, trigger: TRIGGERS[s.reasonIx % TRIGGERS.length]!, eventDate: date, ...(s.flag ? { windowStart: addCalendarDays(date, s.to % 10) } : {}) };
    case 'health_check':
      return { type: 'health_check', subject, ...(s.flag ? { periodOf: date } : {}) };
    case 'certificate_check':
      return { type: 'certificate_check', caseId, subject, startDate: date };
    case 'unit_notice':
      return { type: 'unit_notice', unitId: units[s.to % units.length]!, communityId: communities[s.reasonIx % communities.length]!, period: `${today.slice(0, 4)}-${s.flag ? 'H1' : 'H2'}` };
    case 'change_report':
      return { type: 'change_report', communityId: communities[s.to % communities.length]!, month: date.slice(0, 7) };
  }
}

/** The outcomes each case type accepts (a generated outcome is usually one of its own). */
const OUTCOMES_OF: Record<string, string[]> = {
  follow_up: ['visited', 'not_reachable', 'moved_away'],
  health_check: ['attended', 'absent', 'exempt'],
  certificate_check: ['valid', 'missing', 'expired'],
  change_report: ['filed'],
  handover: [],
  unit_notice: [],
};

/**
 * Turns a generated action on case `c` into a command and the org unit the actor acts for: mostly
 * one related to the case (owner, queue, street, district, her community, the notice's community),
 * sometimes any org unit, so that refusals are exercised too but most commands can apply.
 */
export function actionCommand(s: Extract<Step, { kind: 'act' }>, c: Case, territory: Territory, now: string): { command: Record<string, unknown>; org: string; system: boolean } {
  // Three times in four, an action the case's state offers (timer events from the system); else the generated one.
  // Cancel ends a case: offered rarely, so that cases live long enough to move between queues.
  const offered = [...allowedActions(c).filter((a) => a !== 'cancel' || s.daysBack % 6 === 0), 'remind', 'overdue', 'escalate_district'];
  let action = s.other % 4 !== 0 && c.status === 'open' ? offered[s.outcome % offered.length]! : s.action;
  // A handover waiting to be re-routed is usually re-routed (the path that may move a case down).
  if (c.type === 'handover' && c.status === 'open' && (c.state === 'rerouting' || c.level !== 'community') && s.daysBack % 2 === 0) action = 'reassign';
  const system = ['remind', 'overdue', 'escalate_district'].includes(action) ? s.org % 8 !== 7 : s.system;
  return { ...commandFor({ ...s, action }, c, territory, now), system };
}

function commandFor(s: Extract<Step, { kind: 'act' }>, c: Case, territory: Territory, now: string): { command: Record<string, unknown>; org: string } {
  const orgs = territory.all().map((u) => u.id);
  const communities = territory.ofKind('community').map((u) => u.id);
  const related = [c.ownerOrgUnitId, c.queueOrgUnitId, c.ownerStreetId, territory.districtId, c.data.communityId, c.data.toCommunityId].filter((x): x is string => typeof x === 'string');
  const org = s.org % 8 < 6 ? related[s.org % related.length]! : orgs[s.org % orgs.length]!;
  const date = addCalendarDays(businessDateOf(now), -s.daysBack);
  switch (s.action) {
    case 'acknowledge':
    case 'overdue':
    case 'escalate_district':
      return { command: { action: s.action }, org };
    case 'reject':
      return { command: { action: 'reject', reason: 'not ours' }, org };
    case 'reassign':
      return { command: { action: 'reassign', toOrgUnitId: s.other % 6 === 0 ? orgs[s.other % orgs.length]! : communities[s.other % communities.length]!, reason: 're-route' }, org };
    case 'record_outcome': {
      const own = OUTCOMES_OF[c.type] ?? [];
      const outcome = own.length > 0 && s.outcome % 5 !== 4 ? own[s.outcome % own.length]! : OUTCOMES[s.outcome]!;
      const toCommunity = outcome === 'moved_away' && s.other % 2 === 0 ? { toCommunityId: communities[s.other % communities.length]! } : {};
      return { command: { action: 'record_outcome', outcome, date, ...toCommunity }, org };
    }
    case 'escalate':
      return { command: { action: 'escalate', ...(s.other % 2 ? { reason: 'urgent' } : {}) }, org };
    case 'cancel':
      return { command: { action: 'cancel', reason: 'no longer needed' }, org };
    case 'remind':
      return { command: { action: 'remind', key: `due-${s.other % 8}` }, org };
    default:
      return { command: { action: s.action }, org };
  }
}
