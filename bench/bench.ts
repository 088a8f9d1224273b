// `npm run bench`: runs each benchmark (each in its own process, with its own in-memory DynamoDB Local), then
// prints the six figures from their bench/results/*.json and writes bench/results/bench.json.
//
//   1. queue-reads          read units ÷ items returned for a queue page and a street's overdue list, vs. Scan + filter
//   2. sweep                read units of one sweep ÷ a full Scan, 1% of the timers due
//   3. write-amplification  write units per on-time handover ÷ the minimum the data model allows
//   4. lifecycles           state transitions per lifecycle per type, and cost against the naive design
//   5. reminders            SMS per case with digests ÷ one SMS per reminder event (bench/reminders.bench.ts)
//   6. throughput           cases created and routed per second ÷ raw PutItem per second
//
// Options: --only queue-reads,sweep,…  run only these (the others' last results are still summarised);
//          --fresh-reminders          run bench/reminders.bench.ts even if bench/results/reminders.json exists;
//          --quick                    smaller tables (100,000 cases for figure 1, 20,000 for figure 2).
import { spawn } from 'node:child_process';
import { existsSync, readFileSync } from 'node:fs';
import { parseArgs } from 'node:util';
import { writeResult } from './lib';

const { values } = parseArgs({ options: { only: { type: 'string' }, 'fresh-reminders': { type: 'boolean', default: false }, quick: { type: 'boolean', default: false } } });
const only = values.only ? new Set(values.only.split(',')) : undefined;

interface Bench {
  name: string;
  file: string;
  args: string[];
}
const benches: Bench[] = [
  { name: 'queue-reads', file: 'bench/queue-reads.bench.ts', args: values.quick ? ['--cases', '100000'] : [] },
  { name: 'sweep', file: 'bench/sweep.bench.ts', args: values.quick ? ['--cases', '20000'] : [] },
  { name: 'write-amplification', file: 'bench/write-amplification.bench.ts', args: [] },
  { name: 'lifecycles', file: 'bench/lifecycles.bench.ts', args: [] },
  { name: 'reminders', file: 'bench/reminders.bench.ts', args: [] },
  { name: 'throughput', file: 'bench/throughput.bench.ts', args: [] },
];

function run(b: Bench): Promise<{ code: number; seconds: number }> {
  const t0 = performance.now();
  return new Promise((resolve) => {
    const child = spawn(process.execPath, ['--import', 'tsx', b.file, ...b.args], { stdio: 'inherit' });
    child.on('exit', (code) => resolve({ code: code ?? 1, seconds: Math.round((performance.now() - t0) / 1000) }));
  });
}

const read = (name: string): Record<string, any> | undefined => {
  const f = `bench/results/${name}.json`;
  return existsSync(f) ? JSON.parse(readFileSync(f, 'utf8')) : undefined;
};

async function main() {
  const started = performance.now();
  const ran: Record<string, { code: number; seconds: number }> = {};
  for (const b of benches) {
    if (only && !only.has(b.name)) continue;
    if (b.name === 'reminders' && !values['fresh-reminders'] && existsSync('bench/results/reminders.json')) {
      console.log(`\n=== ${b.name}: using bench/results/reminders.json (${read('reminders')?.at}); --fresh-reminders reruns it\n`);
      continue;
    }
    console.log(`\n=== ${b.name} (${b.file} ${b.args.join(' ')})\n`);
    ran[b.name] = await run(b);
    if (ran[b.name]!.code !== 0) console.log(`\n!!! ${b.name} exited with ${ran[b.name]!.code}`);
  }

  const q = read('queue-reads');
  const s = read('sweep');
  const w = read('write-amplification');
  const l = read('lifecycles');
  const r = read('reminders');
  const t = read('throughput');
  const sim = existsSync('sim-out/report.json') ? JSON.parse(readFileSync('sim-out/report.json', 'utf8')) : undefined;
  const lines: string[] = [];
  const figures: Record<string, unknown> = {};
  lines.push('The six figures (each a ratio measured in one run; bench/results/*.json hold the detail):');
  if (q) {
    const page = q.rows[0];
    const overdue = q.rows[1];
    lines.push(`1. Queue reads (${q.cases.toLocaleString('en')} cases): community queue page ${page.readUnitsPerItem} read units per item returned, overdue list under a street ${overdue.readUnitsPerItem} (goal ≤ 1.5); items examined per item returned ${page.itemsExaminedPerItem} and ${overdue.itemsExaminedPerItem}; Scan + filter for the same answers reads × ${page.scanReadUnitsRatio.toLocaleString('en')} / × ${overdue.scanReadUnitsRatio.toLocaleString('en')} the units and takes × ${page.scanTimeRatio.toLocaleString('en')} / × ${overdue.scanTimeRatio.toLocaleString('en')} the time`);
    figures.queueReads = { pageReadUnitsPerItem: page.readUnitsPerItem, overdueReadUnitsPerItem: overdue.readUnitsPerItem, scanTimeRatio: [page.scanTimeRatio, overdue.scanTimeRatio] };
  }
  if (s) {
    lines.push(`2. Sweep (${s.timers.toLocaleString('en')} timers, 1% due, ${s.tableItems.toLocaleString('en')} items): finding the due timers reads ${(s.findRatio * 100).toFixed(3)}% of a full Scan (goal ≤ 2%); the whole sweep, firing them included, ${(s.sweepRatio * 100).toFixed(2)}%`);
    figures.sweep = { findRatio: s.findRatio, sweepRatio: s.sweepRatio };
  }
  if (w) {
    lines.push(`3. Write amplification: an on-time handover writes ${w.measuredWriteUnits} units ÷ ${w.minimumWriteUnits} minimum = ${w.ratio} (goal ≤ 2); ÷ the transactional minimum ${w.ratioToTransactionalMinimum}`);
    figures.writeAmplification = { ratio: w.ratio, ratioToTransactionalMinimum: w.ratioToTransactionalMinimum };
  }
  if (l) {
    const rows = l.rows as { type: string; transitions: number; naiveTransitions: number; costRatio: number; days: number }[];
    lines.push(`4. Step Functions transitions per lifecycle: ${rows.map((x) => `${x.type} ${x.transitions} (naive ${x.naiveTransitions}, ${x.days} d; cost × ${x.costRatio})`).join('; ')}${sim ? `; district-year (sim-out, ${sim.meta.district}): naive ÷ shudi cost × ${sim.cost.ratio.toFixed(2)}, transitions × ${sim.cost.transitionsRatio.toFixed(1)}` : ''}`);
    figures.lifecycles = Object.fromEntries(rows.map((x) => [x.type, { transitions: x.transitions, naiveTransitions: x.naiveTransitions, costRatio: x.costRatio }]));
    if (sim) figures.districtYear = { district: sim.meta.district, costRatio: sim.cost.ratio, transitionsRatio: sim.cost.transitionsRatio };
  }
  if (r) {
    const withDigest = r.perOpenCase?.sent?.sms ?? r.sent.sms / r.casesOpened;
    const perEvent = r.perOpenCase?.onePerEvent?.sms ?? r.onePerEvent.sms / r.casesOpened;
    const ratio = withDigest / perEvent;
    lines.push(`5. Reminders (${r.district}, ${r.month}): ${withDigest} SMS per open case with digests ÷ ${perEvent} with one SMS per reminder event = ${ratio.toFixed(3)}${sim ? `; district-year (sim-out): ${sim.reminders.smsPerCase} ÷ ${sim.reminders.naiveSmsPerCase} = ${sim.reminders.smsRatio}` : ''}`);
    figures.reminders = { ratio: Number(ratio.toFixed(4)), source: `bench/results/reminders.json (${r.at})`, ...(sim ? { districtYear: sim.reminders.smsRatio } : {}) };
  }
  if (t) {
    const c1 = t.results['concurrency 1'];
    const c8 = t.results['concurrency 8'];
    lines.push(`6. Throughput: ${c8.stackCasesPerSecond} cases created and routed per second ÷ ${c8.rawPutsPerSecond} raw PutItem per second = ${c8.ratio} at 8 at a time (${c1.ratio} one at a time)`);
    figures.throughput = { ratio: c8.ratio, ratioSequential: c1.ratio };
  }
  const total = Math.round((performance.now() - started) / 1000);
  console.log(`\n${lines.join('\n')}\n\nnpm run bench: ${total}s (${Object.entries(ran).map(([k, v]) => `${k} ${v.seconds}s`).join(', ')})`);
  writeResult('bench', { figures, lines, ran, seconds: total });
  if (Object.values(ran).some((x) => x.code !== 0)) process.exitCode = 1;
}

await main();
