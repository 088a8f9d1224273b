// The exchange between two local districts: N messages from Chuanhui to Yiling over the local bus, each applied at
// Yiling in one transaction (half of them verification requests, each opening a case in Yiling's district queue; half
// feedback records) and acknowledged back. With faults on (the default), 1% of the deliveries are lost in transit and
// 1% delivered twice: the lost ones are sent again after their back-off, the repeats are dropped by message id.
// Prints messages per second (sent, applied and acknowledged), what was lost (0) or applied twice (0), and the
// DynamoDB requests per message by command with their mean latency (where a message's time goes); records
// bench/results/exchange.json. A benchmark, not a test: it asserts nothing about time.
// Run: npx tsx bench/exchange.bench.ts [--messages 10000] [--quick] [--no-faults]
import '../dev/local/runtime-shims';
import { createHash } from 'node:crypto';
import { parseArgs } from 'node:util';
import { ExchangeDispatcher } from '../functions/app/exchange-dispatcher';
import { VirtualClock } from '../functions/domain/clock';
import { districtConfig } from '../functions/domain/district-config';
import { makeEnvelope, type Envelope } from '../functions/domain/exchange';
import { loadDistrictConfig } from '../infra/district-config-files';
import { startDynamoDbLocal } from '../dev/local/dynamodb-local';
import { LocalBus, pumpExchange } from '../dev/local/local-bus';
import { LocalRuntime } from '../dev/local/runtime';
import { createDynamoClient } from '../functions/store/client';
import { fmt, machine, preferServerCompiler, round, writeResult } from './lib';

const { values } = parseArgs({ options: { messages: { type: 'string', default: '10000' }, quick: { type: 'boolean', default: false }, 'no-faults': { type: 'boolean', default: false } } });
const N = values.quick ? 500 : Number(values.messages);
const FAULTS = !values['no-faults'];
const START = '2026-07-01T02:00:00.000Z';
const CONCURRENCY = 16;

/** Requests by command while the exchange runs (the profile that says where a message's time goes). */
const profile = new Map<string, { n: number; ms: number }>();
let profiling = false;
// Leaves `--messages` as given; the machine's load decides how long 10,000 take (docs/performance.md).

/** A stable pick of about 1 in 100 messages (and acks) per fault kind: its first delivery only, so a re-send gets through. */
const hit = new Set<string>();
const onePercent = (m: Envelope, kind: string) => {
  const key = `${kind}|${m.messageId}`;
  if (hit.has(key) || createHash('sha256').update(key).digest().readUInt16BE(0) >= 655) return false;
  hit.add(key);
  return true;
};

async function main() {
  preferServerCompiler();
  console.log(`exchange: ${fmt(N)} messages Chuanhui → Yiling over the local bus${FAULTS ? ', 1% lost and 1% duplicated in transit' : ''}; starting DynamoDB Local …`);
  const db = await startDynamoDbLocal({ inMemory: true });
  try {
    const client = createDynamoClient({ endpoint: db.endpoint });
    client.middlewareStack.add(
      (next, context) => async (args) => {
        if (!profiling) return next(args);
        const t0 = performance.now();
        try {
          return await next(args);
        } finally {
          const name = (context.commandName ?? '?').replace(/Command$/, '');
          const p = profile.get(name) ?? { n: 0, ms: 0 };
          p.n++;
          p.ms += performance.now() - t0;
          profile.set(name, p);
        }
      },
      { step: 'initialize', name: 'benchProfile' },
    );
    const clock = new VirtualClock(START);
    const bus = new LocalBus();
    bus.concurrency = CONCURRENCY;
    const make = async (id: string, seed: boolean) => {
      const config = districtConfig.parse(loadDistrictConfig(`seeds/districts/${id}.json`));
      const rt = await LocalRuntime.create({ endpoint: db.endpoint, client, config, clock, tableName: `bench-x-${id}`, reminders: false });
      if (seed) await rt.seed(); // Yiling's staff receive the notices of the cases it opens
      const x = rt.parts.exchange!;
      bus.join(x.planner.own, (raw) => x.receiver.receive(raw));
      return { rt, x, dispatcher: new ExchangeDispatcher({ store: x.store, bus, clock }) };
    };
    const chuanhui = await make('chuanhui', false);
    const yiling = await make('yiling', true);
    const from = chuanhui.x.planner.own;
    const to = yiling.x.planner.own;

    // The outbox, as the case changes that cause them would have left it (written here in batches: the change's own
    // transaction is not what this measures).
    const now = clock.now().toISOString();
    const envelopes: Envelope[] = Array.from({ length: N }, (_, i) =>
      i % 2 === 0
        ? makeEnvelope('verification_request', from, to, `bench-${i}`, now, { caseId: `bench-${i}.origin`, subjectRef: `s-${i}`, registeredOn: '2026-06-30', answerBy: '2026-07-31' })
        : makeEnvelope('verification_feedback', from, to, `bench-${i}`, now, { subjectRef: `s-${i}`, result: 'valid', date: '2026-06-30' }),
    );
    const t0 = performance.now();
    await chuanhui.rt.register.putMany(envelopes.map((env) => chuanhui.x.planner.messageItem(env, undefined, now)));
    const writeMs = performance.now() - t0;
    console.log(`  outbox written: ${fmt(N)} messages in ${fmt(round(writeMs / 1000, 1))} s`);

    if (FAULTS) bus.faults = { drop: (m) => onePercent(m, 'drop'), duplicate: (m) => onePercent(m, 'dup') };
    const t1 = performance.now();
    const cpu0 = process.cpuUsage();
    profiling = true;
    let rounds = 0;
    let retryWaits = 0;
    for (;;) {
      rounds += (await pumpExchange([chuanhui.dispatcher, yiling.dispatcher], 10_000)).rounds;
      const waiting = (await chuanhui.x.store.due('9999-12-31', 1000)).filter((m) => m.state === 'pending' || m.state === 'sent');
      if (waiting.length === 0) break;
      // The lost ones: move the clock past their back-off, as the next scheduled runs would find them.
      clock.set(new Date(Math.max(...waiting.map((m) => Date.parse(m.nextAttemptAt))) + 1).toISOString());
      retryWaits++;
      if (retryWaits > 20) throw new Error('the exchange never settled');
    }
    const exchangeMs = performance.now() - t1;
    profiling = false;
    const cpu = process.cpuUsage(cpu0);
    const byCommand = Object.fromEntries(
      [...profile.entries()].sort((a, b) => b[1].n - a[1].n).map(([k, v]) => [k, { perMessage: round(v.n / N, 2), meanMs: round(v.ms / v.n, 1) }]),
    );
    const requestsPerMessage = round([...profile.values()].reduce((s, v) => s + v.n, 0) / N, 2);

    // The check after the run, 50 reads at a time (not timed).
    const each = async <T>(fn: (e: Envelope) => Promise<T>): Promise<T[]> => {
      const out: T[] = [];
      for (let i = 0; i < envelopes.length; i += 50) out.push(...(await Promise.all(envelopes.slice(i, i + 50).map(fn))));
      return out;
    };
    const sent = await each((e) => chuanhui.x.store.get(e.messageId));
    const acked = sent.filter((m) => m?.state === 'acked').length;
    const receipts = (await each((e) => yiling.x.store.getReceipt(from, e.messageId))).filter((r) => r?.outcome === 'applied').length;
    let opened = 0;
    let cursor: string | undefined;
    do {
      const page = await yiling.rt.cases.listQueue('yiling', 'open', { limit: 500, ...(cursor ? { cursor } : {}) });
      opened += page.items.filter((c) => c.data.task === 'answer').length;
      cursor = page.cursor;
    } while (cursor);
    const requests = envelopes.filter((e) => e.type === 'verification_request').length;
    const result = {
      messages: N,
      faults: FAULTS ? { dropped: bus.stats.dropped, duplicated: bus.stats.duplicated } : null,
      deliveries: bus.stats.delivered,
      outcomes: bus.stats.outcomes,
      outboxWriteMs: Math.round(writeMs),
      exchangeMs: Math.round(exchangeMs),
      messagesPerSecond: round(N / (exchangeMs / 1000), 1),
      pumpRounds: rounds,
      retryWaits,
      acknowledged: acked,
      lost: N - acked,
      appliedAtReceiver: receipts,
      casesOpenedForRequests: opened,
      appliedTwice: receipts - N + (opened - requests),
      concurrency: CONCURRENCY,
      requestsPerMessage,
      requests: byCommand,
      nodeCpuMs: Math.round((cpu.user + cpu.system) / 1000),
    };
    console.log(`  exchanged: ${fmt(N)} messages sent, applied and acknowledged in ${fmt(round(exchangeMs / 1000, 1))} s = ${fmt(result.messagesPerSecond)} messages/s`);
    console.log(`  lost ${result.lost}, applied twice ${result.appliedTwice} (receipts ${fmt(receipts)}, request cases ${fmt(opened)} of ${fmt(requests)})`);
    console.log(`  DynamoDB requests per message: ${requestsPerMessage} (${Object.entries(byCommand).map(([k, v]) => `${k} ${v.perMessage} × ${v.meanMs} ms`).join(', ')}); this process's CPU ${fmt(result.nodeCpuMs)} ms`);
    if (FAULTS) console.log(`  faults: ${bus.stats.dropped} deliveries lost in transit, ${bus.stats.duplicated} delivered twice; ${bus.stats.outcomes.duplicate ?? 0} repeats dropped by id`);
    if (!values.quick) console.log(`  → ${writeResult('exchange', { ...result, machine: machine() })}`);
    else console.log('  (quick mode: not recorded)');
  } finally {
    await db.stop();
  }
}

void main().catch((err: unknown) => {
  console.error(err);
  process.exit(1);
});
