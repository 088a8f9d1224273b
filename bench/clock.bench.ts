// The local clock, as `POST /dev/clock` moves it in `npm start`: a one-day advance on an ordinary day, and "+31 days"
// across a period start (1 January: every subject's health check of the new period, the month's change reports, the
// half-year's unit notices, a digest a day), on the full register of a district. Prints a line per simulated day and
// the wall time of each advance; records them in bench/results/clock.json. A benchmark: it asserts nothing.
//
//   npx tsx bench/clock.bench.ts                 chuanhui (15,289 subjects)
//   npx tsx bench/clock.bench.ts --district yiling --days 31
import '../dev/local/runtime-shims';
import { parseArgs } from 'node:util';
import { startDynamoDbLocal } from '../dev/local/dynamodb-local';
import { LocalRuntime } from '../dev/local/runtime';
import { VirtualClock } from '../functions/domain/clock';
import { businessInstant } from '../functions/domain/time';
import { loadDistrictConfig } from '../functions/seed/load-district';
import { round, writeResult } from './lib';

const { values } = parseArgs({ options: { district: { type: 'string', default: 'chuanhui' }, days: { type: 'string', default: '31' } } });
const config = loadDistrictConfig(`seeds/districts/${values.district}.json`);
const days = Number(values.days);

const db = await startDynamoDbLocal({ inMemory: true });
try {
  const rt = await LocalRuntime.create({ endpoint: db.endpoint, config, clock: new VirtualClock(businessInstant('2026-12-14', '10:00')), tableName: `shudi-bench-clock-${config.id}` });
  const t0 = performance.now();
  await rt.seed();
  const seedSeconds = (performance.now() - t0) / 1000;
  console.log(`${config.id}: seeded in ${round(seedSeconds, 1)} s`);
  // A few cases with timers and reminders, so that the days have work: one handover per unit's first co_managed subject.
  const line = (d: { date: string; sweeps: number; casesOpenedByJobs: number; ms: number }) =>
    console.log(`  ${d.date}: ${String(Math.round(d.ms)).padStart(6)} ms, ${d.sweeps} sweeps, ${d.casesOpenedByJobs} cases opened by jobs`);

  const a = performance.now();
  await rt.advanceTo(new Date(rt.clock.now().getTime() + 86_400_000), { onDay: line });
  const oneDaySeconds = (performance.now() - a) / 1000;
  console.log(`one day (${config.id}, an ordinary day): ${round(oneDaySeconds, 2)} s`);

  // To 10:00 on 20 December, then +31 days: across 1 January.
  await rt.advanceTo(businessInstant('2026-12-20', '10:00'));
  const b = performance.now();
  const opened0 = rt.casesOpenedByJobs;
  await rt.advanceTo(new Date(rt.clock.now().getTime() + days * 86_400_000), { onDay: line });
  const longSeconds = (performance.now() - b) / 1000;
  const opened = rt.casesOpenedByJobs - opened0;
  console.log(`+${days} days across 1 January (${config.id}): ${round(longSeconds, 1)} s, ${opened} cases opened by the jobs (${round(opened / longSeconds, 0)} per second overall)`);
  const file = writeResult('clock', { district: config.id, seedSeconds: round(seedSeconds, 1), oneDaySeconds: round(oneDaySeconds, 2), days, acrossPeriodStartSeconds: round(longSeconds, 1), casesOpenedByJobs: opened, transitions: rt.transitions });
  console.log(`wrote ${file}`);
} finally {
  await db.stop();
}
