// Receives a message from another district: validates the envelope (zod), drops a repeat (by message id), and applies
// it in one transaction with everything it causes: the case it opens or closes, the record that it was received, and
// its ack in the exchange outbox. A message that cannot apply (an unknown case, a community this district does not
// have) is refused the same way: recorded, acked as refused, nothing else written.
import { StaleCaseError, type CaseStore, type StoredCase } from '../store/case-store';
import type { Clock } from '../domain/clock';
import {
  ackOf,
  applyReceipt,
  applyVerificationAnswer,
  envelope,
  inboundSubjectId,
  openAnswerCase,
  openInboundHandover,
  type Envelope,
  type EnvelopeOf,
} from '../domain/exchange';
import type { Decision } from '../domain/case-machines';
import type { Subject } from '../domain/people';
import { exchangeReceiptItem, subjectItem, type Item } from '../store/keys';
import type { ExchangeStore } from '../store/exchange-store';
import type { RegisterStore } from '../store/register-store';
import type { CaseService } from './case-service';
import type { DistrictContext } from './district-context';
import type { ExchangePlanner } from './exchange-planner';

export type ReceiveOutcome = 'applied' | 'duplicate' | 'refused' | 'invalid' | 'acked';

export interface ReceiveResult {
  outcome: ReceiveOutcome;
  messageId?: string;
  caseId?: string;
  /** Why it was refused or invalid: field paths and reason codes, never a value. */
  reason?: string;
}

export interface ReceiverDeps {
  store: ExchangeStore;
  cases: CaseStore;
  register: RegisterStore;
  service: CaseService;
  district: DistrictContext;
  clock: Clock;
  planner: ExchangePlanner;
}

const SYSTEM = { kind: 'system' as const, process: 'exchange' };
const MAX_ATTEMPTS = 6;

export class ExchangeReceiver {
  constructor(private readonly deps: ReceiverDeps) {}

  async receive(raw: unknown): Promise<ReceiveResult> {
    const parsed = envelope.safeParse(raw);
    if (!parsed.success) return { outcome: 'invalid', reason: parsed.error.issues.map((i) => `${i.path.join('.') || '(envelope)'}: ${i.message}`).join('; ') };
    const m = parsed.data;
    const { planner, store } = this.deps;
    if (m.to !== planner.own) return { outcome: 'invalid', messageId: m.messageId, reason: `addressed to ${m.to}, not to ${planner.own}` };
    // Only a configured partner may send (the bus policy admits no one else; this holds locally too).
    if (!planner.isPartner(m.from)) return { outcome: 'refused', messageId: m.messageId, reason: `${m.from} is not a partner` };
    const now = this.deps.clock.now().toISOString();
    if (m.type === 'ack') {
      await store.markAcked(m.inReplyTo, now, m.body.outcome);
      return { outcome: 'acked', messageId: m.inReplyTo };
    }
    // No read of the receipt before the first try: it is put only if absent in the transaction of the effect, so a
    // repeat fails that transaction whole, and only then is the receipt read (one read less for every first delivery).
    for (let attempt = 1; ; attempt++) {
      if (attempt > 1) {
        const seen = await store.getReceipt(m.from, m.messageId);
        if (seen) return this.duplicate(m, seen.caseId);
      }
      try {
        return await this.apply(m, now);
      } catch (err) {
        // A repeat (its receipt exists), a delivery of it at the same time that won the write, or the case moved on.
        if (!(err instanceof StaleCaseError) || attempt >= MAX_ATTEMPTS) throw err;
      }
    }
  }

  /** A repeat: nothing is applied again; its ack is written again only if it was somehow lost (put only if absent). */
  private async duplicate(m: Envelope, caseId?: string): Promise<ReceiveResult> {
    const now = this.deps.clock.now().toISOString();
    const ack = ackOf(m, 'duplicate', now);
    const sent = await this.deps.store.get(ack.messageId);
    if (!sent) {
      try {
        await this.deps.cases.commit({ cases: [], puts: [this.ackItem(m, 'duplicate', now)] });
      } catch (err) {
        if (!(err instanceof StaleCaseError)) throw err; // written meanwhile: the dispatcher sends it
      }
    } else if (sent.state === 'delivered') {
      // The sender sent again, so the ack it was sent did not arrive: send it once more.
      const { attemptId: _a, ...rest } = sent;
      await this.deps.store.replace(sent, { ...rest, state: 'pending', nextAttemptAt: now });
    }
    if (m.type === 'handover_receipt') await this.markLeft(m);
    return { outcome: 'duplicate', messageId: m.messageId, ...(caseId ? { caseId } : {}) };
  }

  private ackItem(m: Envelope, outcome: 'applied' | 'duplicate' | 'refused', now: string, reason?: string): Item {
    return this.deps.planner.messageItem(ackOf(m, outcome, now, reason), undefined, now);
  }

  private receiptItem(m: Envelope, now: string, outcome: 'applied' | 'refused', caseId?: string, reason?: string): Item {
    return exchangeReceiptItem({ from: m.from, messageId: m.messageId, type: m.type, receivedAt: now, outcome, ...(caseId ? { caseId } : {}), ...(reason ? { reason } : {}) });
  }

  private async refuse(m: Envelope, now: string, reason: string): Promise<ReceiveResult> {
    await this.deps.cases.commit({ cases: [], puts: [this.receiptItem(m, now, 'refused', undefined, reason), this.ackItem(m, 'refused', now, reason)] });
    return { outcome: 'refused', messageId: m.messageId, reason };
  }

  private async commit(m: Envelope, now: string, decision: Decision, before: StoredCase | undefined, extra: Item[] = []): Promise<ReceiveResult> {
    await this.deps.service.commitDecision(decision, before, { puts: [...extra, this.receiptItem(m, now, 'applied', decision.case.caseId), this.ackItem(m, 'applied', now)] });
    return { outcome: 'applied', messageId: m.messageId, caseId: decision.case.caseId };
  }

  private async apply(m: Exclude<Envelope, { type: 'ack' }>, now: string): Promise<ReceiveResult> {
    const ctx = this.deps.service.context(SYSTEM);
    switch (m.type) {
      case 'handover_out': {
        const d = openInboundHandover(m, ctx);
        if (!d.ok) return this.refuse(m, now, d.reason);
        return this.commit(m, now, d, undefined, await this.registerSubject(m));
      }
      case 'handover_receipt': {
        const c = await this.deps.cases.get(m.body.caseId, true);
        if (!c) return this.refuse(m, now, 'unknown_case');
        if (c.status !== 'open') {
          // Closed here meanwhile (cancelled by staff): the receipt is recorded and acknowledged, the case stays as it is.
          await this.deps.cases.commit({ cases: [], puts: [this.receiptItem(m, now, 'applied', c.caseId, `case_${c.status}`), this.ackItem(m, 'applied', now)] });
          return { outcome: 'applied', messageId: m.messageId, caseId: c.caseId };
        }
        const d = applyReceipt(c, m, ctx);
        if (!d.ok) return this.refuse(m, now, d.reason);
        const result = await this.commit(m, now, d, c);
        await this.markLeft(m);
        return result;
      }
      case 'verification_request':
        return this.commit(m, now, openAnswerCase(m, ctx), undefined);
      case 'verification_feedback': {
        if (!m.body.caseId) {
          // 反馈 of a certificate found valid where she lives now: recorded (the reports count it), nothing to route.
          await this.deps.cases.commit({ cases: [], puts: [this.receiptItem(m, now, 'applied'), this.ackItem(m, 'applied', now)] });
          return { outcome: 'applied', messageId: m.messageId };
        }
        const c = await this.deps.cases.get(m.body.caseId, true);
        if (!c) return this.refuse(m, now, 'unknown_case');
        if (c.status !== 'open') {
          await this.deps.cases.commit({ cases: [], puts: [this.receiptItem(m, now, 'applied', c.caseId, `case_${c.status}`), this.ackItem(m, 'applied', now)] });
          return { outcome: 'applied', messageId: m.messageId, caseId: c.caseId };
        }
        const d = applyVerificationAnswer(c, m.body.result, m.body.date, m.from, ctx);
        if (!d.ok) return this.refuse(m, now, d.reason);
        return this.commit(m, now, d, c);
      }
    }
  }

  /** The subject handed over to this district, on its register (if she is not on it already). */
  private async registerSubject(m: EnvelopeOf<'handover_out'>): Promise<Item[]> {
    const subjectId = inboundSubjectId(m.from, m.body.subjectRef);
    if (await this.deps.register.getSubject(subjectId)) return [];
    const { territory } = this.deps.district;
    const s: Subject = {
      subjectId,
      class: m.body.subjectClass === 'co_managed' ? 'primary' : m.body.subjectClass,
      communityId: m.body.toCommunityId,
      registeredOn: m.body.moveDate,
      ...(m.body.originRegion ? { originRegion: m.body.originRegion } : {}),
    };
    return [subjectItem(s, territory)];
  }

  /** She left this district's register on the day the receiving community acknowledged her (idempotent). */
  private async markLeft(m: EnvelopeOf<'handover_receipt'>): Promise<void> {
    const c = await this.deps.cases.get(m.body.caseId, true);
    if (c?.subjectId && c.data.toRegion === m.from) await this.deps.register.markSubjectLeft(c.subjectId, m.body.acknowledgedOn, `moved_to_${m.from}`);
  }
}
