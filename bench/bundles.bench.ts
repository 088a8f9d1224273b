// Lambda bundles: each function's bundle size and its cold initialization time on this machine.
//
// The bundles are built by CDK itself (a synth of the district's stack with bundling on), so they
// are exactly what `cdk deploy` uploads: same esbuild options (infra/bundling.ts), same entry points.
// Cold initialization is measured in a fresh `node` process per run that imports the bundle the
// way the Lambda runtime does, with the function's own environment (NODE_OPTIONS included):
// the time from just before the import to the handler being exported (module parse, compile and
// top-level work: the domain's zod schemas, the district's territory and calendar, clients and
// Powertools built). The median of 5 runs is printed, with source maps on (as deployed) and off, for
// comparison, and what each bundle holds by package (esbuild's metafile, written for the bench only).
// Every function of the stack is measured: the workflow Tasks, the API, the job Lambdas, the direct
// sender (deliverMessage) and the exchange's two when the district has them. The cold start itself is
// dev/lambda-cold-start.ts, which test/infra/bundles.test.ts runs on every function once.
// A benchmark: it prints figures, it asserts nothing. Local figures on a 2-core machine under
// the local Node; Lambda (Node 22, arm64, 512 MB) differs, and adds its own runtime start.
//
// If infra/bundling.ts leaves a package out of the bundles (as it may the AWS SDK, which the runtime ships), the
// bundles find it in this project's node_modules, linked beside them, so a cold start includes loading it.
//
//   npm run bench:bundles                  chuanhui (the big district)
//   npm run bench:bundles -- yiling        another district
//   npm run bench:bundles -- --runs 1      quick: one cold start per function
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync, symlinkSync, writeFileSync } from 'node:fs';
import { loadavg, tmpdir } from 'node:os';
import { join } from 'node:path';
import { deflateRawSync } from 'node:zlib';
import { App, Stack, type CfnElement } from 'aws-cdk-lib';
import { loadAllDistricts } from '../infra/district-config-files';
import { DistrictStack } from '../infra/district-stack';
import { ROOT } from '../infra/paths';
import { BUNDLE_METAFILE_CONTEXT, ESBUILD_TARGET } from '../infra/bundling';
import { coldStart, functionEnvironment } from '../dev/lambda-cold-start';

const args = process.argv.slice(2);
const runsAt = args.indexOf('--runs');
/** Cold starts per function (default 5; `--runs 1` is the quick mode). */
const RUNS = runsAt >= 0 ? Number(args[runsAt + 1]) : 5;
const districtId = args.find((a, i) => !a.startsWith('--') && args[i - 1] !== '--runs') ?? 'chuanhui';
const cdkContext = (JSON.parse(readFileSync(join(ROOT, 'cdk.json'), 'utf8')) as { context: Record<string, unknown> }).context;

interface Row {
  function: string;
  entry: string;
  bundleBytes: number;
  sourceMapBytes: number;
  /** What the deployment zip holds, deflated (index.mjs + index.mjs.map). */
  zippedBytes: number;
  /** What each package (or directory of ours) contributes to the minified bundle, largest first (esbuild's metafile). */
  packagesKB: Record<string, number>;
  memoryMB: number;
  initMs: { median: number; min: number; runs: number[] };
  initNoSourceMapsMs: { median: number; runs: number[] };
  processMs: { median: number };
}

const median = (xs: number[]) => {
  const s = [...xs].sort((a, b) => a - b);
  const mid = Math.floor(s.length / 2);
  return s.length % 2 ? s[mid]! : (s[mid - 1]! + s[mid]!) / 2;
};
const round1 = (n: number) => Math.round(n * 10) / 10;
const kb = (n: number) => `${(n / 1024).toFixed(0)} KB`;

interface Metafile {
  outputs: Record<string, { entryPoint?: string; inputs: Record<string, { bytesInOutput: number }> }>;
}

/** KB of the bundle per npm package (the last node_modules/<name> in a path) or per functions/<dir> of ours. */
function byPackage(meta: Metafile): Record<string, number> {
  const out = Object.values(meta.outputs).find((o) => o.entryPoint)!;
  const sums = new Map<string, number>();
  for (const [path, input] of Object.entries(out.inputs)) {
    const pkg = [...path.matchAll(/node_modules\/((?:@[^/]+\/)?[^/]+)/g)].pop()?.[1];
    const key = pkg ?? (path.includes('shudi-district-config') ? '(district config)' : (/^functions\/[^/]+/.exec(path)?.[0] ?? path));
    sums.set(key, (sums.get(key) ?? 0) + input.bytesInOutput);
  }
  return Object.fromEntries([...sums].sort((a, b) => b[1] - a[1]).map(([k, b]) => [k, Math.round(b / 1024)]));
}

function main() {
  const district = loadAllDistricts(join(ROOT, 'seeds', 'districts')).find((d) => d.id === districtId);
  if (!district) throw new Error(`no district ${districtId}`);
  const outdir = mkdtempSync(join(tmpdir(), `shudi-bench-bundles-${districtId}-`));
  const started = performance.now();
  console.log(`Bundling the ${districtId} stack's Lambdas through CDK (esbuild ${ESBUILD_TARGET}, infra/bundling.ts) into ${outdir} …`);
  // The metafile (bench only: a deployment never writes one) breaks each bundle down by package.
  const app = new App({ outdir, builtinCloudFormationValidation: false, context: { ...cdkContext, [BUNDLE_METAFILE_CONTEXT]: true } });
  const stack = new DistrictStack(app, `shudi-bench-${districtId}`, {
    district,
    stage: 'bench',
    env: { region: 'ap-east-1' },
    settings: { dashboardDist: join(outdir, 'no-dashboard') },
  });
  const assembly = app.synth();
  // As the Lambda runtime provides @aws-sdk/*: resolvable from the asset directories if left out of a bundle.
  symlinkSync(join(ROOT, 'node_modules'), join(outdir, 'node_modules'), 'dir');
  const template = assembly.getStackByName(stack.stackName).template as { Resources: Record<string, { Type: string; Properties: Record<string, any> }> };
  const bundleSeconds = (performance.now() - started) / 1000;

  const functions = [
    ...Object.entries(stack.functions).map(([key, f]) => ({ name: key, entry: `functions/handlers/lambda/${key}.ts`, fn: f.fn })),
    { name: 'api', entry: 'functions/api/lambda.ts', fn: stack.apiFunction.fn },
    // The job Lambdas: reminders (publisher, digest, SMS gateway, bounces), the subscription sync, retention.
    ...Object.entries(stack.jobFunctions).map(([key, f]) => ({ name: key, entry: `functions/handlers/lambda/${key}.ts`, fn: f!.fn })),
    // The direct sender of SMS and e-mail (when the district's delivery config names a provider), the exchange's two.
    ...(stack.delivery.deliverFunction ? [{ name: 'deliverMessage', entry: 'functions/handlers/lambda/deliverMessage.ts', fn: stack.delivery.deliverFunction.fn }] : []),
    ...(stack.exchange
      ? [
          { name: 'exchangeDispatch', entry: 'functions/handlers/lambda/exchangeDispatch.ts', fn: stack.exchange.dispatch.fn },
          { name: 'exchangeReceive', entry: 'functions/handlers/lambda/exchangeReceive.ts', fn: stack.exchange.receive.fn },
        ]
      : []),
  ];
  const rows: Row[] = [];
  for (const { name, entry, fn } of functions) {
    const logicalId = Stack.of(fn).resolve(Stack.of(fn).getLogicalId(fn.node.defaultChild as CfnElement)) as string;
    const props = template.Resources[logicalId]!.Properties;
    const dir = join(outdir, `asset.${String(props.Code.S3Key).replace(/\.zip$/, '')}`);
    const files = readdirSync(dir);
    const bundle = join(dir, 'index.mjs');
    const bundleBytes = statSync(bundle).size;
    const sourceMapBytes = files.includes('index.mjs.map') ? statSync(join(dir, 'index.mjs.map')).size : 0;
    // What the zip holds: the metafile is the bench's own, not deployed.
    const zippedBytes = files.filter((f) => f !== 'index.meta.json').reduce((sum, f) => sum + deflateRawSync(readFileSync(join(dir, f)), { level: 9 }).length, 0);
    const packagesKB = byPackage(JSON.parse(readFileSync(join(dir, 'index.meta.json'), 'utf8')) as Metafile);
    const env = functionEnvironment(props.Environment.Variables as Record<string, unknown>, { TABLE_NAME: `shudi-bench-${districtId}` });
    const withMaps: number[] = [];
    const withoutMaps: number[] = [];
    const processRuns: number[] = [];
    for (let i = 0; i < RUNS; i++) {
      const a = coldStart(bundle, env);
      withMaps.push(a.initMs);
      processRuns.push(a.processMs);
      withoutMaps.push(coldStart(bundle, env, { sourceMaps: false }).initMs);
    }
    rows.push({
      function: name,
      entry,
      bundleBytes,
      sourceMapBytes,
      zippedBytes,
      packagesKB,
      memoryMB: props.MemorySize,
      initMs: { median: round1(median(withMaps)), min: round1(Math.min(...withMaps)), runs: withMaps.map(round1) },
      initNoSourceMapsMs: { median: round1(median(withoutMaps)), runs: withoutMaps.map(round1) },
      processMs: { median: round1(median(processRuns)) },
    });
    process.stdout.write(`  ${name.padEnd(26)} ${kb(bundleBytes).padStart(8)}  init ${round1(median(withMaps))} ms\n`);
  }

  // The floor under the same load: a module that exports a handler and nothing else, imported the same way.
  const emptyDir = join(outdir, 'empty-module');
  mkdirSync(emptyDir, { recursive: true });
  writeFileSync(join(emptyDir, 'index.mjs'), 'export const handler = async () => {};\n');
  const floorRuns: number[] = [];
  for (let i = 0; i < RUNS; i++) floorRuns.push(coldStart(join(emptyDir, 'index.mjs'), functionEnvironment({ NODE_OPTIONS: '--enable-source-maps' })).initMs);
  const floor = { median: round1(median(floorRuns)), min: round1(Math.min(...floorRuns)), runs: floorRuns.map(round1) };

  const head = ['function', 'bundle', 'source map', 'zip (est.)', 'init, maps on', '(best)', 'init, maps off', 'node process'];
  const table = [
    head,
    ...rows.map((r) => [r.function, kb(r.bundleBytes), kb(r.sourceMapBytes), kb(r.zippedBytes), `${r.initMs.median} ms`, `${r.initMs.min} ms`, `${r.initNoSourceMapsMs.median} ms`, `${r.processMs.median} ms`]),
  ];
  const widths = head.map((_, i) => Math.max(...table.map((row) => String(row[i]).length)));
  console.log('');
  console.log(
    `Lambda bundles of the ${districtId} stack — median cold initialization of ${RUNS} fresh node processes (${process.version}, local, load average ${round1(loadavg()[0] ?? 0)}; not asserted)`,
  );
  console.log('');
  for (const [i, row] of table.entries()) {
    console.log(row.map((c, j) => (j === 0 ? String(c).padEnd(widths[j]!) : String(c).padStart(widths[j]!))).join('  '));
    if (i === 0) console.log(widths.map((w) => '-'.repeat(w)).join('  '));
  }
  console.log('');
  console.log('init: from just before `import()` of the bundle to its handler export, in a fresh process, with the function\'s environment;');
  console.log('"maps on" is as deployed (NODE_OPTIONS=--enable-source-maps); (best): the fastest of the runs, the least disturbed by other load;');
  console.log('node process: the whole process, node start and exit included.');
  console.log(`floor: an empty module imported the same way, ${floor.median} ms (best ${floor.min} ms) in this run.`);
  console.log('');
  console.log('What each bundle holds, by package (KB of minified output; ours by directory; 3 KB and more):');
  for (const r of rows)
    console.log(`  ${r.function.padEnd(26)} ${Object.entries(r.packagesKB).filter(([, k]) => k >= 3).map(([p, k]) => `${p} ${k}`).join(', ')}`);

  const results = {
    at: new Date().toISOString(),
    district: districtId,
    node: process.version,
    esbuildTarget: ESBUILD_TARGET,
    runs: RUNS,
    /** 1-minute load average when the runs ended: figures from a busy machine are noisy. */
    loadAverage: round1(loadavg()[0] ?? 0),
    bundleSeconds: round1(bundleSeconds),
    /** An empty module's cold initialization in the same run: what no bundle can go below on this machine now. */
    emptyModuleInitMs: floor,
    functions: rows,
  };
  mkdirSync(join(ROOT, 'bench', 'results'), { recursive: true });
  writeFileSync(join(ROOT, 'bench', 'results', 'bundles.json'), `${JSON.stringify(results, null, 2)}\n`);
  console.log(`\nWrote bench/results/bundles.json (bundling took ${round1(bundleSeconds)} s).`);
  rmSync(outdir, { recursive: true, force: true });
}

main();
