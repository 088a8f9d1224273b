// Who is subscribed to the district topic, and with which filter policy: derived from the staff register.
//   - a staff member who wants SMS: protocol sms to her phone, filter { channel: [sms], staffId: [id] }
//     (only where SNS has SMS; in the China regions SMS goes through the gateway Lambda instead);
//   - a staff member who wants e-mail: protocol email to her address, filter { channel: [email], staffId: [id] }
//     (only where e-mail goes through the topic; a district's own mail server gets it from deliverMessage instead);
//   - the SMS gateway: one lambda subscription, filter { channel: [sms] } (it looks the phone up by staff id).
// syncSubscriptions() makes the topic match the plan and reports addresses SNS refuses (a bad number), which the
// caller records as undeliverable on the staff member.
import {
  ListSubscriptionsByTopicCommand,
  SetSubscriptionAttributesCommand,
  SubscribeCommand,
  UnsubscribeCommand,
  type SNSClient,
} from '@aws-sdk/client-sns';
import type { Staff, UndeliverableFlag } from '../domain/people';
import { channelsFor, isE164, isEmail } from '../domain/reminders';

export interface SubscriptionSpec {
  protocol: 'sms' | 'email' | 'lambda';
  endpoint: string;
  filterPolicy: Record<string, string[]>;
  /** The staff member it serves (none for the gateway). */
  staffId?: string;
}

export interface PlanOptions {
  /**
   * sns: SNS delivers SMS itself; gateway: one Lambda subscription forwards SMS to a provider; direct: SMS do not go
   * through the topic at all (deliverMessage sends them to the district's provider), so the topic gets no SMS
   * subscription (a bad phone is still flagged).
   */
  smsVia: 'sns' | 'gateway' | 'direct';
  /** The gateway subscriber's ARN (smsVia gateway). */
  gatewayFunctionArn?: string;
  /**
   * sns: SNS e-mails each staff member subscribed; direct: e-mails go to the district's mail server (deliverMessage),
   * so the topic gets no e-mail subscription and SNS never holds a staff address (a bad address is still flagged).
   * Default sns.
   */
  emailVia?: 'sns' | 'direct';
}

export interface PlanResult {
  subscriptions: SubscriptionSpec[];
  /** Staff whose address cannot be subscribed at all (not E.164, not an e-mail address). */
  invalid: { staffId: string; flag: Omit<UndeliverableFlag, 'at'> }[];
}

export function planSubscriptions(staff: readonly Staff[], opts: PlanOptions): PlanResult {
  const subscriptions: SubscriptionSpec[] = [];
  const invalid: PlanResult['invalid'] = [];
  if (opts.smsVia === 'gateway') {
    if (!opts.gatewayFunctionArn) throw new Error('smsVia gateway needs the gateway function ARN');
    subscriptions.push({ protocol: 'lambda', endpoint: opts.gatewayFunctionArn, filterPolicy: { channel: ['sms'] } });
  }
  for (const s of [...staff].sort((a, b) => a.staffId.localeCompare(b.staffId))) {
    for (const channel of channelsFor(s.channel)) {
      if (channel === 'sms') {
        if (!isE164(s.phone)) invalid.push({ staffId: s.staffId, flag: { channel, reason: 'invalid_phone' } });
        else if (opts.smsVia === 'sns') subscriptions.push({ protocol: 'sms', endpoint: s.phone, filterPolicy: { channel: ['sms'], staffId: [s.staffId] }, staffId: s.staffId });
      } else if (!isEmail(s.email)) invalid.push({ staffId: s.staffId, flag: { channel, reason: 'invalid_email' } });
      else if ((opts.emailVia ?? 'sns') === 'sns') subscriptions.push({ protocol: 'email', endpoint: s.email, filterPolicy: { channel: ['email'], staffId: [s.staffId] }, staffId: s.staffId });
    }
  }
  return { subscriptions, invalid };
}

export interface SyncResult {
  subscribed: number;
  updated: number;
  unchanged: number;
  removed: number;
  /** Subscriptions SNS refused: the address is bad. */
  rejected: { staffId: string; flag: Omit<UndeliverableFlag, 'at'> }[];
}

const keyOf = (protocol: string, endpoint: string) => `${protocol}|${endpoint}`;
const samePolicy = (a: Record<string, string[]>, b: string | undefined) => {
  try {
    return b !== undefined && JSON.stringify(a) === JSON.stringify(JSON.parse(b));
  } catch {
    return false;
  }
};

/**
 * Makes the topic's subscriptions match the plan: subscribes what is missing (with its filter policy), fixes a
 * changed policy, unsubscribes staff (sms, email) subscriptions the plan no longer has. `getPolicy` reads a subscription's current policy
 * (GetSubscriptionAttributes); without it, policies of existing subscriptions are re-set.
 */
export async function syncSubscriptions(sns: SNSClient, topicArn: string, plan: readonly SubscriptionSpec[], getPolicy?: (arn: string) => Promise<string | undefined>): Promise<SyncResult> {
  const existing = new Map<string, string>();
  let next: string | undefined;
  do {
    const page = await sns.send(new ListSubscriptionsByTopicCommand({ TopicArn: topicArn, ...(next ? { NextToken: next } : {}) }));
    for (const s of page.Subscriptions ?? []) if (s.Protocol && s.Endpoint && s.SubscriptionArn) existing.set(keyOf(s.Protocol, s.Endpoint), s.SubscriptionArn);
    next = page.NextToken;
  } while (next);

  const result: SyncResult = { subscribed: 0, updated: 0, unchanged: 0, removed: 0, rejected: [] };
  const wanted = new Set<string>();
  for (const spec of plan) {
    const key = keyOf(spec.protocol, spec.endpoint);
    wanted.add(key);
    const arn = existing.get(key);
    const policy = JSON.stringify(spec.filterPolicy);
    if (!arn) {
      try {
        await sns.send(
          new SubscribeCommand({
            TopicArn: topicArn,
            Protocol: spec.protocol,
            Endpoint: spec.endpoint,
            Attributes: { FilterPolicy: policy, FilterPolicyScope: 'MessageAttributes' },
            ReturnSubscriptionArn: true,
          }),
        );
        result.subscribed++;
      } catch (err) {
        const name = (err as { name?: string }).name ?? '';
        if (spec.staffId && (name === 'InvalidParameterException' || name === 'InvalidParameterValueException') && spec.protocol !== 'lambda') {
          result.rejected.push({ staffId: spec.staffId, flag: { channel: spec.protocol, reason: spec.protocol === 'sms' ? 'sns_invalid_phone' : 'sns_invalid_email' } });
        } else throw err;
      }
    } else if (arn.startsWith('arn:') && !(getPolicy && samePolicy(spec.filterPolicy, await getPolicy(arn)))) {
      await sns.send(new SetSubscriptionAttributesCommand({ SubscriptionArn: arn, AttributeName: 'FilterPolicy', AttributeValue: policy }));
      result.updated++;
    } else result.unchanged++;
  }
  for (const [key, arn] of existing) {
    // A subscription still pending confirmation has no ARN yet and cannot be removed; it lapses by itself.
    // Only staff subscriptions (sms, email) are the register's to remove; others (the stack's own) are left alone.
    if (wanted.has(key) || !arn.startsWith('arn:') || !/^(sms|email)\|/.test(key)) continue;
    await sns.send(new UnsubscribeCommand({ SubscriptionArn: arn }));
    result.removed++;
  }
  return result;
}
