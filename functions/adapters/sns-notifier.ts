// The AWS adapter: one SNS topic per district. The publisher publishes one message per channel; the message
// attributes (channel, orgUnitId, staffId, kind, language, dedupeKey) are what the topic's subscriptions filter on:
// each staff member's phone (protocol sms) and e-mail (protocol email) is subscribed with a filter policy on its
// channel and staff id, and where SNS has no SMS (the China regions) one Lambda subscription on channel "sms"
// forwards to an SMS provider (./sms-gateway-subscriber.ts). The address never travels in the message.
import { PublishCommand, type PublishCommandInput, type SNSClient } from '@aws-sdk/client-sns';
import { TransientDeliveryError, type DeliveryResult, type Notifier, type OutboundMessage } from './notifier';

/** The SNS message attributes every message carries: the subscriptions' filter policies match on them. */
export const MESSAGE_ATTRIBUTES = ['channel', 'orgUnitId', 'staffId', 'kind', 'language', 'dedupeKey'] as const;
// (SMS messages also carry `params`, the template's whitelisted params as JSON, and AWS.SNS.SMS.SMSType.)

/** SNS e-mail subjects: ASCII, no line breaks, under 100 characters. */
function snsSubject(m: OutboundMessage): string {
  const s = (m.asciiSubject ?? m.subject ?? 'shudi').replace(/[^\x20-\x7e]/g, '').replace(/\s+/g, ' ').trim();
  return (s || 'shudi').slice(0, 99);
}

/** The exact PublishCommand input for one message (exported for tests and for the docs). */
export function publishInput(topicArn: string, m: OutboundMessage): PublishCommandInput {
  const attr = (value: string) => ({ DataType: 'String', StringValue: value });
  return {
    TopicArn: topicArn,
    Message: m.text,
    ...(m.channel === 'email' ? { Subject: snsSubject(m) } : {}),
    MessageAttributes: {
      channel: attr(m.channel),
      orgUnitId: attr(m.orgUnitId),
      staffId: attr(m.staffId),
      kind: attr(m.kind),
      language: attr(m.language),
      dedupeKey: attr(m.dedupeKey),
      // SMS: the template params for a gateway whose provider sends approved templates only; and for SNS SMS, a
      // reminder is transactional (delivered ahead of promotional traffic).
      ...(m.channel === 'sms' && m.params ? { params: attr(JSON.stringify(m.params)) } : {}),
      ...(m.channel === 'sms' ? { 'AWS.SNS.SMS.SMSType': attr('Transactional') } : {}),
    },
  };
}

/** Errors of a message SNS will never accept: retrying changes nothing. */
const PERMANENT = new Set(['InvalidParameterException', 'InvalidParameterValueException', 'NotFoundException', 'AuthorizationErrorException', 'ValidationException']);

export class SnsNotifier implements Notifier {
  constructor(
    private readonly sns: SNSClient,
    private readonly topicArn: string,
  ) {}

  async send(m: OutboundMessage): Promise<DeliveryResult> {
    try {
      const out = await this.sns.send(new PublishCommand(publishInput(this.topicArn, m)));
      return { status: 'sent', ...(out.MessageId ? { providerId: out.MessageId } : {}) };
    } catch (err) {
      const name = (err as { name?: string }).name ?? 'Error';
      if (PERMANENT.has(name)) return { status: 'rejected', reason: `sns_${name.replace(/Exception$/, '').replace(/[A-Z]/g, (c, i) => (i ? '_' : '') + c.toLowerCase())}` };
      throw new TransientDeliveryError(`SNS Publish failed: ${name}`, { cause: err });
    }
  }
}
