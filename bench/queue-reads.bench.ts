// Figure 1 of `npm run bench`: what it costs to read a queue, with at least 200,000 cases in the table.
//
// The table is written directly with BatchWriteItem and the store's own key builder (caseItem), so the items carry
// exactly the index attributes the product writes: 200,000 cases of Chuanhui's 24 communities and 191 units over
// four years (most closed, about 1 in 8 open, a share of the open ones overdue), plus the register. Then, on the
// product's read paths (CaseStore.listQueue, CaseStore.listOpenUnder):
//   a) one community's queue page (open, soonest due first, 50 a page);
//   b) the overdue list under a street (its communities and units, and handovers that left it), first page and whole;
// each measured as read units ÷ items returned and items examined ÷ items returned (1 when the index holds exactly
// the answer), and timed against the same answer by Scan and filter (the whole table read, 16 segments in parallel,
// the matches kept).
// Run: npx tsx bench/queue-reads.bench.ts [--cases 200000]
import '../dev/local/runtime-shims';
import { parseArgs } from 'node:util';
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import seedrandom from 'seedrandom';
import type { Case, CaseType } from '../functions/domain/case';
import { addCalendarDays, businessInstant, endOfBusinessDay } from '../functions/domain/time';
import { Territory } from '../functions/domain/territory';
import { startDynamoDbLocal } from '../dev/local/dynamodb-local';
import { seedDistrict } from '../dev/seed/seed-district';
import { loadDistrictConfig } from '../infra/district-config-files';
import { CaseStore } from '../functions/store/case-store';
import { createDynamoClient, documentClient } from '../functions/store/client';
import { ensureTable } from '../functions/store/ensure-table';
import { caseItem, keys, type Item } from '../functions/store/keys';
import { RegisterStore } from '../functions/store/register-store';
import { INDEXES } from '../functions/store/table-design';
import { BenchMeter, fmt, preferServerCompiler, progress, round, writeResult } from './lib';

const { values } = parseArgs({ options: { cases: { type: 'string', default: '200000' } } });
const CASES = Number(values.cases);
const NOW = businessInstant('2026-07-01', '10:00');
const TABLE = 'shudi-bench-queue-reads';
const SCAN_SEGMENTS = 16;

/** A realistic case: the type mix of a district-year, four years of history, 1 in 8 still open. */
function makeCase(i: number, rng: () => number, t: Territory, communities: string[], units: string[]): Case {
  const r = rng();
  const type: CaseType = r < 0.7 ? 'health_check' : r < 0.82 ? 'unit_notice' : r < 0.91 ? 'follow_up' : r < 0.96 ? 'handover' : r < 0.985 ? 'certificate_check' : 'change_report';
  const owner = type === 'unit_notice' || (type === 'health_check' && rng() < 0.76) ? units[Math.floor(rng() * units.length)]! : communities[Math.floor(rng() * communities.length)]!;
  const created = addCalendarDays('2022-07-01', Math.floor(rng() * 1460));
  const open = created > '2026-03-01' ? rng() < 0.6 : rng() < 0.02;
  const due = addCalendarDays(created, type === 'health_check' ? 60 + Math.floor(rng() * 120) : 14 + Math.floor(rng() * 30));
  const overdue = open && endOfBusinessDay(due) < NOW;
  const level = overdue ? 'street' : t.get(owner)!.kind === 'unit' ? 'unit' : 'community';
  const queue = level === 'street' ? t.streetOf(owner)! : owner;
  const caseId = `${type}:bench-${String(i).padStart(7, '0')}`;
  const closedAt = open ? undefined : businessInstant(addCalendarDays(created, Math.floor(rng() * 40)), '15:00');
  return {
    caseId,
    type,
    status: open ? 'open' : 'done',
    state: open ? (overdue ? 'overdue' : 'awaiting_outcome') : 'attended',
    subjectId: `s-${String(Math.floor(rng() * 15289) + 1).padStart(6, '0')}`,
    ownerOrgUnitId: owner,
    queueOrgUnitId: queue,
    level,
    ownerStreetId: t.streetOf(owner)!,
    dueDate: due,
    dueAt: endOfBusinessDay(due),
    provisional: false,
    createdAt: businessInstant(created, '00:30'),
    updatedAt: closedAt ?? businessInstant(created, '00:30'),
    ...(closedAt ? { closedAt } : {}),
    version: open ? 1 + Math.floor(rng() * 3) : 2 + Math.floor(rng() * 3),
    data: { subjectClass: 'co_managed', communityId: communities[0]!, cadence: 'co_managed', perYear: 2, periodStart: created, periodEnd: due, period: 1, checkDay: due, remindersSent: 'check-1' },
  };
}

async function main() {
  preferServerCompiler();
  const config = loadDistrictConfig('seeds/districts/chuanhui.json');
  const territory = new Territory(config);
  const communities = territory.ofKind('community').map((u) => u.id).sort();
  const units = territory.ofKind('unit').map((u) => u.id).sort();
  const streets = territory.ofKind('street').map((u) => u.id).sort();
  console.log(`queue-reads: ${fmt(CASES)} cases of ${config.name.en} in one table; starting DynamoDB Local in memory …`);
  const db = await startDynamoDbLocal({ inMemory: true, maxHeap: '3g' });
  try {
    const client = createDynamoClient({ endpoint: db.endpoint });
    const meter = new BenchMeter(client);
    const doc = documentClient(client);
    await ensureTable(client, TABLE);
    const register = new RegisterStore(doc, TABLE, config.id);
    await seedDistrict(config, register);
    const cases = new CaseStore(doc, TABLE, config.id);

    const rng = seedrandom('queue-reads-bench');
    const bar = progress('queue-reads: writing cases');
    const t0 = performance.now();
    const BATCH = 5000;
    let openCount = 0;
    for (let start = 0; start < CASES; start += BATCH) {
      const items: Item[] = [];
      for (let i = start; i < Math.min(CASES, start + BATCH); i++) {
        const c = makeCase(i, rng, territory, communities, units);
        if (c.status === 'open') openCount++;
        items.push(caseItem(c, config.id));
      }
      await register.putMany(items, { concurrency: 8 });
      const done = Math.min(CASES, start + BATCH);
      bar(`${fmt(done)}/${fmt(CASES)} · ${fmt(Math.round(done / ((performance.now() - t0) / 1000)))} items/s`);
    }
    bar(`${fmt(CASES)} cases (${fmt(openCount)} open) in ${((performance.now() - t0) / 1000).toFixed(0)}s`, true);

    // The busiest community queue and street, as a manager would open them.
    const open = (id: string) => keys.queue(id, 'open');
    const queueSizes = await Promise.all(communities.map(async (c) => ({ c, n: (await cases.listQueue(c, 'open', { limit: 500 })).items.length })));
    const community = queueSizes.sort((a, b) => b.n - a.n || a.c.localeCompare(b.c))[0]!.c;
    const street = streets[0]!;

    // The Scan at its fastest: 16 segments in parallel (one long segment pages far more slowly on DynamoDB Local).
    const fullScan = async (filter: (item: Item) => boolean) => {
      const matches: Item[] = [];
      await Promise.all(
        Array.from({ length: SCAN_SEGMENTS }, async (_, segment) => {
          let start: Record<string, unknown> | undefined;
          do {
            const page = await doc.send(new ScanCommand({ TableName: TABLE, Segment: segment, TotalSegments: SCAN_SEGMENTS, ExclusiveStartKey: start }));
            for (const item of page.Items ?? []) if (filter(item)) matches.push(item);
            start = page.LastEvaluatedKey;
          } while (start);
        }),
      );
      return matches;
    };
    const byKey = (sk: string) => (a: Item, b: Item) => (String(a[sk]) < String(b[sk]) ? -1 : 1);

    // Warm both paths once (JIT, caches), then measure.
    await cases.listQueue(community, 'open', { limit: 50 });
    await cases.listOpenUnder({ id: street, kind: 'street' }, { dueBefore: NOW, limit: 50 });

    const rows: Record<string, unknown>[] = [];
    const measureQuery = async (name: string, run: () => Promise<number>, scanFilter: (i: Item) => boolean, sortKey: string, take: number | undefined) => {
      const q = await meter.measure(run);
      const s = await meter.measure(async () => {
        const all = (await fullScan(scanFilter)).sort(byKey(sortKey));
        return (take ? all.slice(0, take) : all).length;
      });
      if (s.value !== q.value) throw new Error(`${name}: Scan found ${s.value} items, the Query ${q.value}`);
      const row = {
        name,
        itemsReturned: q.value,
        query: { readUnits: round(q.reading.readUnits, 2), itemsExamined: q.reading.scanned, requests: q.reading.requests, ms: round(q.ms, 1) },
        scan: { readUnits: round(s.reading.readUnits, 1), itemsExamined: s.reading.scanned, requests: s.reading.requests, ms: round(s.ms, 0) },
        readUnitsPerItem: round(q.reading.readUnits / Math.max(1, q.value), 4),
        itemsExaminedPerItem: round(q.reading.scanned / Math.max(1, q.value), 3),
        scanReadUnitsRatio: round(s.reading.readUnits / Math.max(1e-9, q.reading.readUnits), 0),
        scanTimeRatio: round(s.ms / Math.max(1e-9, q.ms), 0),
      };
      rows.push(row);
      return row;
    };

    process.stderr.write('queue-reads: measuring (each Scan reads the whole table) …\n');
    const queueIdx = INDEXES.queue;
    await measureQuery(
      `community queue page (${community}, open, 50 soonest due)`,
      async () => (await cases.listQueue(community, 'open', { limit: 50 })).items.length,
      (i) => i[queueIdx.pk] === open(community),
      queueIdx.sk,
      50,
    );
    const streetIdx = INDEXES.street;
    const sendIdx = INDEXES.sendingStreet;
    const overdueUnder = (i: Item) => (i[streetIdx.pk] === keys.open(street) && String(i[streetIdx.sk]) < NOW) || (i[sendIdx.pk] === keys.open(street) && String(i[sendIdx.sk]) < NOW);
    await measureQuery(
      `overdue list under a street (${street}), first page of 50`,
      async () => (await cases.listOpenUnder({ id: street, kind: 'street' }, { dueBefore: NOW, limit: 50 })).items.length,
      overdueUnder,
      streetIdx.sk,
      50,
    );
    await measureQuery(
      `overdue list under a street (${street}), every page`,
      async () => {
        let n = 0;
        let cursor: string | undefined;
        do {
          const page = await cases.listOpenUnder({ id: street, kind: 'street' }, { dueBefore: NOW, limit: 200, ...(cursor ? { cursor } : {}) });
          n += page.items.length;
          cursor = page.cursor;
        } while (cursor);
        return n;
      },
      overdueUnder,
      streetIdx.sk,
      undefined,
    );

    console.log('');
    console.log(`Figure 1 — queue reads, ${fmt(CASES)} cases in the table (${fmt(openCount)} open), DynamoDB Local, ReturnConsumedCapacity TOTAL`);
    console.log('');
    for (const r of rows as { name: string; itemsReturned: number; query: { readUnits: number; itemsExamined: number; ms: number }; scan: { readUnits: number; itemsExamined: number; ms: number }; readUnitsPerItem: number; itemsExaminedPerItem: number; scanReadUnitsRatio: number; scanTimeRatio: number }[]) {
      console.log(`  ${r.name}: ${r.itemsReturned} items`);
      console.log(`    Query: ${r.query.readUnits} read units (${r.readUnitsPerItem} per item returned, goal ≤ 1.5), ${r.query.itemsExamined} items examined (${r.itemsExaminedPerItem} per item returned), ${r.query.ms} ms`);
      console.log(`    Scan + filter: ${fmt(r.scan.readUnits)} read units, ${fmt(r.scan.itemsExamined)} items examined, ${fmt(r.scan.ms)} ms  →  × ${fmt(r.scanReadUnitsRatio)} the read units, × ${fmt(r.scanTimeRatio)} the time`);
    }
    const file = writeResult('queue-reads', { cases: CASES, openCases: openCount, now: NOW, community, street, rows, goal: 'read units per item returned ≤ 1.5' });
    console.log(`\nWrote ${file}`);
  } finally {
    await db.stop();
  }
}

await main();
