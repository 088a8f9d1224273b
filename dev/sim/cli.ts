// `npm run simulate -- --district chuanhui --days 365 [--seed N]`: a district-year on the real local stack, on a
// virtual clock, with a report in sim-out/ (report.md, report.json, charts/*.svg).
//
// Options:
//   --district <id|file>   seeds/districts/<id>.json or a path (default chuanhui)
//   --days <n>             simulated days (default 365)
//   --seed <n>             seed of the event stream and the staff profiles (default 1)
//   --start <YYYY-MM-DD>   first simulated day (default 2026-01-01, a year with an official holiday schedule)
//   --out <dir>            report folder (default sim-out)
//   --concurrency <n>      steps run at once at one instant (default 8)
//   --rates <file>         rates file (default seeds/simulation/rates.json)
//   --prices <file>        price list (default seeds/simulation/prices.json)
//   --endpoint <url>       use a running DynamoDB Local instead of starting one in memory
import '../local/runtime-shims';
import { existsSync } from 'node:fs';
import { relative } from 'node:path';
import { parseArgs } from 'node:util';
import { startDynamoDbLocal, type DynamoDbLocal } from '../local/dynamodb-local';
import { ConfigError, loadDistrictConfig } from '../../infra/district-config-files';
import { loadPrices, DEFAULT_PRICES_FILE } from './prices';
import { DEFAULT_RATES_FILE, loadRates, RatesError } from './rates';
import { buildReport, readTable } from './report';
import { runSimulation, type Progress } from './runner';
import { endInstantOf } from './events';
import { writeReport } from './output';

function usage(message?: string): never {
  if (message) console.error(`simulate: ${message}`);
  console.error('usage: npm run simulate -- [--district chuanhui] [--days 365] [--seed 1] [--start 2026-01-01] [--out sim-out] [--concurrency 8]');
  process.exit(2);
}

function progressPrinter(label: string) {
  const tty = process.stderr.isTTY;
  let lastLine = 0;
  let last = '';
  // The estimate of time left uses the pace of the last few minutes (a job's first day is far slower than the rest).
  const samples: { wall: number; fraction: number }[] = [];
  return {
    update(p: Progress) {
      samples.push({ wall: p.wallSeconds, fraction: p.fraction });
      while (samples.length > 2 && samples[0]!.wall < p.wallSeconds - 180) samples.shift();
      const first = samples[0]!;
      const pace = p.wallSeconds - first.wall > 20 ? (p.fraction - first.fraction) / (p.wallSeconds - first.wall) : p.fraction / Math.max(1, p.wallSeconds);
      const eta = p.fraction > 0.005 && p.fraction < 1 && pace > 0 ? Math.round((1 - p.fraction) / pace) : undefined;
      const etaText = eta === undefined ? '' : eta >= 90 ? ` · ~${Math.round(eta / 60)} min left` : ` · ~${eta}s left`;
      const rate = p.wallSeconds > 0 ? p.casesOpened / p.wallSeconds : 0;
      last =
        p.phase === 'seeding'
          ? `${label}: seeding the register …`
          : `${label}: ${p.simulatedDate} · ${(p.fraction * 100).toFixed(1)}% · ${p.casesOpened.toLocaleString('en')} cases · ${rate.toFixed(1)} cases/s · ${p.stepsDone.toLocaleString('en')} staff steps · ${Math.round(p.wallSeconds)}s${etaText}`;
      if (tty) process.stderr.write(`\r${last}\x1b[K`);
      else if (Date.now() - lastLine > 30_000) {
        // Redirected to a file (nohup): one line every 30 s.
        lastLine = Date.now();
        process.stderr.write(`${last}\n`);
      }
    },
    done() {
      if (tty) process.stderr.write(`\r${last}\x1b[K\n`);
      else process.stderr.write(`${last}\n`);
    },
  };
}

async function main() {
  const { values } = parseArgs({
    options: {
      district: { type: 'string', default: 'chuanhui' },
      days: { type: 'string', default: '365' },
      seed: { type: 'string', default: '1' },
      start: { type: 'string', default: '2026-01-01' },
      out: { type: 'string', default: 'sim-out' },
      concurrency: { type: 'string', default: '8' },
      rates: { type: 'string', default: DEFAULT_RATES_FILE },
      prices: { type: 'string', default: DEFAULT_PRICES_FILE },
      endpoint: { type: 'string' },
    },
    allowPositionals: false,
  });
  const days = Number(values.days);
  const seed = Number(values.seed);
  const concurrency = Number(values.concurrency);
  if (!Number.isInteger(days) || days < 1 || days > 3660) usage('--days is a whole number of days (1–3660)');
  if (!Number.isInteger(seed)) usage('--seed is an integer');
  if (!Number.isInteger(concurrency) || concurrency < 1) usage('--concurrency is a positive integer');
  if (!/^\d{4}-\d{2}-\d{2}$/.test(values.start!)) usage('--start is a date, YYYY-MM-DD');
  const districtFile = existsSync(values.district!) ? values.district! : `seeds/districts/${values.district}.json`;

  let config;
  let rates;
  try {
    config = loadDistrictConfig(districtFile);
    rates = loadRates(values.rates);
  } catch (err) {
    if (err instanceof ConfigError || err instanceof RatesError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }
  const prices = loadPrices(values.prices);

  const label = `simulate ${config.id}`;
  let db: DynamoDbLocal | undefined;
  let endpoint = values.endpoint;
  const wallStart = performance.now();
  if (!endpoint) {
    // The server compiler (C2): slower to warm up than the launcher's C1-only default, about 1.5× the throughput
    // over a run of many minutes.
    process.env.JAVA_TOOL_OPTIONS ??= '-XX:-TieredCompilation';
    console.error(`${label}: starting DynamoDB Local in memory …`);
    db = await startDynamoDbLocal({ inMemory: true, maxHeap: '3g' });
    endpoint = db.endpoint;
  }
  try {
    const bar = progressPrinter(label);
    console.error(`${label}: ${config.name.zh} ${config.name.en}, ${values.start} + ${days} days, seed ${seed}`);
    const sim = await runSimulation({ endpoint, config, rates, seed, start: values.start!, days, concurrency, onProgress: (p) => bar.update(p) });
    bar.done();
    console.error(`${label}: reading the table back for the report …`);
    const t0 = performance.now();
    const table = await readTable(endpoint, sim.tableName, endInstantOf(sim.world));
    const report = buildReport({ sim, table, prices, ratesFile: relative(process.cwd(), values.rates!), reportSeconds: (performance.now() - t0) / 1000 });
    const { files } = writeReport(values.out!, report);
    const total = (performance.now() - wallStart) / 1000;
    const failed = report.checks.filter((c) => !c.ok);
    console.log('');
    console.log(`${config.name.en}, ${report.meta.start} – ${report.meta.end}, seed ${seed}`);
    console.log(`  cases opened        ${report.cases.opened.toLocaleString('en')}`);
    console.log(`  handovers on time   ${report.cases.byType.handover.onTimeRate === null ? '–' : `${(report.cases.byType.handover.onTimeRate * 100).toFixed(1)}%`}`);
    console.log(`  SMS / e-mails       ${report.reminders.messages.sms.toLocaleString('en')} / ${report.reminders.messages.email.toLocaleString('en')}`);
    console.log(`  transitions         ${report.stepFunctions.transitions.toLocaleString('en')}`);
    console.log(`  DynamoDB RRU / WRU  ${Math.round(report.dynamodb.product.readUnits).toLocaleString('en')} / ${Math.round(report.dynamodb.product.writeUnits).toLocaleString('en')}`);
    console.log(`  AWS cost            $${report.cost.ours.totalUsd.toFixed(2)} (naive design $${report.cost.naive.totalUsd.toFixed(2)}, × ${report.cost.ratio.toFixed(1)})`);
    console.log(`  checks              ${report.checks.length - failed.length}/${report.checks.length} hold${failed.length ? `; FAILED: ${failed.map((c) => `${c.name} (expected ${c.expected}, found ${c.actual})`).join('; ')}` : ''}`);
    console.log(`  wall time           ${total.toFixed(0)}s (period ${report.wall.runSeconds}s, seeding ${report.wall.seedSeconds}s, report ${report.wall.reportSeconds}s)`);
    console.log(`Wrote ${files.length} files to ${values.out}/: ${files.map((f) => relative(values.out!, f)).join(', ')}`);
    if (failed.length) process.exitCode = 1;
  } finally {
    await db?.stop();
  }
}

await main();
