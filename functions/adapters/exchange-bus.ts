// The transport between districts: EventBridge on AWS (./eventbridge-bus.ts), an in-process bus locally
// (dev/local/local-bus.ts). Both carry the same envelope (functions/domain/exchange.ts).
import type { Envelope } from '../domain/exchange';

export interface SendResult {
  /** Messages the bus did not take (the dispatcher sends them again after their back-off). */
  failed: { messageId: string; reason: string }[];
}

export interface ExchangeBus {
  send(messages: readonly Envelope[]): Promise<SendResult>;
}

/** The EventBridge event source of a district's messages: a partner's bus policy admits only this source from its account. */
export const eventSourceOf = (divisionCode: string) => `shudi.district.${divisionCode}`;
