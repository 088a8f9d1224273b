// The staff side of the exchange: hand a subject over to another district, answer a verification request, list the
// export outbox and take back the answers sent by hand, and the exchange report. Each command is one transaction.
import { CaseRejected, type CaseService } from './case-service';
import type { Actor } from '../domain/case';
import type { Clock } from '../domain/clock';
import { answerRequest, applyVerificationAnswer, certificateResults, exportFields, openHandoverOut, type Envelope } from '../domain/exchange';
import { exchangeReport, type ExchangeReport } from '../domain/exchange-report';
import type { OrgUnitKind } from '../domain/territory';
import { businessDateOf, endOfBusinessDay, startOfBusinessDay, type BusinessDate } from '../domain/time';
import { StaleCaseError, type CaseStore } from '../store/case-store';
import type { ExchangeMessage } from '../store/keys';
import type { ExchangeStore } from '../store/exchange-store';
import type { RegisterStore } from '../store/register-store';
import type { DistrictContext } from './district-context';
import type { ExchangePlanner } from './exchange-planner';

export interface ExchangeServiceDeps {
  store: ExchangeStore;
  cases: CaseStore;
  register: RegisterStore;
  service: CaseService;
  district: DistrictContext;
  clock: Clock;
  planner: ExchangePlanner;
}

/** One answer taken back from the national platform's form. */
export interface ImportedAnswer {
  messageId: string;
  result: (typeof certificateResults)[number];
  date: BusinessDate;
}

export type ImportOutcome = { messageId: string; outcome: 'closed' | 'already' | 'refused'; reason?: string; caseId?: string };

export class ExchangeService {
  constructor(private readonly deps: ExchangeServiceDeps) {}

  /** Opens a handover out of the district and writes its handover_out in the same transaction. Idempotent by caseId. */
  async handoverOut(input: { caseId: string; subjectId: string; toRegion: string; toCommunityId: string; moveDate: BusinessDate }, actor: Actor, actorOrgUnitId?: string) {
    const existing = await this.deps.cases.get(input.caseId, true);
    if (existing) return { case: existing, created: false };
    const s = await this.deps.register.getSubject(input.subjectId);
    if (!s) throw new CaseRejected('not_found', `no subject "${input.subjectId}" in district ${this.deps.district.territory.districtId}`);
    if (actor.kind === 'staff' && actorOrgUnitId && !this.deps.district.territory.isWithin(s.communityId, actorOrgUnitId))
      throw new CaseRejected('not_found', `no subject "${input.subjectId}" in district ${this.deps.district.territory.districtId}`);
    const ctx = this.deps.service.context(actor, actorOrgUnitId);
    const out = openHandoverOut(
      { caseId: input.caseId, subject: { subjectId: s.subjectId, class: s.class, communityId: s.communityId, ...(s.originRegion ? { originRegion: s.originRegion } : {}) }, toRegion: input.toRegion, toCommunityId: input.toCommunityId, moveDate: input.moveDate },
      ctx,
      actor,
      this.deps.planner.own,
    );
    if (!out.ok) throw new CaseRejected(out.code, out.reason);
    try {
      await this.deps.service.commitDecision(out.decision, undefined, { puts: [this.deps.planner.messageItem(out.message, out.decision.case, ctx.now)] });
    } catch (err) {
      if (!(err instanceof StaleCaseError)) throw err;
      const now = await this.deps.cases.get(input.caseId, true);
      if (now) return { case: now, created: false };
      throw err;
    }
    return { case: out.decision.case, created: true };
  }

  /** Staff at the origin answer a verification request: the case closes and the feedback is written with it. */
  async answer(caseId: string, result: ImportedAnswer['result'], date: BusinessDate, actor: Actor, actorOrgUnitId: string) {
    for (let attempt = 1; ; attempt++) {
      const c = await this.deps.cases.get(caseId, true);
      if (!c || c.data.task !== 'answer') throw new CaseRejected('not_found', `no verification request "${caseId}"`);
      if (!this.deps.district.territory.isWithin(c.ownerOrgUnitId, actorOrgUnitId)) throw new CaseRejected('not_found', `no verification request "${caseId}"`);
      const ctx = this.deps.service.context(actor, actorOrgUnitId);
      const out = answerRequest(c, result, date, actor, ctx, this.deps.planner.own);
      if (!out.ok) throw new CaseRejected(out.code, out.reason);
      try {
        await this.deps.service.commitDecision(out.decision, c, { puts: [this.deps.planner.messageItem(out.message, undefined, ctx.now)] });
        return out.decision.case;
      } catch (err) {
        if (!(err instanceof StaleCaseError) || attempt >= 5) throw err;
      }
    }
  }

  /** The export outbox as rows in the national platform's field order (exportFields). */
  async exportRows(): Promise<Record<(typeof exportFields)[number], string>[]> {
    const own = this.deps.planner.own;
    return (await this.deps.store.listExport()).map((m) => exportRow(m, own));
  }

  /**
   * Answers sent back by hand: each closes the waiting origin sub-case (one transaction) and then marks its message
   * answered. An answer for a message already answered changes nothing; one for an unknown message is refused alone.
   */
  async importAnswers(answers: ImportedAnswer[]): Promise<ImportOutcome[]> {
    const out: ImportOutcome[] = [];
    const now = this.deps.clock.now().toISOString();
    const today = businessDateOf(now);
    for (const a of answers) {
      const m = await this.deps.store.get(a.messageId);
      if (!m || m.route !== 'export') {
        out.push({ messageId: a.messageId, outcome: 'refused', reason: 'unknown_message' });
        continue;
      }
      if (m.state === 'answered') {
        out.push({ messageId: a.messageId, outcome: 'already', ...(m.caseId ? { caseId: m.caseId } : {}) });
        continue;
      }
      if (a.date > today) {
        out.push({ messageId: a.messageId, outcome: 'refused', reason: 'date_in_future' });
        continue;
      }
      if (m.type === 'verification_request' && m.caseId) {
        const c = await this.deps.cases.get(m.caseId, true);
        if (c?.status === 'open') {
          const ctx = this.deps.service.context({ kind: 'system', process: 'exchange-import' });
          const d = applyVerificationAnswer(c, a.result, a.date, 'import', ctx);
          if (!d.ok) {
            out.push({ messageId: a.messageId, outcome: 'refused', reason: d.reason });
            continue;
          }
          try {
            await this.deps.service.commitDecision(d, c, { commandId: `import:${a.messageId}` });
          } catch (err) {
            if (!(err instanceof StaleCaseError)) throw err; // closed meanwhile: marked answered below all the same
          }
        }
      }
      await this.deps.store.replace(m, { ...m, state: 'answered', ackedAt: now, ackOutcome: a.result });
      out.push({ messageId: a.messageId, outcome: 'closed', ...(m.caseId ? { caseId: m.caseId } : {}) });
    }
    return out;
  }

  /** The exchange report of an org unit over [from, to] (business dates). */
  async report(orgUnit: { id: string; kind: OrgUnitKind }, from: BusinessDate, to: BusinessDate): Promise<ExchangeReport> {
    const messages = await this.deps.store.listUnder(orgUnit, startOfBusinessDay(from), endOfBusinessDay(to));
    return exchangeReport(messages, this.deps.clock.now().toISOString(), { orgUnitId: orgUnit.id, from, to });
  }

  /** The messages of a case: pending ones show on it. */
  messagesOf(caseId: string): Promise<ExchangeMessage[]> {
    return this.deps.store.listForCase(caseId);
  }
}

export function exportRow(m: ExchangeMessage, own: string): Record<(typeof exportFields)[number], string> {
  const env = m.envelope as unknown as Envelope;
  const body = env.body as Record<string, unknown>;
  const s = (v: unknown) => (typeof v === 'string' ? v : '');
  return {
    messageId: m.messageId,
    type: m.type,
    fromRegion: own,
    toRegion: m.to,
    subjectRef: s(body.subjectRef),
    registeredOn: s(body.registeredOn),
    result: s(body.result),
    resultDate: s(body.date),
    answerBy: s(body.answerBy),
    createdAt: m.createdAt,
  };
}
