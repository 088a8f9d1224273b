// The deliverMessage Lambda's logic: one outbound message (from the publisher, invoked synchronously) handed to the
// district's SMS provider or mail server through the direct notifier, and the outcome answered back. Anything worth
// a retry is answered as `retry` with a reason that names no address, so the publisher keeps the item pending.
import * as z from 'zod';
import type { DeliverAnswer } from '../adapters/lambda-notifier';
import type { Notifier, OutboundMessage } from '../adapters/notifier';

const outbound = z.object({
  message: z.object({
    dedupeKey: z.string().min(1).max(200),
    channel: z.enum(['sms', 'email']),
    staffId: z.string().min(1).max(80),
    orgUnitId: z.string().min(1).max(80),
    kind: z.string().min(1).max(80),
    language: z.enum(['zh-CN', 'en']),
    to: z.string().min(3).max(320),
    subject: z.string().max(500).optional(),
    asciiSubject: z.string().max(500).optional(),
    text: z.string().max(20_000),
    params: z.record(z.string(), z.union([z.string(), z.number()])).optional(),
    caseId: z.string().max(200).optional(),
    at: z.iso.datetime(),
  }),
});


export function createDeliverMessage(notifier: Notifier): (event: unknown) => Promise<DeliverAnswer> {
  return async (event) => {
    const { message } = outbound.parse(event);
    try {
      return await notifier.send(message as OutboundMessage);
    } catch (err) {
      return { status: 'retry', reason: `${(err as Error).name}: ${(err as Error).message}`.slice(0, 200) };
    }
  };
}
