// Figure 6 of `npm run bench`: the local stack's throughput against DynamoDB Local's raw write rate, same machine,
// same run, same DynamoDB Local.
//
//   stack: cases created and routed per second: each case opened through the case service as the API opens it (a
//          follow-up visit: routed to its community's queue, notice to the officers, timers set) and closed by a
//          staff command (outcome recorded, timers removed): the whole product path of a case;
//   raw:   PutItem of the same case item (same size, same index attributes) per second.
// Both at 1 and at 8 at a time. The ratio shows the product's overhead per case: two transactions of several
// items, the reads before each, and validation. DynamoDB Local's own rate swings from one batch to the next (raw puts
// 240–430 a second in two runs a minute apart), so stack and raw batches alternate `--rounds` times and the ratio is of
// the two medians.
// Run: npx tsx bench/throughput.bench.ts [--cases 400] [--rounds 3]
import '../dev/local/runtime-shims';
import { loadavg } from 'node:os';
import { parseArgs } from 'node:util';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import { pool } from '../functions/app/pool';
import { VirtualClock } from '../functions/domain/clock';
import { businessInstant } from '../functions/domain/time';
import { startDynamoDbLocal } from '../dev/local/dynamodb-local';
import { LocalRuntime } from '../dev/local/runtime';
import { generateSubjects } from '../dev/seed/generate-subjects';
import { loadDistrictConfig } from '../infra/district-config-files';
import { createDynamoClient, documentClient } from '../functions/store/client';
import { caseItem } from '../functions/store/keys';
import { round, writeResult } from './lib';

const { values } = parseArgs({ options: { cases: { type: 'string', default: '400' }, rounds: { type: 'string', default: '3' } } });
const N = Number(values.cases);
const ROUNDS = Number(values.rounds);
const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main() {
  const config = loadDistrictConfig('seeds/districts/yiling.json');
  console.log(`throughput: ${N} cases through the local stack vs. raw PutItem, on one DynamoDB Local …`);
  const db = await startDynamoDbLocal({ inMemory: true });
  try {
    const client = createDynamoClient({ endpoint: db.endpoint });
    const doc = documentClient(client);
    const rt = await LocalRuntime.create({ endpoint: db.endpoint, config, clock: new VirtualClock(businessInstant('2026-03-02', '10:00')), client, tableName: 'shudi-bench-throughput', fastRetries: true, reminders: false });
    await rt.seed();
    const subjects = generateSubjects(config).filter((s) => s.class !== 'co_managed');
    const today = '2026-03-02';

    const stack = async (label: string, concurrency: number) => {
      const ids = Array.from({ length: N }, (_, i) => ({ i, s: subjects[i % subjects.length]!, caseId: `tp-${label}-${i}` }));
      const t0 = performance.now();
      await pool(ids, concurrency, async ({ s, caseId, i }) => {
        await rt.openCase({ type: 'follow_up', caseId, subjectId: s.subjectId, trigger: 'service', eventDate: today }, { kind: 'staff', staffId: `co-${s.communityId}-1` });
        await rt.act(caseId, { action: 'record_outcome', outcome: 'visited', date: today }, { kind: 'staff', staffId: `co-${s.communityId}-1` }, `tp-${label}-out-${i}`, s.communityId);
      });
      return N / ((performance.now() - t0) / 1000);
    };
    const raw = async (label: string, concurrency: number) => {
      const sample = (await rt.cases.get(`tp-warm-0`))!;
      const items = Array.from({ length: N * 2 }, (_, i) => caseItem({ ...sample, caseId: `raw-${label}-${i}` }, config.id));
      const t0 = performance.now();
      await pool(items, concurrency, async (item) => {
        await doc.send(new PutCommand({ TableName: rt.tableName, Item: item }));
      });
      return (N * 2) / ((performance.now() - t0) / 1000);
    };

    // Warm-up: JIT on both sides.
    await stack('warm', 4);
    await raw('warm', 4);
    const results: Record<string, { stackCasesPerSecond: number; rawPutsPerSecond: number; ratio: number; rounds: { stack: number[]; raw: number[] } }> = {};
    for (const c of [1, 8]) {
      const stackRates: number[] = [];
      const rawRates: number[] = [];
      for (let r = 0; r < ROUNDS; r++) {
        stackRates.push(await stack(`c${c}r${r}`, c));
        rawRates.push(await raw(`c${c}r${r}`, c));
      }
      const s = median(stackRates);
      const r = median(rawRates);
      results[`concurrency ${c}`] = { stackCasesPerSecond: round(s, 1), rawPutsPerSecond: round(r, 1), ratio: round(s / r, 4), rounds: { stack: stackRates.map((x) => round(x, 1)), raw: rawRates.map((x) => round(x, 1)) } };
      process.stderr.write(`throughput: concurrency ${c} done\n`);
    }
    console.log('');
    console.log('Figure 6 — throughput of the local stack ÷ raw DynamoDB Local PutItem, same machine, same run');
    for (const [k, v] of Object.entries(results)) {
      console.log(`  ${k}: ${v.stackCasesPerSecond} cases created and routed per second (open + record outcome) ÷ ${v.rawPutsPerSecond} PutItem per second = ${v.ratio} (1 case per ${(1 / v.ratio).toFixed(1)} puts' time); medians of ${ROUNDS} alternating rounds: stack ${v.rounds.stack.join(', ')}, raw ${v.rounds.raw.join(', ')}`);
    }
    const file = writeResult('throughput', { district: config.id, cases: N, results, rounds: ROUNDS, loadAverage1m: round(loadavg()[0]!, 2), note: 'a case = one open and one staff command through the case service (as the API runs them); a raw put = one PutItem of the same case item; each rate the median of alternating rounds' });
    console.log(`\nWrote ${file}`);
  } finally {
    await db.stop();
  }
}

await main();
