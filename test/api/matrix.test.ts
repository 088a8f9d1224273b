// A generated authorization matrix: every endpoint × every role × every org relation (own org unit,
// a child, a sibling, the parent, another district's id), plus every endpoint without a token and
// with an expired, forged, other-district or inconsistent one. The expected answer of each cell
// comes from docs/api.md "Who sees what", written out here independently of the implementation.
// Every refused cell must also write nothing.
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
  const scoped: Expect = other ? 404 : inside ? 200 : 403;
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
    c('GET /cases/{caseId}', other ? 404 : leafInside ? 200 : 403, (t) => s.call('GET', `/cases/${other ? 'fu-from-another-district' : caseAt[leaf]!.caseId}`, { token: t })),
    // A well-formed outcome dated tomorrow: a caller allowed to act gets the domain's 400 (and nothing is written).
    c('POST /cases/{caseId}/actions', other ? 404 : leafInside ? 400 : 403, (t) =>
      s.call('POST', `/cases/${other ? 'fu-from-another-district' : caseAt[leaf]!.caseId}/actions`, { token: t, body: { action: 'record_outcome', outcome: other ? 'visited' : caseAt[leaf]!.outcome, date: tomorrow } }),
    ),
    c('POST /cases', other ? 404 : leafInside ? 201 : 403, (t) =>
      s.call('POST', '/cases', { token: t, body: other ? { ...subjectAt['east-a']!.body, subjectId: 's-from-another-district' } : subjectAt[leaf]!.body, headers: { 'idempotency-key': `m-${++n}` } }),
    ),
  ];
  // Staff endpoints: the staff member working at the leaf; managers over her (district: all; street: her street).
  const staffAt = other ? 'co-from-another-district' : leaf.endsWith('school') || leaf.endsWith('mill') ? `ul-${leaf}` : `co-${leaf}-1`;
  const manager = caller.role === 'district_manager' || caller.role === 'street_manager';
  const self = staffAt === caller.staffId;
  cells.push(
    c('GET /staff/undeliverable', manager ? scoped : 403, (t) => s.call('GET', `/staff/undeliverable?orgUnitId=${target}`, { token: t })),
    c('POST /staff/{staffId}/undeliverable/clear', !manager ? 403 : other ? 404 : leafInside ? 200 : 403, (t) =>
      s.call('POST', `/staff/${staffAt}/undeliverable/clear`, { token: t, body: { channel: 'email' } }),
    ),
    c('PATCH /staff/{staffId}/preferences', other ? 404 : self || (manager && leafInside) ? 200 : 403, (t) =>
      s.call('PATCH', `/staff/${staffAt}/preferences`, { token: t, body: { quietHours: { start: '21:00', end: '08:00' } } }),
    ),
  );
  const row = importRow(leaf, ++n);
  const importExpect: Expect =
    caller.role === 'district_manager' ? (other ? 'rejected' : 'accepted') : caller.role === 'street_manager' ? (leafInside ? 'accepted' : 'rejected') : 403;
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
  it('every endpoint × role × org relation, and every bad token: zero mismatches, and refusals write nothing', async () => {
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
    for (const cell of all) {
      const refused = typeof cell.expected === 'number' && cell.expected >= 400;
      const before = refused ? await s.countItems() : 0;
      const r = await cell.send(cell.token);
      const got = outcomeOf(r, cell.expected);
      if (got !== cell.expected) mismatches.push(`${cell.endpoint} as ${cell.who} (${cell.relation}): expected ${cell.expected}, got ${got} ${r.text.slice(0, 160)}`);
      else if (refused) {
        if (!/^application\/problem\+json/.test(r.headers.get('content-type') ?? '')) mismatches.push(`${cell.endpoint} as ${cell.who}: not problem+json`);
        const after = await s.countItems();
        if (after !== before) mismatches.push(`${cell.endpoint} as ${cell.who} (${cell.relation}): refused with ${r.status} but wrote ${after - before} items`);
      }
    }

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
    console.log(`authorization matrix: ${size} cells (${endpoints} endpoints × ${callers.length} roles × org relations, + ${Object.keys(badTokens).length} bad-token variants + 1 direct Lambda call), ${mismatches.length} mismatches`);
    for (const m of mismatches) console.log(`  MISMATCH ${m}`);
    expect(mismatches).toEqual([]);
    expect(size).toBeGreaterThan(200);
  });
});
