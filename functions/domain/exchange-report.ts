// The exchange report of an org unit over a period: messages sent, acknowledged, overdue, and the two rates the source
// measures, beside its targets (Yiling: submission 90%, feedback 100%). Pure: computed from the messages read.
import type { Instant } from './time';

/** The shape of an outbound message the report needs (functions/store/keys.ts ExchangeMessage). */
export interface ReportedMessage {
  type: string;
  route: 'bus' | 'export';
  state: string;
  deadlineAt: Instant;
  sentAt?: Instant;
}

/** The source's targets (Yiling district's report): 90% of verification requests submitted, 100% fed back. */
export const SOURCE_TARGETS = { submissionRate: 0.9, feedbackRate: 1 } as const;

export interface ExchangeCounts {
  created: number;
  /** Sent over the bus at least once, or exported for a hand send. */
  sent: number;
  /** Acknowledged by the receiving district, or answered through the import. */
  acknowledged: number;
  /** Not acknowledged and past its deadline. */
  overdue: number;
  /** Refused by the receiver, or given up after every retry. */
  failed: number;
}

export interface ExchangeReport {
  orgUnitId: string;
  from: string;
  to: string;
  total: ExchangeCounts;
  byType: Record<string, ExchangeCounts>;
  /** Verification requests that reached the origin (sent over the bus, or answered by hand) / requests raised; null: none raised. */
  submissionRate: number | null;
  /** Feedback messages acknowledged by the origin / feedback owed; null: none owed. */
  feedbackRate: number | null;
  targets: typeof SOURCE_TARGETS;
}

const ACKED = new Set(['acked', 'answered']);

function zero(): ExchangeCounts {
  return { created: 0, sent: 0, acknowledged: 0, overdue: 0, failed: 0 };
}

export function exchangeReport(messages: readonly ReportedMessage[], now: Instant, scope: { orgUnitId: string; from: string; to: string }): ExchangeReport {
  const total = zero();
  const byType: Record<string, ExchangeCounts> = {};
  let requests = 0;
  let submitted = 0;
  let feedbackOwed = 0;
  let feedbackDone = 0;
  for (const m of messages) {
    if (m.type === 'ack') continue;
    const t = (byType[m.type] ??= zero());
    const acked = ACKED.has(m.state);
    const sent = acked || m.state === 'sent' || m.state === 'exported' || !!m.sentAt;
    const failed = m.state === 'failed';
    const overdue = !acked && !failed && m.deadlineAt < now;
    for (const c of [t, total]) {
      c.created++;
      if (sent) c.sent++;
      if (acked) c.acknowledged++;
      if (overdue) c.overdue++;
      if (failed) c.failed++;
    }
    if (m.type === 'verification_request') {
      requests++;
      if ((m.route === 'bus' && (acked || !!m.sentAt)) || (m.route === 'export' && acked)) submitted++;
    }
    if (m.type === 'verification_feedback') {
      feedbackOwed++;
      if (acked) feedbackDone++;
    }
  }
  return {
    ...scope,
    total,
    byType,
    submissionRate: requests ? submitted / requests : null,
    feedbackRate: feedbackOwed ? feedbackDone / feedbackOwed : null,
    targets: SOURCE_TARGETS,
  };
}
