// The exchange on EventBridge: a message is put on the district's own bus (the only bus its functions may write to);
// one rule per partner forwards the messages addressed to that partner to the partner's bus, whose resource policy
// admits this district's account with this district's event source only (infra/exchange-bus.ts).
import { EventBridgeClient, PutEventsCommand, type PutEventsRequestEntry } from '@aws-sdk/client-eventbridge';
import type { Envelope } from '../domain/exchange';
import { eventSourceOf, type ExchangeBus, type SendResult } from './exchange-bus';

/** PutEvents takes at most 10 entries per call. */
const BATCH = 10;

export class EventBridgeBus implements ExchangeBus {
  constructor(
    private readonly client: EventBridgeClient,
    /** The district's own bus (name or ARN). */
    private readonly busName: string,
  ) {}

  entryOf(m: Envelope): PutEventsRequestEntry {
    return { EventBusName: this.busName, Source: eventSourceOf(m.from), DetailType: m.type, Detail: JSON.stringify(m) };
  }

  async send(messages: readonly Envelope[]): Promise<SendResult> {
    const failed: SendResult['failed'] = [];
    for (let i = 0; i < messages.length; i += BATCH) {
      const batch = messages.slice(i, i + BATCH);
      try {
        const out = await this.client.send(new PutEventsCommand({ Entries: batch.map((m) => this.entryOf(m)) }));
        // Entries answer in request order; an entry with an error code was not put.
        (out.Entries ?? []).forEach((e, j) => {
          if (e.ErrorCode) failed.push({ messageId: batch[j]!.messageId, reason: e.ErrorCode });
        });
      } catch (err) {
        for (const m of batch) failed.push({ messageId: m.messageId, reason: (err as Error).name || 'error' });
      }
    }
    return { failed };
  }
}
