// The port the publisher sends through. Adapters: the SNS topic of the district (AWS), the local sink (one machine),
// and tests' fault-injecting wrappers. A notifier is told who (staff id, never needed to carry the address further
// than the adapter that must dial it), what (rendered text) and the dedupe key that makes a repeated send harmless.
import type { Language } from '../domain/district-config';
import type { DeliveryChannel } from '../domain/reminders';
import type { Instant } from '../domain/time';

export interface OutboundMessage {
  /** Per (staff member, reminder): the same on every retry; the receiving side drops a key it has seen (per channel). */
  dedupeKey: string;
  channel: DeliveryChannel;
  staffId: string;
  /** The org unit the staff member works for. */
  orgUnitId: string;
  /** The template (e.g. handover.overdue, digest.daily). */
  kind: string;
  language: Language;
  /** The staff member's phone (sms) or e-mail address: for the adapter that must reach it; never logged or printed. */
  to: string;
  /** E-mail only. */
  subject?: string;
  /** E-mail only: the subject in ASCII (SNS e-mail subjects must be ASCII). */
  asciiSubject?: string;
  text: string;
  /**
   * The template's params (dates, counts, periods: whitelisted, never personal data), for SMS providers that send
   * only pre-approved templates (Aliyun, Tencent Cloud): they map kind + params onto their own template.
   */
  params?: Record<string, string | number>;
  /** The case it is about, if any (the local sink shows it; SNS does not carry it as an attribute). */
  caseId?: string;
  /** When the publisher sent it. */
  at: Instant;
}

export type DeliveryResult =
  /** Accepted for delivery. */
  | { status: 'sent'; providerId?: string }
  /** The receiving side had this dedupe key already: nothing was sent again. */
  | { status: 'duplicate' }
  /** The address failed for good (bad number, bounced e-mail): flag the staff member's channel. */
  | { status: 'undeliverable'; reason: string }
  /** The message was refused for good for a reason that is not the address: the item fails, nothing is flagged. */
  | { status: 'rejected'; reason: string };

/** A failure worth retrying later (throttling, a 5xx, a timeout): the publisher releases the item with back-off. */
export class TransientDeliveryError extends Error {
  override readonly name = 'TransientDeliveryError';
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
  }
}

export interface Notifier {
  /** Resolves with the outcome, or throws (TransientDeliveryError or anything else) for a failure worth a retry. */
  send(message: OutboundMessage): Promise<DeliveryResult>;
}
