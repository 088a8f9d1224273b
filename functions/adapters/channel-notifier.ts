// The publisher's notifier when a district's channels go different ways (delivery in the district config): one
// Notifier per channel (the SNS topic, an SMS provider, the district's mail server), and `onceNotifier`, which gives
// a provider that cannot dedupe the receiving side's memory of dedupe keys: a key is claimed before the provider
// is called and marked done after, so a publisher that crashed between a send and its mark sends again with the
// same key and nobody gets the reminder twice.
import type { DeliveryConfig } from '../domain/delivery-config';
import type { DedupeStore } from './dedupe-store';
import { TransientDeliveryError, type DeliveryResult, type Notifier, type OutboundMessage } from './notifier';
import type { SmsGateway } from './sms-gateway';

export class ChannelNotifier implements Notifier {
  constructor(private readonly routes: { sms: Notifier; email: Notifier }) {}

  send(m: OutboundMessage): Promise<DeliveryResult> {
    return this.routes[m.channel].send(m);
  }
}

/** An SmsGateway as the SMS channel's Notifier: the request carries the template and its params for the provider. */
export function smsGatewayNotifier(gateway: SmsGateway): Notifier {
  return {
    async send(m) {
      const result = await gateway.send({
        to: m.to,
        text: m.text,
        dedupeKey: m.dedupeKey,
        ...(m.params ? { template: { kind: m.kind, language: m.language, params: m.params } } : {}),
      });
      // A bad number or an unapproved template: the staff member's SMS channel is flagged (the reason says which).
      if (result.status === 'rejected') return { status: 'undeliverable', reason: result.reason };
      return result.status === 'accepted' ? { status: 'sent', ...(result.providerId ? { providerId: result.providerId } : {}) } : { status: 'duplicate' };
    },
  };
}

/** Claims `<dedupeKey>#<channel>` before the inner notifier is called; a throw releases the claim for the retry. */
export function onceNotifier(inner: Notifier, dedupe: DedupeStore, leaseMs = 120_000): Notifier {
  return {
    async send(m) {
      const key = `${m.dedupeKey}#${m.channel}`;
      const claim = await dedupe.claim(key, m.at, leaseMs);
      if (claim === 'done') return { status: 'duplicate' };
      if (claim === 'busy') throw new TransientDeliveryError(`another attempt is sending this ${m.channel} message`);
      let result: DeliveryResult;
      try {
        result = await inner.send(m);
      } catch (err) {
        await dedupe.release(key);
        throw err;
      }
      // Refused (a bad address, an unapproved template): nothing went out, so the key is not kept as sent; a
      // later attempt asks the provider again rather than taking the refusal for a delivery.
      if (result.status === 'sent' || result.status === 'duplicate') await dedupe.finish(key, 'sent', m.at);
      else await dedupe.release(key);
      return result;
    },
  };
}

/** The channels on `sns` go to the topic, the others to the direct sender; each is made on first use. */
export function deliveryNotifier(o: { delivery: DeliveryConfig; sns: () => Notifier; direct: () => Notifier }): Notifier {
  let sns: Notifier | undefined;
  let direct: Notifier | undefined;
  const topic: Notifier = { send: (m) => (sns ??= o.sns()).send(m) };
  const own: Notifier = { send: (m) => (direct ??= o.direct()).send(m) };
  return new ChannelNotifier({
    sms: o.delivery.sms.provider === 'sns' ? topic : own,
    email: o.delivery.email.provider === 'sns' ? topic : own,
  });
}
