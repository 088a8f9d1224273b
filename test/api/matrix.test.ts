// A generated authorization matrix, in three parts, with its cell count printed:
// 1. every endpoint × every role × every org relation (own org unit, a child, a sibling, the parent,
//    another district's id), plus every endpoint without a token and with an expired, forged,
//    other-district or inconsistent one;
// 2. every staff action × case type × case-visibility branch × role and org unit (nine staff members
//    of both streets), and reading each case;
// 3. imports of existing subjects in and out of the caller's scope, and of new ones, by every role.
// The expected answer of each cell comes from docs/api.md "Who sees what", written out here
// independently of the implementation: out of scope answers 404 exactly like a missing id. Every
// refused cell writes nothing but one `refused` audit entry naming the caller, the route and the
// status; every answer that carries subject ids writes an audit entry naming exactly those ids.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEvent } from '../../functions/api/app';
import { businessInstant } from '../../functions/domain/time';
import { DevAuth } from '../../dev/local/dev-auth';
import { startApiServer, type ApiServer, type Reply } from './support';

const START = businessInstant('2026-03-02', '10:00');
let s: ApiServer;

// The tiny district: tiny → east (east-a, east-b, unit east-school), west (west-a, unit west-mill).
const parentOf: Record<string, string | undefined> = { tiny: undefined, east: 'tiny', west: 'tiny', 'east-a': 'east', 'east-b': 'east', 'east-school': 'east', 'west-a': 'west', 'west-mill': 'west' };
const within = (id: string, ancestor: string): boolean => id === ancestor || (parentOf[id] !== undefined && within(parentOf[id]!, ancestor));
const leaves = ['east-a', 'east-b', 'west-a', 'east-school', 'west-mill'];
const OTHER = 'xinhua'; // an org unit of another district (Chuanhui)

interface Caller {
  staffId: string;
  role: string;
  org: string;
  relations: Partial<Record<'own' | 'child' | 'sibling' | 'parent' | 'other', string>>;
}
const callers: Caller[] = [
  { staffId: 'dm-tiny', role: 'district_manager', org: 'tiny', relations: { own: 'tiny', child: 'east', other: OTHER } },
  { staffId: 'sm-east', role: 'street_manager', org: 'east', relations: { own: 'east', child: 'east-a', sibling: 'west', parent: 'tiny', other: OTHER } },
  { staffId: 'so-east-1', role: 'street_officer', org: 'east', relations: { own: 'east', child: 'east-a', sibling: 'west', parent: 'tiny', other: OTHER } },
  { staffId: 'co-east-a-1', role: 'community_officer', org: 'east-a', relations: { own: 'east-a', sibling: 'east-b', parent: 'east', other: OTHER } },
  { staffId: 'ul-east-school', role: 'unit_liaison', org: 'east-school', relations: { own: 'east-school', sibling: 'east-a', parent: 'east', other: OTHER } },
];

/** A community or unit beneath `target` (itself if it is one): inside the caller's scope if the target is, outside it otherwise. */
function leafFor(target: string, caller: Caller): string {
  const inside = within(target, caller.org);
  const l = leaves.find((x) => within(x, target) && within(x, caller.org) === inside);
  if (!l) throw new Error(`no leaf under ${target} for ${caller.staffId}`);
  return l;
}

// Per leaf: a subject managed there (for opening a case) and an open case owned there.
const subjectAt: Record<string, { body: Record<string, unknown> }> = {
  'east-a': { body: { type: 'follow_up', subjectId: 's-000001', trigger: 'manual', eventDate: '2026-03-01' } },
  'east-b': { body: { type: 'follow_up', subjectId: 's-000010', trigger: 'manual', eventDate: '2026-03-01' } },
  'west-a': { body: { type: 'follow_up', subjectId: 's-000012', trigger: 'manual', eventDate: '2026-03-01' } },
  'east-school': { body: { type: 'handover', subjectId: 's-000004', reason: 'resigned', effectiveDate: '2026-03-01', fromUnitId: 'east-school' } },
  'west-mill': { body: { type: 'handover', subjectId: 's-000007', reason: 'resigned', effectiveDate: '2026-03-01', fromUnitId: 'west-mill' } },
};
const caseAt: Record<string, { caseId: string; outcome: string }> = {};
const importRow = (leaf: string, n: number) =>
  leaf === OTHER
    ? { subjectId: `m-${n}`, class: 'primary', communityId: OTHER, registeredOn: '2026-01-01' }
    : leaf.endsWith('school') || leaf.endsWith('mill')
      ? { subjectId: `m-${n}`, class: 'co_managed', communityId: leaf === 'east-school' ? 'east-a' : 'west-a', unitId: leaf, registeredOn: '2026-01-01' }
      : { subjectId: `m-${n}`, class: 'primary', communityId: leaf, registeredOn: '2026-01-01' };

type Expect = number | 'accepted' | 'rejected';
interface Cell {
  endpoint: string;
  who: string;
  relation: string;
  expected: Expect;
  send: (token: string | undefined) => Promise<Reply>;
}

let n = 0;
function cellsFor(caller: Caller, relation: string, target: string): Cell[] {
  const other = target === OTHER;
  const inside = !other && within(target, caller.org);
  const scoped: Expect = inside ? 200 : 404;
  const leaf = other ? OTHER : leafFor(target, caller);
  const leafInside = !other && within(leaf, caller.org);
  const c = (endpoint: string, expected: Expect, send: Cell['send']): Cell => ({ endpoint, who: caller.staffId, relation, expected, send });
  const tomorrow = '2026-03-03';
  const cells: Cell[] = [
    c('GET /queues/{orgUnitId}', scoped, (t) => s.call('GET', `/queues/${target}`, { token: t })),
    c('GET /queues/{orgUnitId}?include=descendants', scoped, (t) => s.call('GET', `/queues/${target}?include=descendants&type=follow_up`, { token: t })),
    c('GET /subjects', scoped, (t) => s.call('GET', `/subjects?orgUnitId=${target}`, { token: t })),
    c('GET /reports/overdue-handovers', scoped, (t) => s.call('GET', `/reports/overdue-handovers?orgUnitId=${target}`, { token: t })),
    c('GET /reports/on-time', scoped, (t) => s.call('GET', `/reports/on-time?orgUnitId=${target}&from=2026-01-01&to=2026-03-31`, { token: t })),
    c('GET /reports/late-reporting', scoped, (t) => s.call('GET', `/reports/late-reporting?orgUnitId=${target}&from=2026-01-01&to=2026-03-31`, { token: t })),
    c('GET /cases/{caseId}', leafInside ? 200 : 404, (t) => s.call('GET', `/cases/${other ? 'fu-from-another-district' : caseAt[leaf]!.caseId}`, { token: t })),
    // A well-formed outcome dated tomorrow: a caller allowed to act gets the domain's 400 (and nothing is written).
    c('POST /cases/{caseId}/actions', leafInside ? 400 : 404, (t) =>
      s.call('POST', `/cases/${other ? 'fu-from-another-district' : caseAt[leaf]!.caseId}/actions`, { token: t, body: { action: 'record_outcome', outcome: other ? 'visited' : caseAt[leaf]!.outcome, date: tomorrow } }),
    ),
    c('POST /cases', leafInside ? 201 : 404, (t) =>
      s.call('POST', '/cases', { token: t, body: other ? { ...subjectAt['east-a']!.body, subjectId: 's-from-another-district' } : subjectAt[leaf]!.body, headers: { 'idempotency-key': `m-${++n}` } }),
    ),
  ];
  // Staff endpoints: the staff member working at the leaf; managers over her (district: all; street: her street).
  const staffAt = other ? 'co-from-another-district' : leaf.endsWith('school') || leaf.endsWith('mill') ? `ul-${leaf}` : `co-${leaf}-1`;
  const manager = caller.role === 'district_manager' || caller.role === 'street_manager';
  const self = staffAt === caller.staffId;
  cells.push(
    c('GET /staff/undeliverable', manager ? scoped : 403, (t) => s.call('GET', `/staff/undeliverable?orgUnitId=${target}`, { token: t })),
    c('POST /staff/{staffId}/undeliverable/clear', !manager ? 403 : leafInside ? 200 : 404, (t) =>
      s.call('POST', `/staff/${staffAt}/undeliverable/clear`, { token: t, body: { channel: 'email' } }),
    ),
    c('PATCH /staff/{staffId}/preferences', self || (manager && leafInside) ? 200 : 404, (t) =>
      s.call('PATCH', `/staff/${staffAt}/preferences`, { token: t, body: { quietHours: { start: '21:00', end: '08:00' } } }),
    ),
  );
  const row = importRow(leaf, ++n);
  // A new subject id: the district adds it; a street manager may write only subjects already managed within her street.
  const importExpect: Expect = caller.role === 'district_manager' ? (other ? 'rejected' : 'accepted') : caller.role === 'street_manager' ? 'rejected' : 403;
  cells.push(c('POST /imports/subjects', importExpect, (t) => s.call('POST', '/imports/subjects', { token: t, body: [row] })));
  return cells;
}

function callerCells(caller: Caller): Cell[] {
  const c = (endpoint: string, expected: Expect, send: Cell['send']): Cell => ({ endpoint, who: caller.staffId, relation: '-', expected, send });
  const dm = caller.role === 'district_manager';
  return [
    c('GET /health', 200, (t) => s.call('GET', '/health', { token: t })),
    c('GET /openapi.json', 200, (t) => s.call('GET', '/openapi.json', { token: t })),
    c('GET /me', 200, (t) => s.call('GET', '/me', { token: t })),
    c('GET /org-units', 200, (t) => s.call('GET', '/org-units', { token: t })),
    c('GET /application-codes', 200, (t) => s.call('GET', '/application-codes', { token: t })),
    c('GET /audit', dm ? 200 : 403, (t) => s.call('GET', '/audit', { token: t })),
    c('POST /imports/staff', dm ? 'accepted' : 403, (t) => s.call('POST', '/imports/staff', { token: t, body: [] })),
    c('GET /staff/undeliverable (own org unit)', caller.role === 'district_manager' || caller.role === 'street_manager' ? 200 : 403, (t) => s.call('GET', '/staff/undeliverable', { token: t })),
    c('PATCH /staff/{staffId}/preferences (herself)', 200, (t) => s.call('PATCH', `/staff/${caller.staffId}/preferences`, { token: t, body: { language: 'zh-CN' } })),
  ];
}

function outcomeOf(r: Reply, expected: Expect): Expect {
  if (expected === 'accepted' || expected === 'rejected') {
    if (r.status !== 200) return r.status;
    return r.body.accepted === 1 || (r.body.accepted === 0 && r.body.rejected.length === 0) ? 'accepted' : 'rejected';
  }
  return r.status;
}

/** Cells per part, printed as the total when the last part ran. */
const counted = { endpoints: 0, actions: 0, imports: 0, mismatches: 0 };
const callerOf = (staffId: string) => callers.find((c) => c.staffId === staffId);

/**
 * Sends one cell and checks its answer and what it wrote: a refusal is problem+json, leaves every
 * item but the audit log as it was and writes one `refused` entry (with the caller once she is
 * known); an answer carrying subject ids writes an entry naming exactly those ids.
 */
async function runCell(cell: Cell, token: string | undefined, mismatches: string[]): Promise<Reply> {
  const refused = typeof cell.expected === 'number' && cell.expected >= 400;
  const before = refused ? await s.countItems('data') : 0;
  const r = await cell.send(token);
  const got = outcomeOf(r, cell.expected);
  const where = `${cell.endpoint} as ${cell.who} (${cell.relation})`;
  if (got !== cell.expected) {
    mismatches.push(`${where}: expected ${cell.expected}, got ${got} ${r.text.slice(0, 160)}`);
    return r;
  }
  const entries = await s.auditOf(r.headers.get('x-request-id'));
  if (refused) {
    if (!/^application\/problem\+json/.test(r.headers.get('content-type') ?? '')) mismatches.push(`${where}: not problem+json`);
    const after = await s.countItems('data');
    if (after !== before) mismatches.push(`${where}: refused with ${r.status} but wrote ${after - before} items`);
    // A 401 of the local server's own token check never reaches the API (as API Gateway's authorizer on AWS).
    const expected = r.status === 401 ? entries.length : 1;
    const ok = entries.length === expected && entries.every((e) => e.action === 'refused' && e.status === r.status && (r.status === 401 ? e.staffId === undefined : e.staffId === cell.who));
    if (!ok) mismatches.push(`${where}: refused with ${r.status}, audit ${JSON.stringify(entries).slice(0, 200)}`);
  } else {
    const carried = new Set<string>();
    JSON.stringify(r.body ?? null, (k, v) => {
      if (k === 'subjectId' && typeof v === 'string') carried.add(v);
      if (k === 'subjectIds' && Array.isArray(v)) v.forEach((x) => carried.add(String(x)));
      return v;
    });
    const named = new Set(entries.flatMap((e) => (e.subjectIds ?? []) as string[]));
    if (carried.size > 0 && (entries.length !== 1 || [...carried].some((x) => !named.has(x)) || named.size !== carried.size))
      mismatches.push(`${where}: carried ${[...carried].join(',')}, audit ${JSON.stringify(entries).slice(0, 200)}`);
    if (carried.size === 0 && entries.some((e) => e.action === 'refused')) mismatches.push(`${where}: answered ${r.status} but audited as refused`);
  }
  return r;
}

beforeAll(async () => {
  s = await startApiServer(START);
  // One open case owned by each community (a follow-up) and each unit (a co_managed subject's health check).
  const open = async (staffId: string, body: Record<string, unknown>) => {
    const r = await s.call('POST', '/cases', { token: await s.token(staffId), body });
    if (r.status !== 201) throw new Error(r.text);
    return r.body.caseId as string;
  };
  caseAt['east-a'] = { caseId: await open('co-east-a-1', { type: 'follow_up', subjectId: 's-000011', trigger: 'service', eventDate: '2026-03-01' }), outcome: 'visited' };
  caseAt['east-b'] = { caseId: await open('co-east-b-1', { type: 'follow_up', subjectId: 's-000008', trigger: 'service', eventDate: '2026-03-01' }), outcome: 'visited' };
  caseAt['west-a'] = { caseId: await open('co-west-a-1', { type: 'follow_up', subjectId: 's-000003', trigger: 'service', eventDate: '2026-03-01' }), outcome: 'visited' };
  caseAt['east-school'] = { caseId: await open('ul-east-school', { type: 'health_check', subjectId: 's-000006' }), outcome: 'attended' };
  caseAt['west-mill'] = { caseId: await open('ul-west-mill', { type: 'health_check', subjectId: 's-000009' }), outcome: 'attended' };
});
afterAll(async () => {
  await s?.close();
});

describe('authorization matrix', () => {
  it('every endpoint × role × org relation, and every bad token: zero mismatches, and refusals write nothing but their audit entry', { timeout: 600_000 }, async () => {
    const cells: Cell[] = [];
    for (const caller of callers) {
      cells.push(...callerCells(caller));
      for (const [relation, target] of Object.entries(caller.relations)) cells.push(...cellsFor(caller, relation, target!));
    }

    // Every endpoint again without a valid token (the district manager's cells, so only the token differs).
    const dm = callers[0]!;
    const dmCells = [...callerCells(dm), ...cellsFor(dm, 'own', 'tiny')];
    const now = Math.floor(Date.now() / 1000);
    const dmClaims = DevAuth.claimsOf({ staffId: 'dm-tiny', orgUnitId: 'tiny', role: 'district_manager' }, 'tiny');
    const forger = await DevAuth.create({ districtId: 'tiny' });
    const badTokens: Record<string, string | undefined> = {
      'no token': undefined,
      expired: await s.tokenFor(dmClaims, { issuedAt: now - 13 * 3600, ttlSeconds: 12 * 3600 }),
      forged: (await forger.issue(dmClaims)).token,
      'other district': await s.tokenFor(DevAuth.claimsOf({ staffId: 'dm-chuanhui', orgUnitId: 'chuanhui', role: 'district_manager' }, 'chuanhui')),
      'role not of its org unit': await s.tokenFor({ ...dmClaims, 'custom:staffId': 'co-east-a-1', 'custom:orgUnitId': 'east-a' }),
      'unknown staff': await s.tokenFor({ ...dmClaims, 'custom:staffId': 'dm-nobody' }),
    };
    const tokenCells: (Cell & { token: string | undefined })[] = [];
    for (const [variant, token] of Object.entries(badTokens)) {
      for (const cell of dmCells) {
        const isPublic = cell.endpoint === 'GET /health' || cell.endpoint === 'GET /openapi.json';
        tokenCells.push({ ...cell, who: variant, relation: '-', expected: isPublic ? 200 : 401, token });
      }
    }

    const mismatches: string[] = [];
    const tokens = new Map<string, string>();
    for (const caller of callers) tokens.set(caller.staffId, await s.token(caller.staffId));
    const all = [...cells.map((c) => ({ ...c, token: tokens.get(c.who) })), ...tokenCells];
    for (const cell of all) await runCell(cell, cell.token, mismatches);

    // The Lambda's own check of the claims API Gateway passes (a valid Cognito token of another district).
    const direct = await s.api.handler({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/me',
      rawQueryString: '',
      headers: {},
      requestContext: { requestId: 'm-direct', http: { method: 'GET', path: '/me' }, stage: '$default', authorizer: { jwt: { claims: DevAuth.claimsOf({ staffId: 'dm-tiny', orgUnitId: 'tiny', role: 'district_manager' }, 'chuanhui'), scopes: null } } },
      isBase64Encoded: false,
    } as unknown as ApiEvent);
    if (direct.statusCode !== 401) mismatches.push(`Lambda with another district's claims: expected 401, got ${direct.statusCode}`);

    const size = all.length + 1;
    const endpoints = new Set(all.map((c) => c.endpoint)).size;
    counted.endpoints = size;
    counted.mismatches += mismatches.length;
    console.log(`authorization matrix, endpoints: ${size} cells (${endpoints} endpoints × ${callers.length} roles × org relations, + ${Object.keys(badTokens).length} bad-token variants + 1 direct Lambda call), ${mismatches.length} mismatches`);
    for (const m of mismatches) console.log(`  MISMATCH ${m}`);
    expect(mismatches).toEqual([]);
    expect(size).toBeGreaterThan(200);
  });
});

// ---------------------------------------------------------------------------------------------
// 2. Staff actions × case types × visibility branches × roles and org units

/** Nine staff members: every role, both streets, communities and units. */
const actors = [
  { staffId: 'dm-tiny', org: 'tiny' },
  { staffId: 'sm-east', org: 'east' },
  { staffId: 'so-east-1', org: 'east' },
  { staffId: 'sm-west', org: 'west' },
  { staffId: 'co-east-a-1', org: 'east-a' },
  { staffId: 'co-east-b-1', org: 'east-b' },
  { staffId: 'co-west-a-1', org: 'west-a' },
  { staffId: 'ul-east-school', org: 'east-school' },
  { staffId: 'ul-west-mill', org: 'west-mill' },
];
const kindOf = (org: string) => (org === 'tiny' ? 'district' : org === 'east' || org === 'west' ? 'street' : org.endsWith('school') || org.endsWith('mill') ? 'unit' : 'community');
const streetOf = (org: string): string | undefined => (kindOf(org) === 'street' ? org : parentOf[org] && streetOf(parentOf[org]!));

type StaffAction = 'acknowledge' | 'reject' | 'reassign' | 'record_outcome' | 'escalate' | 'cancel';
const staffActions: StaffAction[] = ['acknowledge', 'reject', 'reassign', 'record_outcome', 'escalate', 'cancel'];

/** What the matrix needs to know of a case: where it is (read from the case as opened) and what its scenario says. */
interface CaseFacts {
  caseId: string;
  type: string;
  subjectId: string | null;
  owner: string;
  queue: string;
  level: string;
  from?: string;
  toCommunity?: string;
  hcCommunity?: string;
}

/** docs/api.md "Who sees what", written out. */
function sees(org: string, c: CaseFacts): boolean {
  switch (kindOf(org)) {
    case 'district':
      return true;
    case 'street':
      return streetOf(c.owner) === org || c.queue === org || within(c.owner, org) || (!!c.from && within(c.from, org));
    case 'community':
      return c.owner === org || c.queue === org || c.from === org || c.toCommunity === org || c.hcCommunity === org;
    default:
      return c.owner === org || c.queue === org || c.from === org;
  }
}

/** docs/api.md "Seeing a case is not acting on it", written out. */
function mayTake(org: string, action: StaffAction, c: CaseFacts): boolean {
  switch (action) {
    case 'acknowledge':
      return c.type === 'unit_notice' ? org === c.toCommunity : org === c.owner;
    case 'reject':
      return org === c.owner;
    case 'reassign':
      return kindOf(org) === 'district' || (c.level === 'street' && org === c.queue);
    case 'record_outcome':
      return within(c.owner, org) || (c.type === 'health_check' && org === c.hcCommunity);
    case 'escalate':
      return within(c.queue, org);
    case 'cancel':
      return within(c.owner, org);
  }
}

const outcomeFor: Record<string, string> = { follow_up: 'visited', health_check: 'attended', certificate_check: 'valid', change_report: 'filed' };
function actionBody(action: StaffAction, c: CaseFacts): Record<string, unknown> {
  switch (action) {
    case 'reject':
      return { action, reason: 'not ours' };
    case 'reassign':
      return { action, toOrgUnitId: 'east-b' };
    case 'record_outcome':
      return { action, outcome: outcomeFor[c.type] ?? 'visited', date: '2026-03-02' };
    case 'cancel':
      return { action, reason: 'matrix' };
    default:
      return { action };
  }
}

interface Scenario {
  name: string;
  /** The visibility branch it exercises. */
  branch: string;
  /** Actions its type, state and level allow (docs/workflows.md), before who acts. */
  allows: StaffAction[];
  make: (n: number) => Promise<CaseFacts>;
}

let serial = 0;
/** A subject of its own for each case (an acknowledged handover changes her community). */
async function freshSubject(cls: 'primary' | 'co_managed' | 'mobile', communityId: string, unitId?: string): Promise<string> {
  const subjectId = `mx-${String(++serial).padStart(5, '0')}`;
  const r = await s.call('POST', '/imports/subjects', { token: await s.token('dm-tiny'), body: [{ subjectId, class: cls, communityId, ...(unitId ? { unitId } : {}), registeredOn: '2025-01-01' }] });
  if (r.body?.accepted !== 1) throw new Error(r.text);
  return subjectId;
}

const staffActor = (staffId: string) => ({ kind: 'staff' as const, staffId });
async function opened(input: Record<string, unknown>, by: string, then?: { action: Record<string, unknown>; by: string; org: string }): Promise<CaseFacts> {
  const { service } = s.rt;
  const subject = typeof input.subjectId === 'string' ? { subject: await service.subjectRef(input.subjectId) } : {};
  const { subjectId: _s, ...rest } = input;
  let c = (await service.open({ ...rest, ...subject } as never, staffActor(by))).case;
  if (then) c = (await service.act(c.caseId, then.action, staffActor(then.by), `mx-${++serial}`, then.org)).case;
  const data = c.data as Record<string, unknown>;
  return {
    caseId: c.caseId,
    type: c.type,
    subjectId: c.subjectId ?? null,
    owner: c.ownerOrgUnitId,
    queue: c.queueOrgUnitId,
    level: c.level,
    ...(c.type === 'handover' && typeof data.fromOrgUnitId === 'string' ? { from: data.fromOrgUnitId } : {}),
    ...(c.type === 'unit_notice' ? { toCommunity: String(data.toCommunityId) } : {}),
    ...(c.type === 'health_check' && typeof data.communityId === 'string' ? { hcCommunity: data.communityId } : {}),
  };
}

const scenarios: Scenario[] = [
  {
    name: 'follow_up at its community',
    branch: 'owner',
    allows: ['record_outcome', 'escalate', 'cancel'],
    make: async () => opened({ type: 'follow_up', caseId: `mx-fu-${++serial}`, subjectId: await freshSubject('primary', 'east-a'), trigger: 'manual', eventDate: '2026-03-01' }, 'co-east-a-1'),
  },
  {
    name: 'follow_up escalated to the street',
    branch: 'queued at the street',
    allows: ['record_outcome', 'escalate', 'cancel'],
    make: async () =>
      opened({ type: 'follow_up', caseId: `mx-fue-${++serial}`, subjectId: await freshSubject('primary', 'west-a'), trigger: 'manual', eventDate: '2026-03-01' }, 'co-west-a-1', {
        action: { action: 'escalate' },
        by: 'co-west-a-1',
        org: 'west-a',
      }),
  },
  {
    name: 'health_check of a co_managed resident, held by her unit',
    branch: 'unit owner; her community',
    allows: ['record_outcome', 'escalate', 'cancel'],
    make: async () => opened({ type: 'health_check', subjectId: await freshSubject('co_managed', 'east-b', 'east-school') }, 'ul-east-school'),
  },
  {
    name: 'handover from a unit, awaiting acknowledgement',
    branch: 'sent by the unit',
    allows: ['acknowledge', 'reject', 'escalate', 'cancel'],
    make: async () => {
      const subjectId = await freshSubject('co_managed', 'east-a', 'east-school');
      return opened({ type: 'handover', caseId: `mx-ho-${++serial}`, subjectId, reason: 'resigned', separationDate: '2026-03-01' }, 'ul-east-school');
    },
  },
  {
    name: 'handover moving to another street',
    branch: 'sent from the community and street',
    allows: ['acknowledge', 'reject', 'escalate', 'cancel'],
    make: async () => {
      const subjectId = await freshSubject('primary', 'east-b');
      return opened({ type: 'handover', caseId: `mx-mv-${++serial}`, subjectId, reason: 'moved', separationDate: '2026-03-01', toCommunityId: 'west-a' }, 'co-east-b-1');
    },
  },
  {
    name: 'handover rejected, with the street for re-routing',
    branch: 'queued at the street (re-routing)',
    allows: ['reassign', 'escalate', 'cancel'],
    make: async () => {
      const subjectId = await freshSubject('co_managed', 'east-a', 'east-school');
      return opened({ type: 'handover', caseId: `mx-rr-${++serial}`, subjectId, reason: 'dismissed', separationDate: '2026-03-01' }, 'ul-east-school', {
        action: { action: 'reject', reason: 'not resident here' },
        by: 'co-east-a-1',
        org: 'east-a',
      });
    },
  },
  {
    name: 'certificate_check of a mobile subject',
    branch: 'owner',
    allows: ['record_outcome', 'escalate', 'cancel'],
    make: async () => opened({ type: 'certificate_check', caseId: `mx-cc-${++serial}`, subjectId: await freshSubject('mobile', 'west-a'), task: 'verify', startDate: '2026-03-01' }, 'co-west-a-1'),
  },
  {
    name: 'unit_notice to a residence community',
    branch: 'addressed to the community',
    allows: ['acknowledge', 'escalate', 'cancel'],
    make: async (n) => opened({ type: 'unit_notice', unitId: 'east-school', communityId: 'east-b', period: `${2026 + Math.floor(n / 2)}-H${(n % 2) + 1}` }, 'ul-east-school'),
  },
  {
    name: 'change_report of a community',
    branch: 'owner',
    allows: ['record_outcome', 'escalate', 'cancel'],
    // Months that ended (a report is filed after its month): 2026-02, 2026-01, 2025-12, …
    make: async (n) => {
      const m = 2026 * 12 + 1 - n;
      return opened({ type: 'change_report', communityId: 'west-a', month: `${Math.floor(m / 12)}-${String((m % 12) + 1).padStart(2, '0')}` }, 'co-west-a-1');
    },
  },
];

describe('authorization matrix: actions on cases', () => {
  it('every staff action × case type × visibility branch × role and org unit, and reading each case: zero mismatches', { timeout: 600_000 }, async () => {
    const mismatches: string[] = [];
    const types = new Set<string>();
    let cells = 0;
    for (const sc of scenarios) {
      let made = 0;
      let c = await sc.make(made++);
      types.add(c.type);
      for (const a of actors) {
        const token = await s.token(a.staffId);
        const visible = sees(a.org, c);
        const read: Cell = { endpoint: 'GET /cases/{caseId}', who: a.staffId, relation: sc.name, expected: visible ? 200 : 404, send: (t) => s.call('GET', `/cases/${c.caseId}`, { token: t }) };
        await runCell(read, token, mismatches);
        cells++;
        for (const action of staffActions) {
          const expected: Expect = !visible ? 404 : !sc.allows.includes(action) ? 409 : !mayTake(a.org, action, c) ? 403 : 200;
          const facts = c;
          const cell: Cell = {
            endpoint: `POST /cases/{caseId}/actions ${action}`,
            who: a.staffId,
            relation: `${sc.name} [${sc.branch}]`,
            expected,
            send: (t) => s.call('POST', `/cases/${facts.caseId}/actions`, { token: t, body: actionBody(action, facts) }),
          };
          await runCell(cell, token, mismatches);
          cells++;
          // The action changed the case: the next cell gets a fresh one in the scenario's state.
          if (expected === 200) c = await sc.make(made++);
        }
      }
    }
    counted.actions = cells;
    counted.mismatches += mismatches.length;
    console.log(
      `authorization matrix, actions: ${cells} cells (${staffActions.length} actions + a read × ${scenarios.length} cases of ${types.size} types and ${new Set(scenarios.map((x) => x.branch)).size} visibility branches × ${actors.length} staff of 5 roles), ${mismatches.length} mismatches`,
    );
    for (const m of mismatches) console.log(`  MISMATCH ${m}`);
    expect(types.size).toBe(6);
    expect(mismatches).toEqual([]);
  });
});

// ---------------------------------------------------------------------------------------------
// 3. Imports of existing subjects, in and out of scope, and of new ones

describe('authorization matrix: subject imports', () => {
  it('existing in scope, existing out of scope, new, by every role: zero mismatches', { timeout: 600_000 }, async () => {
    const mismatches: string[] = [];
    let cells = 0;
    const homes: Record<string, [string, string | undefined]> = { 'east-a': ['east-a', undefined], 'west-a': ['west-a', undefined], 'east-school': ['east-b', 'east-school'], 'west-mill': ['west-a', 'west-mill'] };
    for (const a of actors) {
      const token = await s.token(a.staffId);
      for (const [where, [community, unit]] of Object.entries(homes)) {
        for (const kind of ['existing', 'new'] as const) {
          const subjectId = kind === 'existing' ? await freshSubject(unit ? 'co_managed' : 'primary', community, unit) : `mx-new-${++serial}`;
          // The row keeps her where she is and changes her registration date.
          const row = { subjectId, class: unit ? 'co_managed' : 'primary', communityId: community, ...(unit ? { unitId: unit } : {}), registeredOn: '2025-06-01' };
          const role = callerOf(a.staffId)?.role ?? (a.staffId.startsWith('sm-') ? 'street_manager' : a.staffId.startsWith('so-') ? 'street_officer' : a.staffId.startsWith('co-') ? 'community_officer' : 'unit_liaison');
          const inScope = within(where, a.org);
          const expected: Expect =
            role === 'district_manager' ? 'accepted' : role !== 'street_manager' ? 403 : kind === 'existing' && inScope ? 'accepted' : 'rejected';
          const cell: Cell = { endpoint: 'POST /imports/subjects', who: a.staffId, relation: `${kind} subject at ${where}`, expected, send: (t) => s.call('POST', '/imports/subjects', { token: t, body: [row] }) };
          const r = await runCell(cell, token, mismatches);
          cells++;
          const after = await s.rt.register.getSubject(subjectId);
          const written = expected === 'accepted';
          if (written !== (after?.registeredOn === '2025-06-01')) mismatches.push(`${cell.endpoint} as ${a.staffId} (${cell.relation}): written ${!written}`);
          if (r.status === 200) {
            const [entry] = await s.auditOf(r.headers.get('x-request-id'));
            const named = (entry?.subjectIds ?? []) as string[];
            if (written ? named.join() !== subjectId : named.length !== 0) mismatches.push(`${cell.endpoint} as ${a.staffId} (${cell.relation}): audit names ${named.join(',') || 'none'}`);
          }
        }
      }
    }
    // A street manager's answer for another street's subject and for an id nobody has is the same.
    const sm = await s.token('sm-east');
    const west = await freshSubject('primary', 'west-a');
    const bodies = await Promise.all(
      [west, `mx-none-${++serial}`].map(async (id) => (await s.call('POST', '/imports/subjects', { token: sm, body: [{ subjectId: id, class: 'primary', communityId: 'east-a', registeredOn: '2025-06-01' }] })).body),
    );
    if (JSON.stringify(bodies[0]) !== JSON.stringify(bodies[1])) mismatches.push(`import of another street's subject and of a new id answer differently: ${JSON.stringify(bodies)}`);
    cells++;
    counted.imports = cells;
    counted.mismatches += mismatches.length;
    const total = counted.endpoints + counted.actions + counted.imports;
    console.log(`authorization matrix, imports: ${cells} cells, ${mismatches.length} mismatches`);
    console.log(`authorization matrix: ${total} cells in all (endpoints ${counted.endpoints}, actions ${counted.actions}, imports ${counted.imports}), ${counted.mismatches} mismatches`);
    for (const m of mismatches) console.log(`  MISMATCH ${m}`);
    expect(mismatches).toEqual([]);
  });
});
