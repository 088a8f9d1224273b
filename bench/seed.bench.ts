// `npm run bench:seed`: seeds the full Chuanhui register into a fresh in-memory DynamoDB Local and
// prints items per second and the write units consumed. A benchmark: it prints, it asserts nothing.
import '../dev/local/runtime-shims';
import { mkdirSync, writeFileSync } from 'node:fs';
import { startDynamoDbLocal } from '../dev/local/dynamodb-local';
import { progressLine } from '../dev/local/progress';
import { loadDistrictConfig } from '../infra/district-config-files';
import { seedDistrict } from '../dev/seed/seed-district';
import { CapacityMeter } from '../dev/local/capacity-meter';
import { createDynamoClient, documentClient } from '../functions/store/client';
import { ensureTable } from '../functions/store/ensure-table';
import { RegisterStore } from '../functions/store/register-store';
import { tableNameFor } from '../functions/store/table-design';

const districtId = process.argv[2] ?? 'chuanhui';
const config = loadDistrictConfig(`seeds/districts/${districtId}.json`);
const db = await startDynamoDbLocal({ inMemory: true });
try {
  const client = createDynamoClient({ endpoint: db.endpoint });
  const meter = new CapacityMeter(client);
  const table = tableNameFor(districtId, 'bench');
  await ensureTable(client, table);
  const store = new RegisterStore(documentClient(client), table, districtId);
  meter.reset();
  let bar: ReturnType<typeof progressLine> | undefined;
  const started = performance.now();
  const result = await seedDistrict(config, store, {
    onProgress: (done, total) => {
      bar ??= progressLine('seeding', total);
      bar.update(done);
    },
  });
  const secs = (performance.now() - started) / 1000;
  bar?.done(result.itemsWritten);
  const first = meter.reset();
  const again = await seedDistrict(config, store);
  const second = meter.reset();

  const figures = {
    district: districtId,
    items: result.itemsWritten,
    subjects: result.counts.subjects,
    seconds: Number(secs.toFixed(2)),
    itemsPerSecond: Math.round(result.itemsWritten / secs),
    writeUnits: first.writeUnits,
    writeUnitsPerItem: Number((first.writeUnits / result.itemsWritten).toFixed(2)),
    batchWriteRequests: first.commands.filter((c) => c === 'BatchWriteItemCommand').length,
    secondRun: { status: again.status, writeUnits: second.writeUnits, commands: second.commands.length },
  };
  console.log(`\nSeeded ${figures.items.toLocaleString('en')} items (${figures.subjects.toLocaleString('en')} subjects) in ${figures.seconds}s`);
  console.log(`  ${figures.itemsPerSecond.toLocaleString('en')} items/s`);
  console.log(`  ${figures.writeUnits.toLocaleString('en')} write units consumed (${figures.writeUnitsPerItem} per item: base item + its index entries)`);
  console.log(`  second run: ${again.status}, ${second.writeUnits} write units, ${second.commands.length} requests`);
  mkdirSync('bench/results', { recursive: true });
  writeFileSync('bench/results/seed.json', `${JSON.stringify({ ...figures, at: new Date().toISOString() }, null, 2)}\n`);
} finally {
  await db.stop();
}
