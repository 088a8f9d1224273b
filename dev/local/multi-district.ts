// `SHUDI_DISTRICT=chuanhui,yiling npm start`: several districts in one process on one port, a path per district
// (http://localhost:3000/chuanhui/, /yiling/), each with its own table, API, dev sign-in and dashboard, on one clock,
// joined by the local exchange bus (the same envelope as EventBridge). A move from a Chuanhui community to a Yiling
// community appears in the Yiling community's queue; its acknowledgement puts a receipt into the Chuanhui case.
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { LocalSink } from '../../functions/adapters/local-sink';
import { createApi } from '../../functions/api/app';
import { ExchangeDispatcher } from '../../functions/app/exchange-dispatcher';
import { OffsetClock } from '../../functions/domain/clock';
import type { DistrictConfig } from '../../functions/domain/district-config';
import { addCalendarDays, businessDateOf } from '../../functions/domain/time';
import { loadDistrictConfig } from '../../infra/district-config-files';
import { subjectItem } from '../../functions/store/keys';
import { tableNameFor } from '../../functions/store/table-design';
import { DevAuth } from './dev-auth';
import { startDynamoDbLocal } from './dynamodb-local';
import { createLocalServer, runtimeClockControl, type ClockControl } from './http-server';
import { LocalBus, pumpExchange } from './local-bus';
import { progressLine } from './progress';
import { LocalRuntime } from './runtime';

export interface MultiOptions {
  ids: string[];
  dataRoot: string;
  port: number;
  host: string;
  staticDir: string;
  tickMs: number;
}

interface District {
  config: DistrictConfig;
  rt: LocalRuntime;
  server: Server;
  control: ClockControl;
  dispatcher?: ExchangeDispatcher;
}

/** The first start's exchange demo: a move out of Chuanhui to Yiling, and a certificate verified with Yiling. */
async function openExchangeDemo(from: District, to: District): Promise<boolean> {
  const x = from.rt.parts.exchange;
  const toCode = to.config.exchange?.divisionCode;
  if (!x || !toCode || (await from.rt.cases.get('demo-xho-1'))) return false;
  const today = businessDateOf(from.rt.clock.now());
  const page = await from.rt.register.listSubjects({ id: from.config.id, kind: 'district' }, { limit: 500 });
  const primary = page.items.find((s) => s.class === 'primary');
  const mobile = page.items.find((s) => s.class === 'mobile');
  const officer = (communityId: string) => from.config.staff.find((s) => s.role === 'community_officer' && s.orgUnitId === communityId);
  const toCommunity = to.config.streets[0]!.communities[0]!.id;
  if (primary && officer(primary.communityId)) {
    await x.service.handoverOut(
      { caseId: 'demo-xho-1', subjectId: primary.subjectId, toRegion: toCode, toCommunityId: toCommunity, moveDate: addCalendarDays(today, -2) },
      { kind: 'staff', staffId: officer(primary.communityId)!.id },
      primary.communityId,
    );
  }
  if (mobile && officer(mobile.communityId)) {
    // Her region of origin is the partner: the certificate check asks it to verify.
    const { territory } = from.rt.district;
    await from.rt.register.putMany([
      subjectItem({ ...mobile, originRegion: toCode }, territory),
    ]);
    await from.rt.openCase({ type: 'certificate_check', caseId: 'demo-xcc-1', subjectId: mobile.subjectId, startDate: addCalendarDays(today, -1) }, { kind: 'staff', staffId: officer(mobile.communityId)!.id });
  }
  return true;
}

export async function startMultiDistrict(o: MultiOptions): Promise<void> {
  const configs = o.ids.map((id) => loadDistrictConfig(`seeds/districts/${id}.json`));
  console.log(`shudi: starting DynamoDB Local (data in ${join(o.dataRoot, 'dynamodb')}) …`);
  const db = await startDynamoDbLocal({ inMemory: false, dataDir: join(o.dataRoot, 'dynamodb') });
  const clock = new OffsetClock();
  const bus = new LocalBus();
  const sink = new LocalSink({ path: join(o.dataRoot, 'outbox.jsonl'), print: true });
  const url = `http://localhost:${o.port}`;
  const districts: District[] = [];
  for (const config of configs) {
    const rt = await LocalRuntime.create({ endpoint: db.endpoint, config, clock, tableName: tableNameFor(config.id), notifier: sink, dashboardUrl: `${url}/${config.id}` });
    let bar: ReturnType<typeof progressLine> | undefined;
    await rt.seed((done, total) => {
      bar ??= progressLine(`seeding ${config.id}`, total);
      bar.update(done);
    });
    bar?.done();
    const x = rt.parts.exchange;
    if (x) bus.join(x.planner.own, (raw) => x.receiver.receive(raw));
    const api = createApi({ ...rt.parts, clock, logger: new Logger({ serviceName: 'shudi-api', logLevel: (process.env.LOG_LEVEL ?? 'WARN') as 'WARN' }) });
    const auth = await DevAuth.create({ districtId: config.id, keyFile: join(o.dataRoot, `dev-auth-key-${config.id}.json`) });
    const control = runtimeClockControl(rt);
    const server = createLocalServer({ api, auth, register: rt.register, clock: control, outbox: sink, staticDir: o.staticDir });
    districts.push({ config, rt, server, control, ...(x ? { dispatcher: new ExchangeDispatcher({ store: x.store, bus, clock }) } : {}) });
  }
  const dispatchers = districts.flatMap((d) => (d.dispatcher ? [d.dispatcher] : []));
  const runAll = async () => {
    for (const d of districts) await d.control.tick();
    await pumpExchange(dispatchers);
  };
  if (districts.length >= 2 && (await openExchangeDemo(districts[0]!, districts[1]!))) console.log(`Exchange demo  demo-xho-1 (a move to ${districts[1]!.config.id}) and demo-xcc-1 (a certificate verified there) opened now`);
  await runAll();

  // One port, a path per district: /<districtId>/… is that district's server with the prefix taken off.
  const front = createServer((req: IncomingMessage, res: ServerResponse) => {
    const path = (req.url ?? '/').split('?')[0]!;
    const [, first = ''] = path.split('/');
    const d = districts.find((x) => x.config.id === first);
    if (!d) {
      res.writeHead(path === '/' ? 200 : 404, { 'content-type': 'text/html; charset=utf-8' });
      res.end(`<!doctype html><meta charset="utf-8"><title>shudi</title><h1>shudi 属地</h1><ul>${districts.map((x) => `<li><a href="/${x.config.id}/">${x.config.name.zh} ${x.config.name.en}</a></li>`).join('')}</ul>`);
      return;
    }
    if (path === `/${first}`) {
      res.writeHead(302, { location: `/${first}/` });
      res.end();
      return;
    }
    if (path === `/${first}/config.js`) {
      const staff = d.config.staff.filter((s) => s.role !== 'unit_liaison').slice(0, 4).map((s) => s.id);
      res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' });
      res.end(`window.SHUDI_CONFIG = ${JSON.stringify({ apiBase: `/${first}`, suggestedStaffIds: staff })};\n`);
      return;
    }
    req.url = (req.url ?? '/').slice(first.length + 1) || '/';
    // After a clock move on one district, the others and the exchange catch up before the answer.
    if (req.method === 'POST' && req.url.startsWith('/dev/clock')) res.on('finish', () => void runAll().catch((err: unknown) => console.error('shudi: exchange run failed:', err)));
    d.server.emit('request', req, res);
  });
  await new Promise<void>((ok) => front.listen(o.port, o.host, () => ok()));
  const loop = setInterval(() => void runAll().catch((err: unknown) => console.error('shudi: a background run failed:', err)), o.tickMs);
  const stop = async () => {
    clearInterval(loop);
    await new Promise<void>((ok) => front.close(() => ok()));
    await db.stop();
    process.exit(0);
  };
  process.on('SIGINT', () => void stop());
  process.on('SIGTERM', () => void stop());
  console.log('');
  for (const d of districts) console.log(`${d.config.name.zh} ${d.config.name.en} (${d.config.exchange?.divisionCode ?? 'no division code'})  ${url}/${d.config.id}/   table ${d.rt.tableName}`);
  console.log(`\nSign in: curl -s -X POST ${url}/<district>/dev/login -H 'content-type: application/json' -d '{"staffId":"dm-<district>"}'`);
  console.log('Press Ctrl-C to stop.');
}
