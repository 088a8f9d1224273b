// Figure 3 of `npm run bench`: write units per on-time handover ÷ the minimum the data model allows.
//
// The lifecycle, through the real workflows on the local stack: a unit liaison opens a handover (separation
// yesterday), the residence community acknowledges it two days later. Measured: the write units of the two
// transactions as DynamoDB bills them, item by item (dev/sim/capacity.ts; DynamoDB Local's own
// ReturnConsumedCapacity for a transaction counts one item per table and index, and is printed beside it).
//
// The minimum the data model allows: the items the lifecycle must leave behind, each written once with a standard
// (not transactional) write, at ⌈size / 1 KB⌉ units per copy, in the table and in every index the item must be in:
//   - the case, created (its queue, owner, street, district and subject index entries) and closed (each index entry
//     whose key changed is a delete and a put; an unchanged one is rewritten, projection ALL);
//   - its two history entries (table only);
//   - the subject, re-registered at her community as primary (her managing-unit and street entries move).
// Not in the minimum: the doubling of transactional writes, the deadline timers (since 2026-12-03 kept on the case
// item: their bytes and its due-index entry are taken out of the case before it is priced here; before, timer items
// put at opening and deleted at closing) and the notices (outbox items): that is the overhead of all-or-nothing changes, durable deadlines and reminders,
// and the figure shows what it costs. Sizes follow DynamoDB's item-size rules (attribute names + values).
// Run: npx tsx bench/write-amplification.bench.ts [--lifecycles 20]
import '../dev/local/runtime-shims';
import { parseArgs } from 'node:util';
import { GetCommand } from '@aws-sdk/lib-dynamodb';
import type { Actor } from '../functions/domain/case';
import { VirtualClock } from '../functions/domain/clock';
import { addCalendarDays, businessDateOf, businessInstant } from '../functions/domain/time';
import { startDynamoDbLocal } from '../dev/local/dynamodb-local';
import { LocalRuntime } from '../dev/local/runtime';
import { generateSubjects } from '../dev/seed/generate-subjects';
import { loadDistrictConfig } from '../infra/district-config-files';
import { createDynamoClient, documentClient } from '../functions/store/client';
import { keys, type Item } from '../functions/store/keys';
import { INDEXES } from '../functions/store/table-design';
import { Observer } from '../dev/sim/observe';
import { itemSize } from '../dev/sim/capacity';
import { BenchMeter, fmt, round, writeResult } from './lib';

const { values } = parseArgs({ options: { lifecycles: { type: 'string', default: '20' } } });
const N = Number(values.lifecycles);

const units = (bytes: number) => Math.max(1, Math.ceil(bytes / 1024));
const GSIS = Object.values(INDEXES);

/** Standard-write units to turn `before` into `after` (or create it): the table copy and each index entry. */
export function minimumWriteUnits(before: Item | undefined, after: Item): { units: number; detail: string } {
  const sizeAfter = itemSize(after);
  const sizeBefore = before ? itemSize(before) : 0;
  let total = units(Math.max(sizeAfter, sizeBefore));
  const parts = [`table ${units(Math.max(sizeAfter, sizeBefore))}`];
  for (const g of GSIS) {
    const had = before?.[g.pk] !== undefined;
    const has = after[g.pk] !== undefined;
    let u = 0;
    if (!had && has) u = units(sizeAfter);
    else if (had && !has) u = units(sizeBefore);
    else if (had && has) u = before![g.pk] !== after[g.pk] || before![g.sk] !== after[g.sk] ? units(sizeBefore) + units(sizeAfter) : units(Math.max(sizeAfter, sizeBefore));
    if (u) parts.push(`${g.name} ${u}`);
    total += u;
  }
  return { units: total, detail: parts.join(' + ') };
}

/** A case item as the minimum prices it: without its pending timers and the due-index entry they give it. */
function withoutDeadlines(item: Item): Item {
  const { timers: _timers, [INDEXES.due.pk]: _pk, [INDEXES.due.sk]: _sk, ...rest } = item;
  return rest;
}

async function main() {
  const config = loadDistrictConfig('seeds/districts/yiling.json');
  console.log(`write-amplification: ${N} on-time handovers of ${config.name.en} through the local stack …`);
  const db = await startDynamoDbLocal({ inMemory: true });
  try {
    const client = createDynamoClient({ endpoint: db.endpoint });
    const meter = new BenchMeter(client);
    const observer = new Observer(client);
    const transactions: { Put?: { Item: Item }; Delete?: { Key: Item }; ConditionCheck?: unknown }[][] = [];
    client.middlewareStack.add(
      (next, context) => async (args) => {
        const result = await next(args);
        if (context.commandName === 'TransactWriteItemsCommand') transactions.push((args.input as { TransactItems: never[] }).TransactItems);
        return result;
      },
      { step: 'initialize', name: 'benchTransactions' },
    );
    const start = businessInstant('2026-03-02', '10:00');
    const rt = await LocalRuntime.create({ endpoint: db.endpoint, config, clock: new VirtualClock(start), client, tableName: 'shudi-bench-writes', fastRetries: true, reminders: false });
    await rt.seed();
    const doc = documentClient(client);
    const subjects = generateSubjects(config).filter((s) => s.class === 'co_managed' && s.unitId).slice(0, N);
    const staff = (id: string): Actor => ({ kind: 'staff', staffId: id });

    const rows: { measured: number; localReported: number; minimum: number; byItem: Record<string, number>; detail: string[] }[] = [];
    for (const [i, s] of subjects.entries()) {
      await rt.advanceDays(1, { jobs: false });
      const subjectBefore = (await doc.send(new GetCommand({ TableName: rt.tableName, Key: keys.subject(s.subjectId) }))).Item as Item;
      transactions.length = 0;
      observer.resetUsage();
      const caseId = `bench-wa-${i}`;
      const m = await meter.measure(async () => {
        await rt.openCase({ type: 'handover', caseId, subjectId: s.subjectId, reason: 'resigned', separationDate: addCalendarDays(businessDateOf(rt.clock.now()), -1) }, staff(`ul-${s.unitId}`));
        await rt.advanceDays(2, { jobs: false });
        await rt.act(caseId, { action: 'acknowledge' }, staff(`co-${s.communityId}-1`), `ack-${i}`, s.communityId);
      });
      // The items the two transactions wrote, by kind.
      const puts = transactions.flat().flatMap((t) => (t.Put ? [t.Put.Item] : []));
      const deletes = transactions.flat().filter((t) => t.Delete).length;
      const caseVersions = puts.filter((p) => p.SK === 'CASE');
      const history = puts.filter((p) => String(p.SK).startsWith('H#'));
      const subjectAfter = puts.find((p) => String(p.PK).startsWith('SUBJECT#'));
      if (caseVersions.length !== 2 || history.length !== 2 || !subjectAfter) throw new Error(`lifecycle ${i}: expected 2 case versions, 2 history entries and the subject`);
      const [created, closed] = caseVersions.map(withoutDeadlines) as [Item, Item];
      const parts = [
        { what: 'case created', ...minimumWriteUnits(undefined, created) },
        { what: 'history 1', ...minimumWriteUnits(undefined, history[0]!) },
        { what: 'case closed', ...minimumWriteUnits(created, closed) },
        { what: 'history 2', ...minimumWriteUnits(undefined, history[1]!) },
        { what: 'subject re-registered', ...minimumWriteUnits(subjectBefore, subjectAfter) },
      ];
      const byItem: Record<string, number> = {
        'case versions': caseVersions.length,
        'history entries': history.length,
        'timers on the case': Object.keys((caseVersions[0]!.timers ?? {}) as object).length,
        'other deletes': deletes,
        'outbox items': puts.filter((p) => String(p.PK).startsWith('OUTBOX#')).length,
        subject: 1,
      };
      rows.push({
        measured: observer.total(() => true).writeUnits,
        localReported: m.reading.writeUnits,
        minimum: parts.reduce((s, p) => s + p.units, 0),
        byItem,
        detail: parts.map((p) => `${p.what}: ${p.units} (${p.detail})`),
      });
    }
    const measured = rows.reduce((s, r) => s + r.measured, 0) / rows.length;
    const localReported = rows.reduce((s, r) => s + r.localReported, 0) / rows.length;
    const minimum = rows.reduce((s, r) => s + r.minimum, 0) / rows.length;
    const ratio = measured / minimum;
    console.log('');
    console.log(`Figure 3 — write amplification of an on-time handover (open + acknowledge), mean of ${rows.length} lifecycles`);
    console.log(`  measured: ${fmt(round(measured, 2))} write units as DynamoDB bills the two TransactWriteItems (items written: ${Object.entries(rows[0]!.byItem).map(([k, v]) => `${v} ${k}`).join(', ')}); DynamoDB Local reported ${fmt(round(localReported, 2))}`);
    console.log(`  minimum the data model allows: ${fmt(round(minimum, 2))} write units`);
    for (const d of rows[0]!.detail) console.log(`    ${d}`);
    console.log(`  ratio: ${ratio.toFixed(2)} (goal ≤ 2); against the same items written transactionally (2 × minimum): ${(measured / (2 * minimum)).toFixed(2)}`);
    const file = writeResult('write-amplification', {
      district: config.id,
      lifecycles: rows.length,
      measuredWriteUnits: round(measured, 2),
      dynamodbLocalReported: round(localReported, 2),
      minimumWriteUnits: round(minimum, 2),
      ratio: round(ratio, 3),
      ratioToTransactionalMinimum: round(measured / (2 * minimum), 3),
      itemsWritten: rows[0]!.byItem,
      minimumBreakdown: rows[0]!.detail,
      goal: 'measured ÷ minimum ≤ 2',
    });
    console.log(`\nWrote ${file}`);
  } finally {
    await db.stop();
  }
}

await main();
