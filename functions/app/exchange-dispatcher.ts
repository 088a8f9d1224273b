// Sends the exchange outbox: every bus message due at `now`, until its ack comes back.
//   1. claim: attempts + 1, a claim id, and the next attempt moved on by the back-off (conditional on the message as
//      read). The claim is the lease: a dispatcher that crashes after it leaves the message due again at that time;
//   2. send, ten to a PutEvents (the bus adapter batches);
//   3. mark: pending → sent (awaiting the ack; still due at the back-off time for a re-send). Only the first send
//      needs it: a re-send's message is `sent` already, and its claim is simply left to the ack or the next claim.
// A crash after the send and before the mark sends the message again later: the receiver knows its id and answers
// with the ack again, applying nothing twice. A message still unacknowledged after maxAttempts is marked failed.
// An ack is claimed straight as delivered, in one write: nothing waits for an ack of an ack, and an ack lost in a crash
// (or in transit) is recovered the same way, by the sender's re-send, which makes the receiver re-arm it
// (functions/app/exchange-receiver.ts); an ack the bus did not take is put back to pending with its back-off.
import { createHash } from 'node:crypto';
import type { ExchangeBus } from '../adapters/exchange-bus';
import type { Clock } from '../domain/clock';
import { retryDelayMs, type Envelope } from '../domain/exchange';
import type { Instant } from '../domain/time';
import type { ExchangeMessage } from '../store/keys';
import type { ExchangeStore } from '../store/exchange-store';

export type DispatchStep = 'after_claim' | 'after_send';

export interface DispatchReport {
  due: number;
  sent: number;
  /** Not taken by the bus: due again after the back-off. */
  failedSends: number;
  /** Unacknowledged after maxAttempts: marked failed. */
  gaveUp: number;
  /** Changed by someone else between read and write (another dispatcher, the ack). */
  lost: number;
}

export interface DispatcherDeps {
  store: ExchangeStore;
  bus: ExchangeBus;
  clock: Clock;
  /** Sends before an unacknowledged message is marked failed (default 20: about 4 days of back-off). */
  maxAttempts?: number;
  /** Fault injection (tests): a throw is a crash at that step. */
  fault?: (step: DispatchStep, claimed: readonly ExchangeMessage[]) => void | Promise<void>;
}

const hash = (s: string) => createHash('sha256').update(s).digest('base64url').slice(0, 16);
/** Conditional writes in flight at once per run (claims, marks). */
const WRITE_CONCURRENCY = 25;

async function eachLimited<T>(items: readonly T[], fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(Array.from({ length: Math.min(WRITE_CONCURRENCY, items.length) }, async () => {
    while (next < items.length) await fn(items[next++]!);
  }));
}

export class ExchangeDispatcher {
  private readonly maxAttempts: number;

  constructor(private readonly deps: DispatcherDeps) {
    this.maxAttempts = deps.maxAttempts ?? 20;
  }

  async dispatchDue(now: Instant = this.deps.clock.now().toISOString(), opts: { maxMessages?: number } = {}): Promise<DispatchReport> {
    const report: DispatchReport = { due: 0, sent: 0, failedSends: 0, gaveUp: 0, lost: 0 };
    const max = opts.maxMessages ?? 10_000;
    const seen = new Set<string>();
    for (let round = 0; round < 1_000 && report.due < max; round++) {
      const due = (await this.deps.store.due(now, 100)).filter((m) => !seen.has(m.messageId) && m.nextAttemptAt <= now);
      if (due.length === 0) break;
      for (const m of due) seen.add(m.messageId);
      report.due += due.length;
      await this.dispatch(due, now, report);
    }
    return report;
  }

  private async dispatch(due: ExchangeMessage[], now: Instant, report: DispatchReport): Promise<void> {
    const { store, bus, fault } = this.deps;
    const claimed: ExchangeMessage[] = [];
    await eachLimited(due, async (m) => {
      const attempts = m.attempts + 1;
      const { attemptId: _a, ...rest } = m;
      if (attempts > this.maxAttempts) {
        if (await store.replace(m, { ...rest, state: 'failed' })) report.gaveUp++;
        else report.lost++;
        return;
      }
      const nextAttemptAt = new Date(Date.parse(now) + retryDelayMs(attempts)).toISOString();
      const c: ExchangeMessage =
        m.type === 'ack'
          ? { ...rest, attempts, nextAttemptAt, state: 'delivered', sentAt: now }
          : { ...m, attempts, attemptId: hash(`${m.messageId}|${attempts}|${now}`), nextAttemptAt };
      if (await store.replace(m, c)) claimed.push(c);
      else report.lost++;
    });
    if (claimed.length === 0) return;
    await fault?.('after_claim', claimed);
    const { failed } = await bus.send(claimed.map((c) => c.envelope as unknown as Envelope));
    await fault?.('after_send', claimed);
    const notTaken = new Set(failed.map((f) => f.messageId));
    await eachLimited(claimed, async (c) => {
      if (notTaken.has(c.messageId)) {
        report.failedSends++;
        // A message stays claimed: due again at nextAttemptAt. An ack was claimed as delivered: back to pending.
        if (c.type === 'ack') await store.replace(c, { ...c, state: 'pending' });
        return;
      }
      if (c.type === 'ack' || c.state === 'sent') {
        report.sent++; // delivered in its claim; a re-send is `sent` already
        return;
      }
      const { attemptId: _a, ...rest } = c;
      if (await store.replace(c, { ...rest, state: 'sent', sentAt: c.sentAt ?? now })) report.sent++;
      else report.lost++; // the ack came first: nothing more to do
    });
  }
}
