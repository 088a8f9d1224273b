// `npm run bench:load`: the API under sustained load on this machine. Starts an in-memory DynamoDB
// Local, seeds the Yiling district (the small one: 2 streets, 480 subjects; seeding takes seconds),
// brings up the local runtime and the local HTTP server on 127.0.0.1 (an ephemeral port, loopback
// only), opens cases for every community, then drives a mix of queue reads and case actions with
// autocannon: 50 connections for 60 seconds (LOAD_CONNECTIONS, LOAD_SECONDS override). Each
// connection repeats one staff member's round on one subject:
//
//   POST /cases (a follow-up)            → GET /queues/{community}            → GET /cases/{id} (audited)
//   POST /cases/{id}/actions (outcome)   → GET /queues/{street}?include=descendants → GET /reports/overdue-handovers
//
// so a third of the requests write (a case opened with its timer and history, a case closed) and the
// rest read. It prints requests/s, p50/p99 latency and every status (5xx counted), and writes
// bench/results/load.json. A benchmark: it asserts nothing, and it stops itself (everything it
// started is stopped when it ends, also on an error).
import '../dev/local/runtime-shims';
import { mkdirSync, writeFileSync } from 'node:fs';
import { createRequire } from 'node:module';
import { cpus, totalmem } from 'node:os';
import { Logger } from '@aws-lambda-powertools/logger';
import { createApi } from '../functions/api/app';
import { VirtualClock } from '../functions/domain/clock';
import { businessDateOf, businessInstant } from '../functions/domain/time';
import { DevAuth } from '../dev/local/dev-auth';
import { startDynamoDbLocal } from '../dev/local/dynamodb-local';
import { runtimeClockControl, startLocalServer } from '../dev/local/http-server';
import { LocalRuntime } from '../dev/local/runtime';
import { loadDistrictConfig } from '../infra/district-config-files';

const DISTRICT = 'yiling';
const CONNECTIONS = Number(process.env.LOAD_CONNECTIONS ?? 50);
const SECONDS = Number(process.env.LOAD_SECONDS ?? 60);
const START = businessInstant('2026-03-02', '10:00');
const TODAY = businessDateOf(START);

// autocannon has no type declarations: the part of its API used here.
interface AcRequest {
  method?: string;
  path?: string;
  headers?: Record<string, string>;
  body?: string;
  setupRequest?: (req: AcRequest, context: Record<string, any>) => AcRequest | undefined;
  onResponse?: (status: number, body: string, context: Record<string, any>) => void;
}
interface AcHistogram {
  average: number;
  mean: number;
  stddev: number;
  min: number;
  max: number;
  p50: number;
  p90: number;
  p97_5: number;
  p99: number;
  total: number;
}
interface AcResult {
  requests: AcHistogram & { sent: number };
  latency: AcHistogram;
  throughput: AcHistogram;
  errors: number;
  timeouts: number;
  non2xx: number;
  statusCodeStats: Record<string, { count: number }>;
  '1xx': number;
  '2xx': number;
  '3xx': number;
  '4xx': number;
  '5xx': number;
  duration: number;
}
type Autocannon = (opts: {
  url: string;
  connections: number;
  duration: number;
  pipelining?: number;
  timeout?: number;
  requests: AcRequest[];
}) => Promise<AcResult> & { stop?: () => void };
const autocannon = createRequire(import.meta.url)('autocannon') as Autocannon;

async function main() {
  const config = loadDistrictConfig(`seeds/districts/${DISTRICT}.json`);
  console.log(`load: starting DynamoDB Local (in memory) …`);
  const db = await startDynamoDbLocal({ inMemory: true });
  let server: Awaited<ReturnType<typeof startLocalServer>> | undefined;
  let inFlight = 0;
  const stopAll = async () => {
    // Requests still being handled when the load stops finish against the table before it goes (at most 30 s).
    const closing = server?.close().catch(() => undefined);
    for (let waited = 0; inFlight > 0 && waited < 30_000; waited += 50) await new Promise((ok) => setTimeout(ok, 50));
    await closing;
    await db.stop();
  };
  process.once('SIGINT', () => void stopAll().then(() => process.exit(130)));
  try {
    const rt = await LocalRuntime.create({ endpoint: db.endpoint, config, clock: new VirtualClock(START), tableName: `load-${DISTRICT}` });
    const seedStarted = Date.now();
    const seeded = await rt.seed();
    const seedSeconds = (Date.now() - seedStarted) / 1000;
    const api = createApi({ ...rt.parts, logger: new Logger({ serviceName: 'shudi-api-load', logLevel: 'ERROR' }) });
    const auth = await DevAuth.create({ districtId: config.id });
    // Counts requests inside the API handler (a client that went away does not stop its handler).
    const counted = {
      ...api,
      handler: async (...args: Parameters<typeof api.handler>) => {
        inFlight++;
        try {
          return await api.handler(...args);
        } finally {
          inFlight--;
        }
      },
    };
    server = await startLocalServer({ api: counted, auth, register: rt.register, clock: runtimeClockControl(rt), host: '127.0.0.1', port: 0 });
    const base = `http://127.0.0.1:${server.port}`;
    console.log(`load: ${config.name.en} seeded in ${seedSeconds.toFixed(1)} s (${seeded.counts.subjects} subjects, ${seeded.counts.staff} staff); API on ${base}`);

    // Who works where, and the subjects each community officer can open a follow-up for.
    const { territory } = rt.district;
    const tokenOf = new Map<string, string>();
    const token = async (staffId: string) => {
      let t = tokenOf.get(staffId);
      if (!t) {
        const s = config.staff.find((x) => x.id === staffId)!;
        t = (await auth.issue(DevAuth.claimsOf({ staffId: s.id, orgUnitId: s.orgUnitId, role: s.role }, config.id))).token;
        tokenOf.set(staffId, t);
      }
      return t;
    };
    const officerOf = new Map<string, string>();
    for (const s of config.staff) if (s.role === 'community_officer' && !officerOf.has(s.orgUnitId)) officerOf.set(s.orgUnitId, s.id);
    const managerOf = new Map<string, string>();
    for (const s of config.staff) if (s.role === 'street_manager' && !managerOf.has(s.orgUnitId)) managerOf.set(s.orgUnitId, s.id);

    interface Slot {
      subjectId: string;
      communityId: string;
      streetId: string;
      coToken: string;
      smToken: string;
    }
    const slots: Slot[] = [];
    let cursor: string | undefined;
    do {
      const page = await rt.register.listSubjects({ id: config.id, kind: 'district' }, { limit: 500, ...(cursor ? { cursor } : {}) });
      for (const s of page.items) {
        if (s.class === 'co_managed') continue;
        const co = officerOf.get(s.communityId);
        const streetId = territory.get(s.communityId)?.parentId;
        const sm = streetId ? managerOf.get(streetId) : undefined;
        if (co && streetId && sm) slots.push({ subjectId: s.subjectId, communityId: s.communityId, streetId, coToken: await token(co), smToken: await token(sm) });
      }
      cursor = page.cursor;
    } while (cursor);
    if (slots.length < CONNECTIONS) throw new Error(`only ${slots.length} subjects to work on for ${CONNECTIONS} connections`);

    // Some open cases first, so the queues are not empty: a follow-up for every other subject (left open).
    const json = (t: string) => ({ authorization: `Bearer ${t}`, 'content-type': 'application/json', accept: 'application/json' });
    let opened = 0;
    for (const s of slots.slice(CONNECTIONS).filter((_, i) => i % 2 === 0)) {
      const r = await fetch(`${base}/cases`, { method: 'POST', headers: json(s.coToken), body: JSON.stringify({ type: 'follow_up', subjectId: s.subjectId, trigger: 'service', eventDate: '2026-02-20' }) });
      if (r.status === 201) opened++;
      else throw new Error(`opening a case: ${r.status} ${await r.text()}`);
    }
    console.log(`load: ${opened} cases opened to fill the queues; ${slots.length} subjects available, ${CONNECTIONS} in use`);

    // Each connection takes a free subject for a round and gives it back at the round's end.
    const free = slots.slice(0, CONNECTIONS);
    const round: AcRequest[] = [
      {
        method: 'POST',
        path: '/cases',
        setupRequest: (req, ctx) => {
          const s = free.shift();
          if (!s) return undefined;
          ctx.slot = s;
          return { ...req, headers: json(s.coToken), body: JSON.stringify({ type: 'follow_up', subjectId: s.subjectId, trigger: 'manual', eventDate: '2026-03-01' }) };
        },
        onResponse: (status, body, ctx) => {
          ctx.caseId = status === 201 ? (JSON.parse(body) as { caseId: string }).caseId : 'not-opened';
        },
      },
      { method: 'GET', setupRequest: (req, ctx) => ({ ...req, path: `/queues/${ctx.slot.communityId}`, headers: json(ctx.slot.coToken) }) },
      { method: 'GET', setupRequest: (req, ctx) => ({ ...req, path: `/cases/${encodeURIComponent(ctx.caseId)}`, headers: json(ctx.slot.coToken) }) },
      {
        method: 'POST',
        setupRequest: (req, ctx) => ({
          ...req,
          path: `/cases/${encodeURIComponent(ctx.caseId)}/actions`,
          headers: { ...json(ctx.slot.coToken), 'idempotency-key': `load-${ctx.caseId}` },
          body: JSON.stringify({ action: 'record_outcome', outcome: 'visited', date: TODAY }),
        }),
      },
      { method: 'GET', setupRequest: (req, ctx) => ({ ...req, path: `/queues/${ctx.slot.streetId}?include=descendants`, headers: json(ctx.slot.smToken) }) },
      {
        method: 'GET',
        setupRequest: (req, ctx) => ({ ...req, path: `/reports/overdue-handovers?orgUnitId=${ctx.slot.streetId}`, headers: json(ctx.slot.smToken) }),
        onResponse: (_s, _b, ctx) => {
          free.push(ctx.slot);
        },
      },
    ];

    console.log(`load: ${CONNECTIONS} connections for ${SECONDS} s …`);
    const result = await autocannon({ url: base, connections: CONNECTIONS, duration: SECONDS, timeout: 30, requests: round });
    const statuses = Object.fromEntries(Object.entries(result.statusCodeStats).map(([k, v]) => [k, v.count]));
    const fiveXx = Object.entries(statuses).filter(([k]) => k.startsWith('5')).reduce((n, [, c]) => n + c, 0);
    const total = Object.values(statuses).reduce((n, c) => n + c, 0);
    const out = {
      at: new Date().toISOString(),
      district: DISTRICT,
      subjects: seeded.counts.subjects,
      seedSeconds,
      casesOpenedBefore: opened,
      machine: { cpus: cpus().length, cpu: cpus()[0]?.model ?? 'unknown', memoryGiB: Math.round(totalmem() / 2 ** 30), node: process.version },
      setup: 'local HTTP server + API handler + DynamoDB Local (in memory), one process plus Java, loopback',
      connections: CONNECTIONS,
      seconds: SECONDS,
      mix: 'per round: POST /cases, GET /queues/{community}, GET /cases/{id}, POST /cases/{id}/actions (record_outcome), GET /queues/{street}?include=descendants, GET /reports/overdue-handovers',
      requests: total,
      requestsPerSecond: Math.round(result.requests.average),
      latencyMs: { p50: result.latency.p50, p90: result.latency.p90, p99: result.latency.p99, max: result.latency.max, mean: Math.round(result.latency.mean * 10) / 10 },
      statuses,
      fiveXx,
      errors: result.errors,
      timeouts: result.timeouts,
    };
    mkdirSync('bench/results', { recursive: true });
    writeFileSync('bench/results/load.json', `${JSON.stringify(out, null, 2)}\n`);
    console.log('');
    console.log(`requests       ${total.toLocaleString('en')} in ${SECONDS} s = ${out.requestsPerSecond}/s`);
    console.log(`latency        p50 ${out.latencyMs.p50} ms, p90 ${out.latencyMs.p90} ms, p99 ${out.latencyMs.p99} ms, max ${out.latencyMs.max} ms`);
    console.log(`statuses       ${Object.entries(statuses).map(([k, n]) => `${k}: ${n}`).join(', ')}`);
    console.log(`5xx            ${fiveXx}; connection errors ${result.errors}, timeouts ${result.timeouts}`);
    console.log(`written        bench/results/load.json`);
  } finally {
    await stopAll();
  }
}

main().catch((err: unknown) => {
  console.error(err);
  process.exitCode = 1;
});
