// `npm start`: the whole product on one machine. Starts DynamoDB Local on disk under .data/,
// creates the district table, seeds the district once, brings up the local runtime (the ASL
// workflows on aws-local-stepfunctions, on a clock that runs in real time and that /dev/clock moves
// forward), opens a few demo cases on first start, serves the API and the dashboard on
// http://localhost:3000, and runs until Ctrl-C, which stops everything and DynamoDB Local.
import './runtime-shims';
import { existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { DynamoDedupeStore } from '../../functions/adapters/dedupe-store';
import { LocalSink } from '../../functions/adapters/local-sink';
import { createApi } from '../../functions/api/app';
import { localCursorKey } from './cursor-key';
import { OffsetClock } from '../../functions/domain/clock';
import type { DistrictConfig } from '../../functions/domain/district-config';
import { businessDateOf, addCalendarDays } from '../../functions/domain/time';
import { loadDistrictConfig, ConfigError } from '../../infra/district-config-files';
import { createDynamoClient, documentClient } from '../../functions/store/client';
import { tableNameFor } from '../../functions/store/table-design';
import { ClaimNamesError, claimNamesFromEnv } from '../../functions/api/claims';
import { DevAuth } from './dev-auth';
import { startDynamoDbLocal } from './dynamodb-local';
import { startLocalDelivery, type LocalDelivery } from './local-delivery';
import { runtimeClockControl, startLocalServer } from './http-server';
import { progressLine } from './progress';
import { LocalRuntime } from './runtime';
import { startMultiDistrict } from './multi-district';

const districtFile = process.env.SHUDI_DISTRICT_FILE ?? `seeds/districts/${process.env.SHUDI_DISTRICT ?? 'chuanhui'}.json`;
const dataRoot = process.env.SHUDI_DATA_ROOT ?? '.data';
const dataDir = process.env.SHUDI_DATA_DIR ?? join(dataRoot, 'dynamodb');
const port = Number(process.env.PORT ?? 3000);
const host = process.env.HOST ?? '127.0.0.1';
const staticDir = process.env.SHUDI_DASHBOARD_DIR ?? 'functions/dashboard/dist';
/** How often (real time) the runtime runs what fell due on its clock. */
const TICK_MS = Number(process.env.SHUDI_TICK_MS ?? 30_000);

/** The real-time clock moved by /dev/clock; a set() to an instant already passed is a no-op (real time moved on). */
class LocalClock extends OffsetClock {
  override set(to: Date | string): Date {
    return new Date(to).getTime() <= this.now().getTime() ? this.now() : super.set(to);
  }
}

/** The clock's offset from real time survives a restart, so cases never see time go backwards. */
function clockFile(districtId: string) {
  return join(dataRoot, `clock-${districtId}.json`);
}
function restoreClock(clock: LocalClock, districtId: string) {
  const file = clockFile(districtId);
  if (!existsSync(file)) return;
  try {
    const { now } = JSON.parse(readFileSync(file, 'utf8')) as { now?: string };
    if (now) clock.set(now);
  } catch {
    // an unreadable file: start from real time
  }
}
function saveClock(clock: LocalClock, districtId: string) {
  mkdirSync(dataRoot, { recursive: true });
  writeFileSync(clockFile(districtId), JSON.stringify({ now: clock.now().toISOString(), savedAt: new Date().toISOString() }));
}

/** A few staff ids to sign in with: the district manager, one street's manager, a community officer there, a unit liaison. */
function signInIds(config: DistrictConfig, streetId: string) {
  const staff = config.staff;
  const communities = new Set(config.streets.find((s) => s.id === streetId)?.communities.map((c) => c.id) ?? []);
  const pick = (pred: (s: (typeof staff)[number]) => boolean) => staff.find(pred);
  return [
    pick((s) => s.role === 'district_manager'),
    pick((s) => s.role === 'street_manager' && s.orgUnitId === streetId),
    pick((s) => s.role === 'community_officer' && s.id === 'co-tongqiao-1') ?? pick((s) => s.role === 'community_officer' && communities.has(s.orgUnitId)),
    pick((s) => s.id === 'ul-zk-middle-school-2') ?? pick((s) => s.role === 'unit_liaison'),
  ].filter((s): s is (typeof staff)[number] => !!s);
}

/**
 * On first start, a handful of cases so the dashboard is not empty: handovers into one street's
 * communities (none of which anybody will acknowledge but one), a follow-up visit and a
 * certificate check. Their ids are fixed, so they are opened once.
 */
async function openDemoCases(rt: LocalRuntime, streetId: string): Promise<number> {
  if (await rt.cases.get('demo-ho-1')) return 0;
  const { territory } = rt.district;
  const communities = new Set(territory.childrenOf(streetId).filter((u) => u.kind === 'community').map((u) => u.id));
  const config = rt.config;
  const officerOf = (communityId: string) => config.staff.find((s) => s.role === 'community_officer' && s.orgUnitId === communityId)?.id;
  const liaisonOf = (unitId: string) => config.staff.find((s) => s.role === 'unit_liaison' && s.orgUnitId === unitId)?.id;

  // Subjects living in the street: co_managed ones (for handovers), primary and mobile ones.
  const found: { co: { subjectId: string; communityId: string; unitId: string }[]; primary?: { subjectId: string; communityId: string }; mobile?: { subjectId: string; communityId: string } } = { co: [] };
  for (const org of [{ id: config.id, kind: 'district' as const }]) {
    let cursor: string | undefined;
    for (let pages = 0; pages < 100; pages++) {
      const page = await rt.register.listSubjects(org, { limit: 500, ...(cursor ? { cursor } : {}) });
      for (const s of page.items) {
        if (!communities.has(s.communityId)) continue;
        if (s.class === 'co_managed' && s.unitId && liaisonOf(s.unitId) && officerOf(s.communityId) && found.co.length < 4) found.co.push({ subjectId: s.subjectId, communityId: s.communityId, unitId: s.unitId });
        if (s.class === 'primary' && !found.primary && officerOf(s.communityId)) found.primary = s;
        if (s.class === 'mobile' && !found.mobile && officerOf(s.communityId)) found.mobile = s;
      }
      cursor = page.cursor;
      if (!cursor || (found.co.length >= 4 && found.primary && found.mobile)) break;
    }
  }
  const today = businessDateOf(rt.clock.now());
  const staff = (staffId: string) => ({ kind: 'staff' as const, staffId });
  let opened = 0;
  const ago = [3, 10, 20, 5];
  for (const [i, w] of found.co.entries()) {
    const caseId = `demo-ho-${i + 1}`;
    await rt.openCase({ type: 'handover', caseId, subjectId: w.subjectId, reason: 'resigned', separationDate: addCalendarDays(today, -ago[i]!) }, staff(liaisonOf(w.unitId)!));
    opened++;
    // The last one is acknowledged at once: a closed, on-time handover for the reports.
    if (i === 3) await rt.act(caseId, { action: 'acknowledge' }, staff(officerOf(w.communityId)!), 'demo-ack', w.communityId);
  }
  if (found.primary) {
    await rt.openCase({ type: 'follow_up', caseId: 'demo-fu-1', subjectId: found.primary.subjectId, trigger: 'service', eventDate: addCalendarDays(today, -2) }, staff(officerOf(found.primary.communityId)!));
    opened++;
  }
  if (found.mobile) {
    await rt.openCase({ type: 'certificate_check', caseId: 'demo-cc-1', subjectId: found.mobile.subjectId, startDate: addCalendarDays(today, -1) }, staff(officerOf(found.mobile.communityId)!));
    opened++;
  }
  return opened;
}

async function main() {
  // Several districts (SHUDI_DISTRICT=chuanhui,yiling): one port, a path per district, joined by the local bus.
  const districtIds = (process.env.SHUDI_DISTRICT ?? '').split(',').filter(Boolean);
  if (districtIds.length > 1) return startMultiDistrict({ ids: districtIds, dataRoot, port, host, staticDir, tickMs: TICK_MS });
  // The config (and OIDC_CLAIMS) is validated before anything starts: a bad one writes nothing.
  let config;
  let claimNames;
  try {
    config = loadDistrictConfig(districtFile);
    claimNames = claimNamesFromEnv();
  } catch (err) {
    if (err instanceof ConfigError || err instanceof ClaimNamesError) {
      console.error(err.message);
      process.exit(2);
    }
    throw err;
  }

  const districtId = config.id;
  console.log(`shudi: starting DynamoDB Local (data in ${dataDir}) …`);
  const db = await startDynamoDbLocal({ inMemory: false, dataDir });
  let stopping = false;
  let loop: NodeJS.Timeout | undefined;
  let server: Awaited<ReturnType<typeof startLocalServer>> | undefined;
  let delivery: LocalDelivery | undefined;
  const stop = async (code: number) => {
    if (stopping) return;
    stopping = true;
    console.log('\nshudi: stopping …');
    if (loop) clearInterval(loop);
    await server?.close().catch(() => undefined);
    await delivery?.stop().catch(() => undefined);
    await db.stop();
    console.log('shudi: stopped.');
    process.exit(code);
  };
  process.on('SIGINT', () => void stop(0));
  process.on('SIGTERM', () => void stop(0));

  try {
    const clock = new LocalClock();
    restoreClock(clock, districtId);
    const tableName = tableNameFor(districtId);
    const sink = new LocalSink({ path: join(dataRoot, 'outbox.jsonl'), print: true });
    // SMS and e-mail as the district's delivery config says: a local SMTP server, provider stand-ins (docs/reminders.md).
    const dedupe = new DynamoDedupeStore(documentClient(createDynamoClient({ endpoint: db.endpoint })), tableName);
    delivery = await startLocalDelivery({ config, sink, dataRoot, dedupe, smtpPort: Number(process.env.SHUDI_SMTP_PORT ?? 0) });
    let lastJobLine = Date.now();
    const rt = await LocalRuntime.create({
      endpoint: db.endpoint,
      config,
      clock,
      tableName,
      notifier: delivery.notifier,
      dashboardUrl: process.env.SHUDI_DASHBOARD_URL ?? `http://localhost:${port}`,
      // A line per simulated day while POST /dev/clock moves the clock on.
      onDay: (d) => console.log(`clock ${d.date}: ${(d.ms / 1000).toFixed(1)} s, ${d.sweeps} sweeps, ${d.casesOpenedByJobs} cases opened by jobs`),
      // A period start opens a check for every woman due one: say how far it got every few seconds.
      onJobPage: (p) => {
        const now = Date.now();
        if (now - lastJobLine < 3000) return;
        lastJobLine = now;
        console.log(`clock ${businessDateOf(clock.now())}: ${p.job === 'generateHealthChecksPage' ? 'health checks' : 'obligations'} being opened, ${p.openedSoFar.toLocaleString('en')} cases so far`);
      },
    });
    let bar: ReturnType<typeof progressLine> | undefined;
    const result = await rt.seed((done, total) => {
      bar ??= progressLine(`seeding ${districtId}`, total);
      bar.update(done);
    });
    bar?.done();

    const { territory } = rt.district;
    const street = territory.get('xinhua') ?? territory.ofKind('street')[0]!;
    const demo = await openDemoCases(rt, street.id);

    const control = runtimeClockControl(rt, () => saveClock(clock, districtId));
    await control.tick();
    saveClock(clock, districtId);

    const api = createApi({ ...rt.parts, clock, logger: new Logger({ serviceName: 'shudi-api', logLevel: (process.env.LOG_LEVEL ?? 'WARN') as 'WARN' }), claimNames, cursorKey: localCursorKey(join(dataRoot, 'cursor-key'), districtId) });
    // The local OpenID provider (at /oidc): its key, cookie keys and the development password stay in .data/ (0600).
    const auth = await DevAuth.create({ districtId, keyFile: join(dataRoot, 'oidc-dev.json'), claimNames });
    server = await startLocalServer({ api, auth, register: rt.register, clock: control, outbox: sink, staticDir, port, host, oidc: { redirectUris: ['http://localhost:5173/'] } });
    loop = setInterval(() => {
      control
        .tick()
        .then(() => saveClock(clock, districtId))
        .catch((err: unknown) => console.error('shudi: a background run failed:', err));
    }, TICK_MS);

    const c = result.counts;
    const fmt = (v: number | undefined) => (v ?? 0).toLocaleString('en');
    const ids = signInIds(config, street.id);
    const url = server.url;
    const now = clock.now();
    console.log('');
    console.log(`District      ${config.name.zh} ${config.name.en} (${districtId}) — ${result.status === 'seeded' ? 'seeded now' : 'already seeded'}`);
    console.log(`Streets       ${c.streets}`);
    console.log(`Communities   ${c.communities}`);
    console.log(`Units         ${c.units}`);
    console.log(`Staff         ${fmt(c.staff)}`);
    console.log(`Subjects      ${fmt(c.subjects)} = ${fmt(c.primary)} primary + ${fmt(c.co_managed)} co_managed + ${fmt(c.mobile)} mobile`);
    console.log(`Demo cases    ${demo > 0 ? `${demo} opened now (demo-ho-1 … in ${street.name.en})` : 'opened on first start'}`);
    console.log(`DynamoDB      ${db.endpoint} table ${tableName}`);
    for (const line of delivery.describe()) console.log(line);
    console.log(`Clock         ${now.toISOString()} (${businessDateOf(now)} in Asia/Shanghai); runs in real time, POST /dev/clock moves it on`);
    console.log('');
    console.log(`shudi is running at ${url}`);
    console.log(`  dashboard   ${url}/${existsSync(staticDir) ? '' : '  (not built: functions/dashboard/dist is missing)'}`);
    console.log(`  API         ${url}/openapi.json`);
    console.log(`  OpenID      ${auth.issuer} (the local provider; its accounts are the district's staff)`);
    console.log('');
    console.log(`Sign in on the dashboard with a staff id and the development password ${auth.password}`);
    for (const s of ids) console.log(`  ${s.id.padEnd(26)} ${s.role.replace('_', ' ')}, ${territory.get(s.orgUnitId)?.name.en ?? s.orgUnitId}`);
    const sm = ids.find((s) => s.role === 'street_manager')?.id ?? ids[0]?.id ?? 'dm-chuanhui';
    console.log('');
    console.log('Try it from a script (POST /dev/login issues a token without the browser; local only):');
    console.log(`  TOKEN=$(curl -s -X POST ${url}/dev/login -H 'content-type: application/json' -d '{"staffId":"${sm}"}' | node -pe 'JSON.parse(require("fs").readFileSync(0)).token')`);
    console.log(`  curl -s -X POST ${url}/dev/clock -H 'content-type: application/json' -d '{"advanceDays":14}'`);
    console.log(`  curl -s "${url}/reports/overdue-handovers?orgUnitId=${street.id}" -H "authorization: Bearer $TOKEN"`);
    console.log('\nPress Ctrl-C to stop.');
  } catch (err) {
    console.error(err);
    await stop(1);
  }
}

void main();
