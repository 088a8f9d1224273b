// A fixture API for looking at the dashboard without the real server: the contract of docs/api.md,
// answered from made-up cases over the Chuanhui territory (seeds/districts/chuanhui.json). It serves
// the built dashboard too, and signs staff in through the real local OpenID provider
// (dev/local/oidc-provider.ts, accounts from the seed file, password TEST_PASSWORD), whose access
// tokens it verifies as the local server does. Not a test of the API: screenshots and UI checks only.
//
//   npx tsx test/browser/support/mock-api.ts [port]     (after npm run build:dashboard)
import { readFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import { extname, join, normalize } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DevAuth } from '../../../dev/local/dev-auth';
import { createDevOidc, OIDC_MOUNT, type DevOidc } from '../../../dev/local/oidc-provider';
import type { StaffRole } from '../../../functions/domain/district-config';
import { TEST_PASSWORD } from './browser';

const repo = fileURLToPath(new URL('../../../', import.meta.url));
const dist = join(repo, 'functions/dashboard/dist');

interface Name { zh: string; en: string }
interface Seed {
  id: string;
  name: Name;
  streets: { id: string; name: Name; communities: { id: string; name: Name }[] }[];
  units: { id: string; name: Name; streetId: string }[];
  applications?: { code: string; name: Name }[];
  staff: { id: string; name: string; role: string; orgUnitId: string }[];
}

type Json = Record<string, unknown>;
interface MockCase extends Json {
  caseId: string;
  type: string;
  status: string;
  state: string;
  ownerOrgUnitId: string;
  queueOrgUnitId: string;
  level: string;
  dueDate: string;
  history: Json[];
  data: Json;
}

const DAY = 86_400_000;
const dateOf = (ms: number) => new Date(ms + 8 * 3600_000).toISOString().slice(0, 10);
const endOfDay = (date: string) => new Date(Date.parse(`${date}T00:00:00Z`) - 8 * 3600_000 + DAY - 1).toISOString();
const addDays = (date: string, n: number) => new Date(Date.parse(`${date}T00:00:00Z`) + n * DAY).toISOString().slice(0, 10);

export interface MockApi {
  url: string;
  /** Preferences changed through PATCH /staff/{id}/preferences, by staff id. */
  preferences?: Map<string, unknown>;
  server: Server;
  close: () => Promise<void>;
}

export async function startMockApi(port = 0, opts: { start?: string; dist?: string } = {}): Promise<MockApi> {
  const root = opts.dist ?? dist;
  const seed = JSON.parse(readFileSync(join(repo, 'seeds/districts/chuanhui.json'), 'utf8')) as Seed;
  let now = Date.parse(opts.start ?? '2026-06-15T02:00:00.000Z');
  const units = [
    { id: seed.id, kind: 'district', name: { 'zh-CN': seed.name.zh, en: seed.name.en }, parentId: null },
    ...seed.streets.flatMap((s) => [
      { id: s.id, kind: 'street', name: { 'zh-CN': s.name.zh, en: s.name.en }, parentId: seed.id },
      ...s.communities.map((c) => ({ id: c.id, kind: 'community', name: { 'zh-CN': c.name.zh, en: c.name.en }, parentId: s.id })),
    ]),
    ...seed.units.map((u) => ({ id: u.id, kind: 'unit', name: { 'zh-CN': u.name.zh, en: u.name.en }, parentId: u.streetId })),
  ];
  const parent = new Map(units.map((u) => [u.id, u.parentId]));
  const within = (id: string, anc: string): boolean => {
    for (let x: string | null | undefined = id; x; x = parent.get(x)) if (x === anc) return true;
    return false;
  };
  const streetOf = (id: string) => {
    for (let x: string | null | undefined = id; x; x = parent.get(x)) if (units.find((u) => u.id === x)?.kind === 'street') return x;
    return undefined;
  };

  // Made-up cases: in every community a few of each type, due dates spread around "now".
  const cases: MockCase[] = [];
  const communities = units.filter((u) => u.kind === 'community');
  const typeStates: Record<string, string> = { handover: 'awaiting_ack', follow_up: 'awaiting_outcome', health_check: 'awaiting_outcome', certificate_check: 'awaiting_outcome', unit_notice: 'awaiting_receipt', change_report: 'awaiting_filing' };
  let n = 0;
  const today0 = dateOf(now);
  communities.forEach((c, ci) => {
    const k = ci % 7;
    const offsets = [-45 + k, -12 - k, -3 - (k % 3), 0, 2 + k, 9 + k, 20 + k, -(k % 2) * 5];
    offsets.forEach((off, i) => {
      const type = Object.keys(typeStates)[(ci + i) % 6]!;
      const dueDate = addDays(today0, off);
      const created = Date.parse(`${addDays(dueDate, -30)}T02:00:00Z`);
      const unit = seed.units.find((u) => u.streetId === streetOf(c.id))?.id;
      const id = `${type === 'handover' ? 'ho' : type.slice(0, 2)}-${String(++n).padStart(4, '0')}`;
      const overdue = off < 0;
      const level = overdue ? 'street' : 'community';
      const queue = overdue ? streetOf(c.id)! : c.id;
      const data: Json =
        type === 'handover'
          ? { subjectClass: 'co_managed', communityId: c.id, unitId: unit ?? '', reason: ['resigned', 'dismissed', 'moved'][i % 3], separationDate: addDays(dueDate, -30), fromOrgUnitId: unit ?? '', fromKind: 'unit', rejections: 0 }
          : type === 'follow_up'
            ? { subjectClass: 'primary', communityId: c.id, trigger: 'service', eventDate: addDays(dueDate, -30), attempt: 1 }
            : type === 'certificate_check'
              ? { subjectClass: 'mobile', communityId: c.id, task: i % 2 ? 'verify' : 'apply', startDate: addDays(dueDate, -30) }
              : { subjectClass: 'mobile', communityId: c.id };
      const history: Json[] = [
        { seq: 1, at: new Date(created).toISOString(), actor: type === 'handover' && unit ? { kind: 'staff', staffId: `ul-${unit}` } : { kind: 'system', process: 'open-case' }, action: 'open', toState: typeStates[type], toQueueOrgUnitId: c.id, ...(type === 'handover' ? { reason: data.reason } : {}) },
      ];
      if (off < 10) history.push({ seq: 2, at: new Date(Date.parse(endOfDay(addDays(dueDate, -3))) - 14 * 3600_000).toISOString(), actor: { kind: 'system', process: 'sweeper' }, action: 'remind', fromState: typeStates[type], toState: typeStates[type], fromQueueOrgUnitId: c.id, toQueueOrgUnitId: c.id });
      if (overdue) {
        history.push({ seq: history.length + 1, at: new Date(Date.parse(endOfDay(dueDate)) + 1).toISOString(), actor: { kind: 'system', process: 'sweeper' }, action: 'overdue', fromState: typeStates[type], toState: 'overdue', fromQueueOrgUnitId: c.id, toQueueOrgUnitId: queue, reason: `due date ${dueDate} passed` });
        data.overdue = true;
        data.overdueSince = addDays(dueDate, 1);
      }
      cases.push({
        caseId: id,
        type,
        status: 'open',
        state: overdue ? 'overdue' : typeStates[type]!,
        subjectId: type === 'unit_notice' || type === 'change_report' ? null : `s-${String(1000 + n * 7).padStart(6, '0')}`,
        ownerOrgUnitId: c.id,
        queueOrgUnitId: queue,
        level,
        dueDate,
        provisional: dueDate >= '2027-01-01',
        createdAt: new Date(created).toISOString(),
        updatedAt: (history.at(-1)!.at as string),
        closedAt: null,
        parentCaseId: null,
        data,
        history,
      });
    });
  });

  const view = (c: MockCase, role: string, withHistory: boolean) => {
    const dueAt = endOfDay(c.dueDate);
    const overdue = c.status === 'open' && dueAt < new Date(now).toISOString();
    const daysOverdue = overdue ? Math.max(1, Math.round((Date.parse(dateOf(now)) - Date.parse(c.dueDate)) / DAY)) : 0;
    const allowed =
      c.status !== 'open' || role === 'unit_liaison'
        ? []
        : c.type === 'handover'
          ? ['acknowledge', 'reject', ...(c.level === 'street' ? ['reassign'] : []), 'escalate', 'cancel']
          : c.type === 'unit_notice'
            ? ['acknowledge', 'escalate', 'cancel']
            : ['record_outcome', 'escalate', 'cancel'];
    const { history, ...rest } = c;
    return { ...rest, dueAt, overdue, daysOverdue, allowedActions: allowed, ...(withHistory ? { history } : {}) };
  };

  const auth = await DevAuth.create({ districtId: seed.id, password: TEST_PASSWORD });
  let oidc: DevOidc | undefined;
  const staffOf = async (req: IncomingMessage) => {
    const token = (req.headers.authorization ?? '').replace(/^Bearer /, '');
    const claims = token ? await auth.verify(token).catch(() => undefined) : undefined;
    return claims ? seed.staff.find((s) => s.id === claims['custom:staffId']) : undefined;
  };

  const send = (res: ServerResponse, status: number, body: unknown, type = 'application/json') => {
    res.writeHead(status, { 'content-type': type });
    res.end(JSON.stringify(body));
  };
  const problem = (res: ServerResponse, status: number, kind: string, title: string, detail?: string, errors?: Json[]) =>
    send(res, status, { type: `https://shudi.dev/problems/${kind}`, title, status, ...(detail ? { detail } : {}), ...(errors ? { errors } : {}) }, 'application/problem+json');

  const readBody = async (req: IncomingMessage): Promise<Json> => {
    const chunks: Buffer[] = [];
    for await (const ch of req) chunks.push(ch as Buffer);
    const text = Buffer.concat(chunks).toString('utf8');
    return text ? (JSON.parse(text) as Json) : {};
  };

  // Reminders: preferences per staff member, made-up outbox messages (masked addresses), two undeliverable flags.
  const prefs = new Map<string, { channel: string; language: string; quietHours: { start: string; end: string } }>();
  const prefsOf = (id: string) => prefs.get(id) ?? { channel: 'sms', language: 'zh-CN', quietHours: { start: '21:00', end: '08:00' } };
  const outbox = seed.staff.slice(0, 6).flatMap((st, i) => {
    const at = new Date(now - (i + 1) * 3600_000).toISOString();
    const sms = { at, channel: 'sms', staffId: st.id, orgUnitId: st.orgUnitId, to: `+86139****${String(1000 + i).slice(-4)}`, kind: i === 0 ? 'handover.overdue' : 'digest.daily', language: 'zh-CN', text: `【属地】${dateOf(now)}待办：今日到期${i}件。详见http://localhost:3000/#/queue` };
    return i % 2 ? [sms, { ...sms, at: new Date(Date.parse(at) - 60_000).toISOString(), channel: 'email', to: `${st.id[0]}***@example.cn`, language: 'en', subject: '[shudi] daily digest', text: `[shudi] ${dateOf(now)}: ${i} due today.` }] : [sms];
  });
  const undeliverable = seed.staff
    .filter((st) => st.role === 'community_officer')
    .slice(0, 2)
    .map((st, i) => ({ staffId: st.id, role: st.role, orgUnitId: st.orgUnitId, channel: i ? 'email' : 'sms', reason: i ? 'email_bounced' : 'gateway_400:isv.MOBILE_NUMBER_ILLEGAL', at: new Date(now - 2 * DAY).toISOString(), to: i ? `${st.id[0]}***@example.cn` : '+86139****0006' }));

  const server = createServer(async (req, res) => {
    try {
      const url = new URL(req.url ?? '/', 'http://x');
      const path = url.pathname;
      const q = url.searchParams;
      if (oidc && path.startsWith(`${OIDC_MOUNT}/`)) return await oidc.handle(req, res);
      if (oidc && path === '/config.js') {
        res.writeHead(200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store' });
        return res.end(`window.SHUDI_CONFIG = ${JSON.stringify({ oidc: { issuer: oidc.issuer, clientId: oidc.clientId } })};\n`);
      }
      if (path === '/dev/clock' && req.method === 'GET') return send(res, 200, { now: new Date(now).toISOString() });
      if (path === '/dev/clock' && req.method === 'POST') {
        const b = await readBody(req);
        now += Number(b.advanceDays ?? 0) * DAY;
        return send(res, 200, { now: new Date(now).toISOString(), fired: 0 });
      }
      if (path === '/dev/outbox' && req.method === 'GET') {
        const limit = Number(q.get('limit') ?? 200);
        const items = outbox.filter((m) => (!q.get('staffId') || m.staffId === q.get('staffId')) && (!q.get('channel') || m.channel === q.get('channel')));
        return send(res, 200, { items: [...items].sort((a, b) => (a.at < b.at ? 1 : -1)).slice(0, limit) });
      }
      const apiPaths = ['/me', '/org-units', '/application-codes', '/queues/', '/cases/', '/reports/', '/staff/'];
      if (apiPaths.some((p) => path === p || path.startsWith(p))) {
        const me = await staffOf(req);
        if (!me) return problem(res, 401, 'unauthenticated', 'Not signed in');
        if (path === '/me') return send(res, 200, { staffId: me.id, role: me.role, orgUnitId: me.orgUnitId, district: seed.id, name: me.name, preferences: prefsOf(me.id) });
        const manager = me.role === 'district_manager' || me.role === 'street_manager';
        if (path === '/staff/undeliverable') {
          if (!manager) return problem(res, 403, 'forbidden', 'Forbidden', 'undeliverable addresses are for managers');
          return send(res, 200, { items: undeliverable.filter((u) => within(u.orgUnitId, q.get('orgUnitId') ?? me.orgUnitId)) });
        }
        const clearMatch = /^\/staff\/([^/]+)\/undeliverable\/clear$/.exec(path);
        if (clearMatch && req.method === 'POST') {
          const b = await readBody(req);
          const id = decodeURIComponent(clearMatch[1]!);
          if (!manager) return problem(res, 403, 'forbidden', 'Forbidden', 'undeliverable addresses are for managers');
          for (let i = undeliverable.length - 1; i >= 0; i--) if (undeliverable[i]!.staffId === id && (!b.channel || undeliverable[i]!.channel === b.channel)) undeliverable.splice(i, 1);
          return send(res, 200, { staffId: id, undeliverable: undeliverable.filter((u) => u.staffId === id) });
        }
        const prefMatch = /^\/staff\/([^/]+)\/preferences$/.exec(path);
        if (prefMatch && req.method === 'PATCH') {
          const id = decodeURIComponent(prefMatch[1]!);
          const b = await readBody(req);
          if (id !== me.id && !manager) return problem(res, 403, 'forbidden', 'Forbidden', 'preferences are for herself and her managers');
          const qh = b.quietHours as { start?: string; end?: string } | undefined;
          const bad = ['start', 'end'].filter((k) => qh && !/^([01]\d|2[0-3]):[0-5]\d$/.test(String(qh[k as 'start'] ?? '')));
          if (bad.length) return problem(res, 400, 'validation', 'The request is not valid', `${bad.length} field(s) not valid`, bad.map((k) => ({ path: `body.quietHours.${k}`, message: 'a time of day is HH:MM' })));
          const next = { ...prefsOf(id), ...(b.channel ? { channel: String(b.channel) } : {}), ...(b.language ? { language: String(b.language) } : {}), ...(qh ? { quietHours: { start: qh.start!, end: qh.end! } } : {}) };
          prefs.set(id, next);
          return send(res, 200, { staffId: id, ...next });
        }
        if (path === '/org-units') return send(res, 200, { items: units });
        if (path === '/application-codes') return send(res, 200, { items: (seed.applications ?? []).map((a) => ({ code: a.code, name: { 'zh-CN': a.name.zh, en: a.name.en } })) });
        const queueMatch = /^\/queues\/([^/]+)$/.exec(path);
        if (queueMatch) {
          const org = decodeURIComponent(queueMatch[1]!);
          if (!within(org, me.orgUnitId) && !within(me.orgUnitId, org)) return problem(res, 403, 'forbidden', 'Forbidden', `you may not see the queue of ${org}`);
          let list = cases.filter((c) => (q.get('include') === 'descendants' ? within(c.ownerOrgUnitId, org) : c.queueOrgUnitId === org));
          list = list.filter((c) => c.status === (q.get('status') ?? 'open'));
          if (q.get('type')) list = list.filter((c) => c.type === q.get('type'));
          let views = list.map((c) => view(c, me.role, false));
          if (q.get('overdue') === 'true') views = views.filter((v) => v.overdue);
          views.sort((a, b) => (a.dueAt < b.dueAt ? -1 : a.dueAt > b.dueAt ? 1 : a.caseId.localeCompare(b.caseId)));
          const limit = Number(q.get('limit') ?? 50);
          const start = Number(q.get('cursor') ?? 0);
          const page = views.slice(start, start + limit);
          return send(res, 200, { items: page, ...(start + limit < views.length ? { cursor: String(start + limit) } : {}) });
        }
        const caseMatch = /^\/cases\/([^/]+)(\/actions)?$/.exec(path);
        if (caseMatch) {
          const c = cases.find((x) => x.caseId === decodeURIComponent(caseMatch[1]!));
          if (!c) return problem(res, 404, 'not-found', 'Not found', 'no such case');
          if (!caseMatch[2]) return send(res, 200, view(c, me.role, true));
          const b = await readBody(req);
          if (!req.headers['idempotency-key']) return problem(res, 400, 'validation', 'The request is not valid', 'the Idempotency-Key header is required');
          const v = view(c, me.role, false);
          if (!v.allowedActions.includes(String(b.action))) return problem(res, 409, 'conflict', 'Conflict', `${String(b.action)} is not allowed: the case is ${c.state}`);
          if ((b.action === 'reject' || b.action === 'cancel') && !String(b.reason ?? '').trim())
            return problem(res, 400, 'validation', 'The request is not valid', '1 field is not valid', [{ path: 'body.reason', message: 'a reason is required' }]);
          if (b.action === 'record_outcome' && String(b.date) > dateOf(now))
            return problem(res, 400, 'validation', 'The request is not valid', '1 field is not valid', [{ path: 'body.date', message: `the outcome date ${String(b.date)} is in the future` }]);
          const from = c.queueOrgUnitId;
          const fromState = c.state;
          if (b.action === 'acknowledge') Object.assign(c, { status: 'done', state: c.type === 'unit_notice' ? 'received' : 'acknowledged', closedAt: new Date(now).toISOString() });
          if (b.action === 'record_outcome') Object.assign(c, { status: 'done', state: b.outcome, closedAt: new Date(now).toISOString() });
          if (b.action === 'cancel') Object.assign(c, { status: 'cancelled', state: 'cancelled', closedAt: new Date(now).toISOString() });
          if (b.action === 'reject') Object.assign(c, { state: 'rerouting', level: 'street', queueOrgUnitId: streetOf(c.ownerOrgUnitId) });
          if (b.action === 'reassign') Object.assign(c, { state: 'awaiting_ack', level: 'community', ownerOrgUnitId: b.toOrgUnitId, queueOrgUnitId: b.toOrgUnitId });
          if (b.action === 'escalate') Object.assign(c, { state: 'escalated', level: c.level === 'street' ? 'district' : 'street', queueOrgUnitId: c.level === 'street' ? seed.id : streetOf(c.ownerOrgUnitId) });
          c.history.push({ seq: c.history.length + 1, at: new Date(now).toISOString(), actor: { kind: 'staff', staffId: me.id }, action: b.action, fromState, toState: c.state, fromQueueOrgUnitId: from, toQueueOrgUnitId: c.queueOrgUnitId, ...(b.reason ? { reason: b.reason } : {}) });
          c.updatedAt = new Date(now).toISOString();
          return send(res, 200, view(c, me.role, false));
        }
        if (path === '/reports/overdue-handovers') {
          const org = q.get('orgUnitId') ?? me.orgUnitId;
          const kids = units.filter((u) => u.parentId === org);
          const children = (kids.length ? kids : units.filter((u) => u.id === org)).map((k) => {
            const vs = cases.filter((c) => c.type === 'handover' && within(c.ownerOrgUnitId, k.id)).map((c) => view(c, me.role, false)).filter((v) => v.overdue);
            const buckets = { '1-7': 0, '8-30': 0, '31+': 0 };
            for (const v of vs) buckets[v.daysOverdue <= 7 ? '1-7' : v.daysOverdue <= 30 ? '8-30' : '31+']++;
            return { orgUnitId: k.id, total: vs.length, buckets };
          });
          const items = cases.filter((c) => c.type === 'handover' && within(c.ownerOrgUnitId, org)).map((c) => view(c, me.role, false)).filter((v) => v.overdue);
          return send(res, 200, { orgUnitId: org, asOf: new Date(now).toISOString(), children, items });
        }
        if (path === '/reports/on-time') {
          const org = q.get('orgUnitId') ?? me.orgUnitId;
          const from = q.get('from') ?? '';
          const seedN = [...from].reduce((a, ch) => a + ch.charCodeAt(0), 0) + org.length;
          const kids = units.filter((u) => u.parentId === org && u.kind !== 'unit');
          const rows = (from > dateOf(now) ? [] : kids.length ? kids : units.filter((u) => u.id === org)).flatMap((k, i) => {
            const closed = 8 + ((seedN + i * 3) % 9);
            const onTime = Math.max(0, closed - ((seedN + i) % 4));
            return [{ orgUnitId: k.id, type: 'handover', closed, onTime, rate: onTime / closed, cancelled: 0 }];
          });
          return send(res, 200, { orgUnitId: org, from, to: q.get('to'), rows });
        }
        if (path === '/reports/late-reporting') {
          const org = q.get('orgUnitId') ?? me.orgUnitId;
          return send(res, 200, { orgUnitId: org, from: q.get('from'), to: q.get('to'), reporters: [], streets: [] });
        }
        return problem(res, 404, 'not-found', 'Not found', `no route ${path}`);
      }
      // The dashboard.
      const rel = normalize(path === '/' ? '/index.html' : path).replace(/^(\.\.[/\\])+/, '');
      try {
        const body = await readFile(join(root, rel));
        const types: Record<string, string> = { '.html': 'text/html; charset=utf-8', '.js': 'text/javascript', '.css': 'text/css', '.map': 'application/json', '.svg': 'image/svg+xml' };
        res.writeHead(200, { 'content-type': types[extname(rel)] ?? 'application/octet-stream' });
        res.end(body);
      } catch {
        problem(res, 404, 'not-found', 'Not found', `no route ${path}`);
      }
    } catch (e) {
      problem(res, 500, 'internal', 'Internal error', e instanceof Error ? e.message : String(e));
    }
  });
  await new Promise<void>((resolve) => server.listen(port, '127.0.0.1', resolve));
  const addr = server.address();
  const url = `http://127.0.0.1:${typeof addr === 'object' && addr ? addr.port : port}`;
  oidc = await createDevOidc({
    issuer: `${url}${OIDC_MOUNT}`,
    auth,
    findStaff: async (id) => {
      const s = seed.staff.find((x) => x.id === id);
      return s ? { staffId: s.id, orgUnitId: s.orgUnitId, role: s.role as StaffRole } : undefined;
    },
    redirectUris: [`${url}/`],
  });
  auth.useIssuer(oidc.issuer);
  return { url, server, preferences: prefs, close: () => new Promise<void>((r) => server.close(() => r())) };
}

if (process.argv[1] && fileURLToPath(import.meta.url) === process.argv[1]) {
  const m = await startMockApi(Number(process.argv[2] ?? 3100));
  console.log(`mock API and dashboard on ${m.url} (sign in with any Chuanhui staff id and the password ${TEST_PASSWORD})`);
}
