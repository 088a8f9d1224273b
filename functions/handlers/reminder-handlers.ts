// The reminder Lambdas' logic, free of any Lambda bootstrap (functions/handlers/lambda/ wires them):
//   publishDue    - EventBridge Scheduler, rate(1 minute): deliver the due urgent notices and digests;
//   dailyDigest   - EventBridge Scheduler, cron(30 8 * * ? *) Asia/Shanghai: write each staff member's digest;
//   smsGateway    - the topic's Lambda subscription (filter channel = sms): forward to the SMS provider, once;
//   deliveryFailure - an e-mail bounce or an SMS delivery failure reported back (e.g. an SES bounce notification
//                   mapped to {staffId, channel, reason}): recorded on the staff member for a manager to fix.
// Environment of a deployment: TABLE_NAME, DISTRICT_ID, SHUDI_TOPIC_ARN, SHUDI_DASHBOARD_URL, and for the gateway
// SHUDI_SMS_GATEWAY_URL with its bearer secret from Secrets Manager (never a plain environment variable).
import type { SNSEvent } from 'aws-lambda';
import * as z from 'zod';
import { HttpSmsGateway, type SmsGateway } from '../adapters/sms-gateway';
import { createSmsGatewaySubscriber, type SubscriberReport } from '../adapters/sms-gateway-subscriber';
import type { DedupeStore } from '../adapters/dedupe-store';
import type { DailyDigest, DigestReport } from '../app/digest';
import type { Publisher, PublishReport } from '../app/publisher';
import type { Clock } from '../domain/clock';
import type { Staff } from '../domain/people';
import { businessDateOf } from '../domain/time';
import type { OutboxStore } from '../store/outbox-store';

export interface ReminderHandlerDeps {
  publisher: Publisher;
  digest: DailyDigest;
  outbox: OutboxStore;
  register: { getStaff(staffId: string): Promise<Staff | undefined> };
  clock: Clock;
  /** For the SMS gateway subscriber (China regions). */
  gateway?: SmsGateway;
  dedupe?: DedupeStore;
}

const digestEvent = z.object({ date: z.iso.date().optional() }).loose();
const failureEvent = z.object({
  staffId: z.string().min(1).max(80),
  channel: z.enum(['sms', 'email']),
  reason: z.string().regex(/^[a-z0-9_:.-]{1,60}$/, 'a reason is a short code'),
});

export function createReminderHandlers(deps: ReminderHandlerDeps) {
  const { publisher, digest, outbox, clock } = deps;
  const smsGateway =
    deps.gateway && deps.dedupe
      ? createSmsGatewaySubscriber({
          gateway: deps.gateway,
          dedupe: deps.dedupe,
          phoneOf: async (staffId) => (await deps.register.getStaff(staffId))?.phone,
          flagUndeliverable: (staffId, flag) => outbox.flagUndeliverable(staffId, flag),
          clock,
        })
      : undefined;

  return {
    async publishDue(): Promise<PublishReport> {
      return publisher.publishDue(clock.now().toISOString());
    },

    async dailyDigest(event: unknown): Promise<DigestReport> {
      const e = digestEvent.parse(event ?? {});
      return digest.run(e.date ?? businessDateOf(clock.now()));
    },

    async smsGateway(event: SNSEvent): Promise<SubscriberReport> {
      if (!smsGateway) throw new Error('the SMS gateway subscriber needs a gateway and a dedupe store');
      return smsGateway(event);
    },

    async deliveryFailure(event: unknown): Promise<{ flagged: boolean }> {
      const e = failureEvent.parse(event);
      return { flagged: await outbox.flagUndeliverable(e.staffId, { channel: e.channel, reason: e.reason, at: clock.now().toISOString() }) };
    },
  };
}

export type ReminderHandlers = ReturnType<typeof createReminderHandlers>;

/** The gateway from the environment: SHUDI_SMS_GATEWAY_URL and the secret the caller fetched (Secrets Manager). */
export function gatewayFromEnv(secret: string): SmsGateway {
  const url = process.env.SHUDI_SMS_GATEWAY_URL;
  if (!url) throw new Error('environment variable SHUDI_SMS_GATEWAY_URL is not set');
  return new HttpSmsGateway({ url, secret });
}
