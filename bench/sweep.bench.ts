// Figure 2 of `npm run bench`: what one sweep reads, against a full Scan of the same table, with 1% of the timers due.
//
// The Chuanhui register is seeded; then N open cases are written directly (BatchWriteItem, the store's caseItem key
// builder), each with its two deadline timers on its item (the due-day reminder and the overdue timer), as the
// product writes them. 1% of the cases are a day past their due date, so both their timers (1% of all) are due.
// One sweep runs through the real sweeper workflow (ListDueTimers → FireTimers Map → …) on the local engine; its read
// units are booked to the function that consumed them. The full Scan reads the whole table once.
// Run: npx tsx bench/sweep.bench.ts [--cases 50000]
import '../dev/local/runtime-shims';
import { parseArgs } from 'node:util';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import seedrandom from 'seedrandom';
import type { Case } from '../functions/domain/case';
import { VirtualClock } from '../functions/domain/clock';
import { addCalendarDays, businessInstant, endOfBusinessDay, startOfBusinessDay } from '../functions/domain/time';
import { startDynamoDbLocal } from '../dev/local/dynamodb-local';
import { LocalRuntime } from '../dev/local/runtime';
import { loadDistrictConfig } from '../infra/district-config-files';
import { caseItem, type Item } from '../functions/store/keys';
import { documentClient } from '../functions/store/client';
import { createDynamoClient } from '../functions/store/client';
import { HARNESS, Observer, sender } from '../dev/sim/observe';
import { BenchMeter, fmt, preferServerCompiler, progress, round, writeResult } from './lib';

const { values } = parseArgs({ options: { cases: { type: 'string', default: '50000' } } });
const CASES = Number(values.cases);
const DUE_SHARE = 0.01; // of the cases: both timers of each are due → 1% of the timers
const TODAY = '2026-07-01';
const NOW = businessInstant(TODAY, '10:00');

async function main() {
  preferServerCompiler();
  const config = loadDistrictConfig('seeds/districts/chuanhui.json');
  console.log(`sweep: ${fmt(CASES)} open cases with 2 timers each, ${DUE_SHARE * 100}% of the timers due; starting DynamoDB Local …`);
  const db = await startDynamoDbLocal({ inMemory: true, maxHeap: '3g' });
  try {
    const client = createDynamoClient({ endpoint: db.endpoint });
    const observer = new Observer(client);
    const meter = new BenchMeter(client);
    const rt = await LocalRuntime.create({
      endpoint: db.endpoint,
      config,
      clock: new VirtualClock(NOW),
      client,
      tableName: 'shudi-bench-sweep',
      fastRetries: true,
      reminders: false,
      wrapHandler: (key, handler) => (event) => sender.run(key, () => Promise.resolve(handler(event))),
    });
    await rt.seed();
    const communities = rt.district.territory.ofKind('community').map((c) => c.id).sort();
    const rng = seedrandom('sweep-bench');
    const dueCases = Math.round(CASES * DUE_SHARE);
    const bar = progress('sweep: writing cases and timers');
    const t0 = performance.now();
    const BATCH = 5000;
    for (let start = 0; start < CASES; start += BATCH) {
      const items: Item[] = [];
      for (let i = start; i < Math.min(CASES, start + BATCH); i++) {
        const due = i < dueCases ? addCalendarDays(TODAY, -1) : addCalendarDays(TODAY, 2 + Math.floor(rng() * 120));
        const owner = communities[Math.floor(rng() * communities.length)]!;
        const caseId = `sim-bench-fu-${String(i).padStart(7, '0')}`;
        const created = businessInstant(addCalendarDays(due, -14), '10:00');
        const c: Case = {
          caseId,
          type: 'follow_up',
          status: 'open',
          state: 'awaiting_outcome',
          subjectId: `s-${String(1 + (i % 15289)).padStart(6, '0')}`,
          ownerOrgUnitId: owner,
          queueOrgUnitId: owner,
          level: 'community',
          ownerStreetId: rt.district.territory.streetOf(owner)!,
          dueDate: due,
          dueAt: endOfBusinessDay(due),
          provisional: false,
          createdAt: created,
          updatedAt: created,
          version: 1,
          data: { subjectClass: 'primary', communityId: owner, trigger: 'service', eventDate: addCalendarDays(due, -14), windowStart: addCalendarDays(due, -14), windowEnd: due, attempt: 1 },
        };
        // Its two timers ride on the case item (keys.ts caseItem), which the due index lists by the earlier one.
        const timers = [
          { timerId: `${caseId}#remind:due-0`, at: businessInstant(due, '09:00'), command: { action: 'remind', key: 'due-0' } },
          { timerId: `${caseId}#overdue`, at: startOfBusinessDay(addCalendarDays(due, 1)), command: { action: 'overdue' } },
        ];
        items.push(caseItem({ ...c, timers }, config.id));
      }
      await rt.register.putMany(items, { concurrency: 8 });
      const done = Math.min(CASES, start + BATCH);
      bar(`${fmt(done)}/${fmt(CASES)} cases · ${fmt(Math.round((done * 3) / ((performance.now() - t0) / 1000)))} items/s`);
    }
    bar(`${fmt(CASES)} cases, ${fmt(CASES * 2)} timers in ${((performance.now() - t0) / 1000).toFixed(0)}s`, true);

    // The full Scan: every item of the table, once.
    const scan = await meter.measure(async () => {
      let n = 0;
      const doc = documentClient(client);
      await Promise.all(
        Array.from({ length: 16 }, async (_, segment) => {
          let start: Record<string, unknown> | undefined;
          do {
            const page = await doc.send(new ScanCommand({ TableName: rt.tableName, Segment: segment, TotalSegments: 16, ExclusiveStartKey: start }));
            n += page.Count ?? 0;
            start = page.LastEvaluatedKey;
          } while (start);
        }),
      );
      return n;
    });

    // One sweep through the sweeper workflow.
    process.stderr.write(`sweep: one sweep, ${fmt(dueCases * 2)} timers due …\n`);
    observer.resetUsage();
    const before = structuredClone(rt.transitions);
    const t1 = performance.now();
    await sender.run(HARNESS, () => rt.sweep());
    const sweepMs = performance.now() - t1;
    const list = observer.usage.get('listDueTimers') ?? { readUnits: 0, requests: 0, writeUnits: 0, byCommand: {} };
    const fire = observer.usage.get('fireTimer') ?? { readUnits: 0, requests: 0, writeUnits: 0, byCommand: {} };
    const transitions = (rt.transitions.sweeper?.transitions ?? 0) - (before.sweeper?.transitions ?? 0);
    const stillDue = (await rt.cases.dueTimers(NOW, 10)).length;

    const findRatio = list.readUnits / scan.reading.readUnits;
    const sweepRatio = (list.readUnits + fire.readUnits) / scan.reading.readUnits;
    console.log('');
    console.log(`Figure 2 — one sweep vs. a full Scan (${fmt(scan.value)} items in the table: ${fmt(CASES)} cases, ${fmt(CASES * 2)} timers, the register; ${fmt(dueCases * 2)} timers due = 1%)`);
    console.log(`  full Scan:                      ${fmt(round(scan.reading.readUnits, 1))} read units, ${fmt(Math.round(scan.ms))} ms`);
    console.log(`  sweep, finding the due timers:  ${fmt(round(list.readUnits, 1))} read units (ListDueTimers ×${list.requests / 4} rounds, 4 shards)  →  ${(findRatio * 100).toFixed(3)}% of the Scan (goal ≤ 2%)`);
    console.log(`  sweep, firing them:             ${fmt(round(fire.readUnits, 1))} read units (FireTimer: the timer and its case, consistent reads)`);
    console.log(`  whole sweep:                    ${fmt(round(list.readUnits + fire.readUnits, 1))} read units  →  ${(sweepRatio * 100).toFixed(2)}% of the Scan; ${fmt(transitions)} state transitions; ${fmt(Math.round(sweepMs))} ms; ${stillDue} timers still due after it`);
    const file = writeResult('sweep', {
      cases: CASES,
      timers: CASES * 2,
      timersDue: dueCases * 2,
      tableItems: scan.value,
      fullScan: { readUnits: round(scan.reading.readUnits, 1), ms: Math.round(scan.ms) },
      sweep: {
        findReadUnits: round(list.readUnits, 1),
        fireReadUnits: round(fire.readUnits, 1),
        fireWriteUnits: round(fire.writeUnits, 1),
        listRequests: list.requests,
        transitions,
        ms: Math.round(sweepMs),
        timersStillDue: stillDue,
      },
      findRatio: round(findRatio, 5),
      sweepRatio: round(sweepRatio, 5),
      goal: 'finding the due timers ≤ 2% of a full Scan',
    });
    console.log(`\nWrote ${file}`);
  } finally {
    await db.stop();
  }
}

await main();
