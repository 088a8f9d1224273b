// Events from other departments (POST /events): each is validated and applied on its own, idempotent by its event id
// (a record written with its effect), and does what the source does with it:
//   birth     a follow-up visit (trigger birth) for the subject;
//   marriage  she joins the register (a married woman of childbearing age) in the community named;
//   move_in   she joins the register in the community named; a mobile woman also gets her certificate check (which
//             asks her region of origin to verify, when it is a partner: functions/app/exchange-planner.ts);
//   move_out  a handover: to a community of this district, or out of it (toRegion) through the exchange;
//   death     she leaves the register (her files then follow the retention rule), and every open case of hers is
//             cancelled (subject_deceased) with its timers: the source stops its services for a deceased woman.
// An event for an unknown subject, with a bad date or already applied is answered on its own, and nothing of it written.
import { createHash } from 'node:crypto';
import type { Actor } from '../domain/case';
import type { Clock } from '../domain/clock';
import { departmentEvent, type DepartmentConfig, type DepartmentEvent } from '../domain/department-events';
import type { Subject } from '../domain/people';
import { businessDateOf } from '../domain/time';
import { StaleCaseError, type CaseStore } from '../store/case-store';
import { departmentEventItem, subjectItem, type Item } from '../store/keys';
import type { ExchangeStore } from '../store/exchange-store';
import type { RegisterStore } from '../store/register-store';
import { CaseRejected, subjectRefOf, type CaseService } from './case-service';
import type { DistrictContext } from './district-context';
import type { ExchangeService } from './exchange-service';

export interface EventOutcome {
  index: number;
  eventId?: string;
  outcome: 'applied' | 'already_applied' | 'refused';
  /** A field path and reason, or a reason code: never a value of the event. */
  reason?: string;
  caseId?: string;
  /** A death: how many of her open cases this delivery cancelled. */
  closedCases?: number;
}

export interface DepartmentEventDeps {
  cases: CaseStore;
  register: RegisterStore;
  store: ExchangeStore;
  service: CaseService;
  exchange: ExchangeService;
  district: DistrictContext;
  clock: Clock;
  /** The departments' signing keys (default: the dev source, from the environment). */
  keys?: DepartmentKeySource;
  /** Fault injection (tests): a throw is a crash between a death's record and the closing of her cases. */
  fault?: (step: 'after_death_recorded') => void | Promise<void>;
}

/** The reason a deceased woman's open cases are cancelled with: a code, no health detail. */
export const DECEASED = 'subject_deceased';

class Refused extends Error {}

/** Where a department's signing key comes from: the environment locally, Secrets Manager on AWS. */
export type DepartmentKeySource = (departmentId: string) => Promise<string | undefined> | string | undefined;

/** A key shorter than this is no key: a request signed with it is refused like an unsigned one. */
export const MIN_DEPARTMENT_KEY_LENGTH = 32;

/**
 * The dev key source (`npm start`, tests): SHUDI_DEPARTMENT_KEY_<ID> (dashes as underscores). On AWS the API function
 * reads each department's own Secrets Manager secret instead (functions/adapters/secrets.ts, infra/department-keys.ts).
 */
export function departmentKeyFromEnv(departmentId: string): string | undefined {
  return process.env[`SHUDI_DEPARTMENT_KEY_${departmentId.toUpperCase().replace(/-/g, '_')}`];
}

export class DepartmentEventService {
  constructor(private readonly deps: DepartmentEventDeps) {}

  department(id: string): DepartmentConfig | undefined {
    return this.deps.district.config.exchange?.departments.find((d) => d.id === id);
  }

  /** The signing key of a department of the config; undefined for any other id, or a key too short to be one. */
  async keyOf(departmentId: string): Promise<string | undefined> {
    if (!this.department(departmentId)) return undefined;
    const key = await (this.deps.keys ?? departmentKeyFromEnv)(departmentId);
    return key && key.length >= MIN_DEPARTMENT_KEY_LENGTH ? key : undefined;
  }

  async apply(departmentId: string, events: readonly unknown[]): Promise<EventOutcome[]> {
    const dept = this.department(departmentId);
    if (!dept) throw new Error(`unknown department ${departmentId}`);
    const out: EventOutcome[] = [];
    for (const [index, raw] of events.entries()) {
      const parsed = departmentEvent.safeParse(raw);
      if (!parsed.success) {
        out.push({ index, outcome: 'refused', reason: parsed.error.issues.map((i) => `events[${index}].${i.path.join('.')}: ${i.message}`).join('; ') });
        continue;
      }
      const e = parsed.data;
      try {
        out.push({ index, eventId: e.eventId, ...(await this.applyOne(dept, e)) });
      } catch (err) {
        if (err instanceof Refused || err instanceof CaseRejected) out.push({ index, eventId: e.eventId, outcome: 'refused', reason: err.message });
        else throw err;
      }
    }
    return out;
  }

  private async applyOne(dept: DepartmentConfig, e: DepartmentEvent): Promise<Omit<EventOutcome, 'index' | 'eventId'>> {
    const { register, store, district } = this.deps;
    if (!dept.events.includes(e.type)) throw new Refused(`type_not_allowed: ${dept.id} does not send ${e.type} events`);
    const today = businessDateOf(this.deps.clock.now());
    if (e.date > today) throw new Refused(`bad_date: ${e.date} is after today (${today})`);
    if (await store.getDepartmentEvent(dept.id, e.eventId)) {
      // A death's cases are closed after its record: a repeat finishes what a crash in between left open.
      if (e.type === 'death') return { outcome: 'already_applied', closedCases: await this.closeCasesOfDeceased(e.subjectId, dept.id, e.eventId) };
      return { outcome: 'already_applied' };
    }
    const record = departmentEventItem({ departmentId: dept.id, eventId: e.eventId, type: e.type, appliedAt: this.deps.clock.now().toISOString() });
    const caseId = `ev-${dept.id}-${createHash('sha256').update(e.eventId).digest('base64url').slice(0, 16)}`;
    const actor: Actor = { kind: 'system', process: `department:${dept.id}` };
    const subject = await register.getSubject(e.subjectId);
    const left = !!(subject as (Subject & { leftOn?: string }) | undefined)?.leftOn;
    const known = () => {
      if (!subject || left) throw new Refused(`unknown_subject: no subject "${e.subjectId}" on the register`);
      return subject;
    };
    const community = () => {
      if (!e.communityId || district.territory.get(e.communityId)?.kind !== 'community') throw new Refused('communityId: a community of this district is required');
      return e.communityId;
    };
    switch (e.type) {
      case 'birth':
        return this.openWith({ type: 'follow_up', caseId, subject: subjectRefOf(known()), trigger: 'birth', eventDate: e.date }, actor, record);
      case 'marriage':
      case 'move_in': {
        const communityId = community();
        const cls = e.class ?? (e.type === 'move_in' ? 'mobile' : 'primary');
        if (cls === 'co_managed') throw new Refused('class: a subject joins as primary or mobile; her unit registers her as co_managed');
        if (subject && !(subject.communityId === communityId && subject.registeredOn === e.date)) throw new Refused(`already_registered: subject "${e.subjectId}" is on the register`);
        const s: Subject = { subjectId: e.subjectId, class: cls, communityId, registeredOn: e.date, ...(e.originRegion ? { originRegion: e.originRegion } : {}) };
        const item = subjectItem(s, district.territory);
        if (cls !== 'mobile') return this.commit([item, record]);
        // Her register entry first (the certificate check reads her region of origin), then the check with the record.
        if (!subject) await this.commit([item]).catch(() => undefined);
        return this.openWith({ type: 'certificate_check', caseId, subject: subjectRefOf(s), task: 'verify', startDate: e.date }, actor, record);
      }
      case 'move_out': {
        const s = known();
        if (e.toRegion) {
          if (!e.toCommunityId) throw new Refused('toCommunityId: the receiving community is required with toRegion');
          await this.deps.exchange.handoverOut({ caseId, subjectId: s.subjectId, toRegion: e.toRegion, toCommunityId: e.toCommunityId, moveDate: e.date }, actor);
          return { ...(await this.commit([record])), caseId };
        }
        return this.openWith({ type: 'handover', caseId, subject: subjectRefOf(s), reason: 'moved', separationDate: e.date, toCommunityId: community() }, actor, record);
      }
      case 'death': {
        // Two steps, not one transaction. 1: she leaves the register, with the event's record (one conditional
        // transaction: applied once). 2: each open case of hers is cancelled by the case service's own cancel, one
        // case per transaction (version-conditional, its timers deleted in the same write), idempotent by a command id
        // derived from the event. Not one transaction because her open cases are unbounded (each with its history entry
        // and timers, against 100 writes per transaction) and any staff action on any of them would fail the whole
        // event; each step is retry-safe, and a repeat of the event (the department retries a batch that got no answer)
        // runs step 2 again, so a crash between the steps leaves nothing open for good.
        const s = known();
        const left = subjectItem({ ...s, leftOn: e.date, leftReason: 'death' } as Subject & { leftOn: string }, district.territory);
        let outcome: 'applied' | 'already_applied' = 'applied';
        try {
          await this.deps.cases.commit({ cases: [], subjects: [left], puts: [record] });
        } catch (err) {
          if (!(err instanceof StaleCaseError)) throw err;
          outcome = 'already_applied'; // a delivery of the same batch at the same time wrote it
        }
        await this.deps.fault?.('after_death_recorded');
        return { outcome, closedCases: await this.closeCasesOfDeceased(s.subjectId, dept.id, e.eventId) };
      }
    }
  }

  /**
   * Cancels every open case of a deceased subject (health checks, follow-ups, certificate checks, handovers,
   * applications…) with the reason subject_deceased; each cancel deletes the case's timers in its own transaction. The
   * command id is the event's, so a repeat cancels nothing twice. How many this call cancelled.
   */
  private async closeCasesOfDeceased(subjectId: string, departmentId: string, eventId: string): Promise<number> {
    const actor: Actor = { kind: 'system', process: `department:${departmentId}` };
    const commandId = `death:${departmentId}:${eventId}`;
    let closed = 0;
    for (const c of await this.deps.cases.listForSubject(subjectId, 'open')) {
      try {
        if ((await this.deps.service.act(c.caseId, { action: 'cancel', reason: DECEASED }, actor, commandId)).applied) closed++;
      } catch (err) {
        if (!(err instanceof CaseRejected)) throw err;
        // Closed meanwhile (staff recorded an outcome, or the other district's receipt came): nothing left to do.
        if ((await this.deps.cases.get(c.caseId, true))?.status !== 'open') continue;
        // Not a refusal of the event (its record is written): an error, so the batch gets no answer and is sent again.
        throw new Error(`case ${c.caseId} of a deceased subject could not be cancelled: ${err.message}`);
      }
    }
    return closed;
  }

  /** Opens the case with the event's record in the same transaction; a case opened before gets its record now. */
  private async openWith(input: Parameters<CaseService['open']>[0], actor: Actor, record: Item): Promise<Omit<EventOutcome, 'index' | 'eventId'>> {
    try {
      const r = await this.deps.service.open(input, actor, { alsoPut: [record] });
      if (!r.created) await this.commit([record]);
      return { outcome: 'applied', caseId: r.case.caseId };
    } catch (err) {
      if (err instanceof StaleCaseError) return { outcome: 'already_applied' };
      throw err;
    }
  }

  private async commit(puts: Item[]): Promise<Omit<EventOutcome, 'index' | 'eventId'>> {
    try {
      await this.deps.cases.commit({ cases: [], puts });
      return { outcome: 'applied' };
    } catch (err) {
      if (err instanceof StaleCaseError) return { outcome: 'already_applied' };
      throw err;
    }
  }
}
