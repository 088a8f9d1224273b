// The Lambda subscription of the district topic that forwards SMS to an external gateway (filter { channel: [sms] }).
// For each SNS record: claim its dedupe key (per channel) before calling the gateway, so a message SNS or the
// publisher delivers twice goes out once; look the phone up by staff id (the message never carries it); send; mark
// the key done. A 4xx from the gateway flags the staff member's SMS channel as undeliverable; a 5xx releases the
// claim and fails the invocation, so Lambda retries it (and then its on-failure destination keeps it).
import type { SNSEvent, SNSEventRecord } from 'aws-lambda';
import type { Clock } from '../domain/clock';
import type { UndeliverableFlag } from '../domain/people';
import { PARAM_KINDS } from '../domain/message-templates';
import { isE164 } from '../domain/reminders';
import type { DedupeStore } from './dedupe-store';
import type { SmsGateway } from './sms-gateway';

export interface SmsSubscriberDeps {
  gateway: SmsGateway;
  dedupe: DedupeStore;
  /** The staff member's phone (from the register), or undefined when there is no such staff member. */
  phoneOf: (staffId: string) => Promise<string | undefined>;
  flagUndeliverable: (staffId: string, flag: UndeliverableFlag) => Promise<unknown>;
  clock: Clock;
  /** How long a claim holds before another attempt may take over (a crashed invocation). */
  leaseMs?: number;
}

export type RecordOutcome = 'sent' | 'duplicate' | 'busy' | 'rejected' | 'no_phone' | 'ignored';

export interface SubscriberReport {
  outcomes: { messageId: string; outcome: RecordOutcome }[];
}

/** Thrown when a record should be retried (gateway 5xx, another attempt in flight): the invocation fails. */
export class RetryLater extends Error {
  override readonly name = 'RetryLater';
}

function attribute(record: SNSEventRecord, name: string): string | undefined {
  const a = record.Sns.MessageAttributes?.[name];
  return a && a.Type === 'String' ? a.Value : undefined;
}

/** The `params` attribute: a flat JSON object of whitelisted template params, or nothing. */
function templateParams(record: SNSEventRecord): Record<string, string | number> | undefined {
  const raw = attribute(record, 'params');
  if (!raw) return undefined;
  try {
    const v = JSON.parse(raw) as unknown;
    if (!v || typeof v !== 'object' || Array.isArray(v)) return undefined;
    const out: Record<string, string | number> = {};
    for (const [k, x] of Object.entries(v)) {
      if (!(k in PARAM_KINDS) || (typeof x !== 'string' && typeof x !== 'number')) return undefined;
      out[k] = x;
    }
    return out;
  } catch {
    return undefined;
  }
}

export function createSmsGatewaySubscriber(deps: SmsSubscriberDeps): (event: SNSEvent) => Promise<SubscriberReport> {
  const leaseMs = deps.leaseMs ?? 120_000;

  async function one(record: SNSEventRecord): Promise<RecordOutcome> {
    const channel = attribute(record, 'channel');
    const staffId = attribute(record, 'staffId');
    const dedupeKey = attribute(record, 'dedupeKey');
    if (channel !== 'sms' || !staffId || !dedupeKey) return 'ignored';
    const key = `${dedupeKey}#sms`;
    const now = () => deps.clock.now().toISOString();
    const claim = await deps.dedupe.claim(key, now(), leaseMs);
    if (claim === 'done') return 'duplicate';
    if (claim === 'busy') throw new RetryLater(`message ${record.Sns.MessageId} is being sent by another attempt`);
    const phone = await deps.phoneOf(staffId);
    if (!phone || !isE164(phone)) {
      await deps.flagUndeliverable(staffId, { channel: 'sms', reason: phone ? 'invalid_phone' : 'no_staff', at: now() });
      await deps.dedupe.finish(key, 'rejected', now());
      return 'no_phone';
    }
    let result;
    try {
      const params = templateParams(record);
      const kind = attribute(record, 'kind');
      const language = attribute(record, 'language') ?? 'zh-CN';
      result = await deps.gateway.send({ to: phone, text: record.Sns.Message, dedupeKey, ...(params && kind ? { template: { kind, language, params } } : {}) });
    } catch (err) {
      await deps.dedupe.release(key);
      throw err;
    }
    if (result.status === 'rejected') {
      await deps.flagUndeliverable(staffId, { channel: 'sms', reason: result.reason, at: now() });
      await deps.dedupe.finish(key, 'rejected', now());
      return 'rejected';
    }
    await deps.dedupe.finish(key, 'sent', now());
    return result.status === 'duplicate' ? 'duplicate' : 'sent';
  }

  return async (event: SNSEvent) => {
    const outcomes: SubscriberReport['outcomes'] = [];
    for (const record of event.Records ?? []) outcomes.push({ messageId: record.Sns.MessageId, outcome: await one(record) });
    return { outcomes };
  };
}
