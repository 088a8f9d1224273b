// The reminder side of a simulated year: the runtime's own publisher and daily digest deliver into a LocalSink
// (in memory, printing nothing), and the simulation counts what reached people from the sink: SMS and e-mails by
// kind and by the recipient's role. The publisher's and digest's requests are booked to them (they are Lambdas
// on AWS), not to the local harness.
import { LocalSink, type SinkRecord } from '../../functions/adapters/local-sink';
import type { LocalRuntime, LocalRuntimeOptions } from '../local/runtime';
import { sender } from './observe';

export interface MessageCounts {
  sms: number;
  email: number;
  /** By template (digest.daily, handover.overdue …) and channel: `${kind}|${channel}`. */
  byKind: Record<string, number>;
  /** By the recipient's role. */
  byRole: Record<string, { sms: number; email: number }>;
  /** By month sent (YYYY-MM, Asia/Shanghai). */
  byMonth: Record<string, { sms: number; email: number }>;
  /** Distinct staff members who received at least one message. */
  recipients: number;
}

export interface NotifierTap {
  runtimeOptions: Pick<LocalRuntimeOptions, 'notifier' | 'reminders'>;
  /** Books the publisher's and digest's work to them, and serialises it with the Task handlers. */
  bind(rt: LocalRuntime, lock: { run<T>(fn: () => Promise<T>): Promise<T> }, uses: Record<string, { invocations: number; ms: number }>): void;
  /** Forget what was sent so far (after seeding). */
  reset(): void;
  records(): readonly SinkRecord[];
  counts(roleOf: (staffId: string) => string): MessageCounts;
}

export function attachNotifier(): NotifierTap {
  const sink = new LocalSink();
  let offset = 0;
  return {
    runtimeOptions: { notifier: sink, reminders: true },
    bind(rt, lock, uses) {
      const wrap = <A extends unknown[], R>(key: string, fn: (...a: A) => Promise<R>) =>
        (...args: A): Promise<R> =>
          lock.run(() =>
            sender.run(key, async () => {
              const t0 = performance.now();
              try {
                return await fn(...args);
              } finally {
                const u = (uses[key] ??= { invocations: 0, ms: 0 });
                u.invocations++;
                u.ms += performance.now() - t0;
              }
            }),
          );
      rt.publisher.publishDue = wrap('publisher', rt.publisher.publishDue.bind(rt.publisher));
      rt.digest.run = wrap('dailyDigest', rt.digest.run.bind(rt.digest));
    },
    reset() {
      offset = sink.all().length;
    },
    records() {
      return sink.all().slice(offset);
    },
    counts(roleOf) {
      const out: MessageCounts = { sms: 0, email: 0, byKind: {}, byRole: {}, byMonth: {}, recipients: 0 };
      const who = new Set<string>();
      for (const r of sink.all().slice(offset)) {
        out[r.channel]++;
        out.byKind[`${r.kind}|${r.channel}`] = (out.byKind[`${r.kind}|${r.channel}`] ?? 0) + 1;
        const role = roleOf(r.staffId);
        (out.byRole[role] ??= { sms: 0, email: 0 })[r.channel]++;
        const month = new Date(Date.parse(r.at) + 8 * 3_600_000).toISOString().slice(0, 7);
        (out.byMonth[month] ??= { sms: 0, email: 0 })[r.channel]++;
        who.add(r.staffId);
      }
      out.recipients = who.size;
      return out;
    },
  };
}
