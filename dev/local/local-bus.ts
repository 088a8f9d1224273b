// The exchange bus on one machine: districts in one process, joined by their division codes, with the same envelope
// as on EventBridge (serialized and parsed again, as it would cross the wire). Faults can be injected: a message lost
// in transit (the sender believes it sent it), or delivered twice.
import type { ExchangeBus, SendResult } from '../../functions/adapters/exchange-bus';
import type { ExchangeDispatcher } from '../../functions/app/exchange-dispatcher';
import type { ReceiveResult } from '../../functions/app/exchange-receiver';
import type { Envelope } from '../../functions/domain/exchange';

export type Receive = (raw: unknown) => Promise<ReceiveResult>;

export interface BusFaults {
  /** True: this delivery is lost after the bus took it. */
  drop?: (m: Envelope) => boolean;
  /** True: this message is delivered twice. */
  duplicate?: (m: Envelope) => boolean;
}

export interface BusStats {
  taken: number;
  delivered: number;
  dropped: number;
  duplicated: number;
  outcomes: Record<string, number>;
}

export class LocalBus implements ExchangeBus {
  private readonly receivers = new Map<string, Receive>();
  readonly stats: BusStats = { taken: 0, delivered: 0, dropped: 0, duplicated: 0, outcomes: {} };

  constructor(public faults: BusFaults = {}) {}

  /** A district joins the bus under its division code. */
  join(code: string, receive: Receive): void {
    this.receivers.set(code, receive);
  }

  /** Deliveries in flight at once: EventBridge invokes the receiving function concurrently too. */
  concurrency = 1;

  async send(messages: readonly Envelope[]): Promise<SendResult> {
    const failed: SendResult['failed'] = [];
    let next = 0;
    const worker = async () => {
      while (next < messages.length) {
        const m = messages[next++]!;
        const receive = this.receivers.get(m.to);
        if (!receive) {
          failed.push({ messageId: m.messageId, reason: 'NoSuchDestination' });
          continue;
        }
        this.stats.taken++;
        if (this.faults.drop?.(m)) {
          this.stats.dropped++;
          continue;
        }
        const times = this.faults.duplicate?.(m) ? 2 : 1;
        if (times === 2) this.stats.duplicated++;
        for (let i = 0; i < times; i++) {
          const result = await receive(JSON.parse(JSON.stringify(m)));
          this.stats.delivered++;
          this.stats.outcomes[result.outcome] = (this.stats.outcomes[result.outcome] ?? 0) + 1;
        }
      }
    };
    await Promise.all(Array.from({ length: Math.max(1, this.concurrency) }, worker));
    return { failed };
  }
}

/**
 * Runs the dispatchers of every district until none has anything due at the current time (an ack written by one
 * delivery is sent in the next round). A dispatcher run that crashes is counted; what it left claimed is due again
 * after its back-off, as a scheduled run would find it.
 */
export async function pumpExchange(dispatchers: readonly ExchangeDispatcher[], maxRounds = 100): Promise<{ rounds: number; sent: number; crashes: number }> {
  let sent = 0;
  let crashes = 0;
  for (let round = 1; round <= maxRounds; round++) {
    let due = 0;
    for (const d of dispatchers) {
      try {
        const r = await d.dispatchDue();
        due += r.due;
        sent += r.sent;
      } catch {
        crashes++;
        due++;
      }
    }
    if (due === 0) return { rounds: round, sent, crashes };
  }
  throw new Error(`the exchange did not settle in ${maxRounds} rounds`);
}
