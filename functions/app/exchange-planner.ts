// What a case change sends beyond the district, written in the change's own transaction (the case service calls
// extend() for every decision it commits): the outbox of the exchange. Nothing is sent here; the dispatcher
// (./exchange-dispatcher.ts) sends what this wrote, and re-sends it until it is acknowledged.
//   - a certificate check opens for a mobile subject whose region of origin is another district → the origin sub-case
//     and its verification_request;
//   - a certificate is found valid (the machines' origin_feedback effect) and her origin is known → verification_feedback
//     to the origin (instead of the pending feedback item that nothing sends);
//   - staff acknowledge a handover that came from another district → handover_receipt to that district.
// A region with no partner gets the same message in the export outbox, to be sent by hand.
import type { Case } from '../domain/case';
import type { Decision, MachineContext } from '../domain/case-machines';
import { makeEnvelope, openOriginCheck, type Envelope, type ExchangeConfig } from '../domain/exchange';
import { addCalendarDays, businessDateOf, endOfBusinessDay, type Instant } from '../domain/time';
import type { ExchangeMessage, Item } from '../store/keys';
import type { ExchangeStore } from '../store/exchange-store';
import type { RegisterStore } from '../store/register-store';
import type { CommitExtension } from './case-service';
import type { DistrictContext } from './district-context';

export interface ExchangePlannerDeps {
  store: ExchangeStore;
  register: RegisterStore;
  district: DistrictContext;
}

export class ExchangePlanner implements CommitExtension {
  readonly config: ExchangeConfig;

  constructor(private readonly deps: ExchangePlannerDeps) {
    const cfg = deps.district.config.exchange;
    if (!cfg) throw new Error(`district ${deps.district.config.id} has no exchange config`);
    this.config = cfg;
  }

  get own(): string {
    return this.config.divisionCode;
  }

  isPartner(code: string): boolean {
    return this.config.partners.some((p) => p.code === code);
  }

  /** The outbound message item for an envelope: to a partner's bus, or to the export outbox. */
  messageItem(env: Envelope, c: Pick<Case, 'caseId' | 'ownerOrgUnitId' | 'ownerStreetId' | 'status' | 'dueAt'> | undefined, now: Instant): Item {
    const route = this.isPartner(env.to) ? 'bus' : 'export';
    const { territory } = this.deps.district;
    const fallbackDeadline = endOfBusinessDay(addCalendarDays(businessDateOf(now), this.config.verificationDays));
    const m: ExchangeMessage = {
      messageId: env.messageId,
      type: env.type,
      to: env.to,
      route,
      state: route === 'bus' ? 'pending' : 'exported',
      envelope: env as unknown as Record<string, unknown>,
      ...(c ? { caseId: c.caseId } : {}),
      orgUnitId: c?.ownerOrgUnitId ?? territory.districtId,
      streetId: c?.ownerStreetId ?? territory.districtId,
      createdAt: now,
      deadlineAt: c && c.status === 'open' ? c.dueAt : fallbackDeadline,
      attempts: 0,
      nextAttemptAt: now,
    };
    return this.deps.store.item(m);
  }

  async extend(decision: Decision, before: Case | undefined, ctx: MachineContext): Promise<{ open?: Decision[]; puts?: Item[]; replacesFeedbackOf?: string } | undefined> {
    const c = decision.case;
    const own = this.own;
    if (!before && c.type === 'certificate_check' && c.data.task === 'verify' && c.subjectId) {
      const origin = (await this.deps.register.getSubject(c.subjectId))?.originRegion;
      if (!origin || origin === own) return undefined;
      const { decision: sub, message } = openOriginCheck(c, origin, ctx, own, this.config.verificationDays);
      return { open: [sub], puts: [this.messageItem(message, sub.case, ctx.now)] };
    }
    const feedback = decision.effects.find((e) => e.kind === 'origin_feedback');
    if (feedback && feedback.kind === 'origin_feedback' && c.data.task !== 'origin') {
      const origin = (await this.deps.register.getSubject(feedback.subjectId))?.originRegion;
      if (!origin || origin === own) return undefined;
      const env = makeEnvelope('verification_feedback', own, origin, `feedback:${c.caseId}`, ctx.now, { subjectRef: feedback.subjectId, result: 'valid', date: feedback.date });
      return { puts: [this.messageItem(env, c, ctx.now)], replacesFeedbackOf: c.caseId };
    }
    const fromRegion = c.data.fromRegion;
    if (before && c.type === 'handover' && typeof fromRegion === 'string' && c.state === 'acknowledged' && decision.history.action === 'acknowledge') {
      const env = makeEnvelope(
        'handover_receipt',
        own,
        fromRegion,
        `receipt:${c.caseId}`,
        ctx.now,
        { caseId: String(c.data.fromCaseId), acknowledgedOn: String(c.data.acknowledgedOn ?? businessDateOf(ctx.now)) },
        typeof c.data.fromMessageId === 'string' ? c.data.fromMessageId : undefined,
      );
      return { puts: [this.messageItem(env, c, ctx.now)] };
    }
    return undefined;
  }
}
