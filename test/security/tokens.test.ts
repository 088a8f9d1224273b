// Tokens the API must refuse, beyond the access matrix's five (test/api/matrix.test.ts: none,
// expired, another key, another district, role of another org unit, unknown staff): alg=none,
// HS256 keyed with the ES256 public key, a payload under another payload's signature, missing or
// mistyped claims, wrong issuer or audience, not yet valid, attacker-supplied keys in the header.
// Every one, on every route of the route table that needs a token, is 401 problem+json with a
// WWW-Authenticate challenge, and writes nothing. Also the Lambda's own check of the claims API
// Gateway passes (a Cognito-valid token whose claims are missing or wrong).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { ApiEvent } from '../../functions/api/app';
import { businessInstant } from '../../functions/domain/time';
import { DevAuth } from '../../dev/local/dev-auth';
import { Agent } from 'node:http';
import { startApiServer, type ApiServer } from '../api/support';
import { countItems, hostileTokens, pool, refusalProblems, send, type RawRequest } from './support';

let s: ApiServer;
const agent = new Agent({ keepAlive: true, maxSockets: 8 });
let caseId = '';

beforeAll(async () => {
  s = await startApiServer(businessInstant('2026-03-02', '10:00'));
  const r = await s.call('POST', '/cases', { token: await s.token('co-east-a-1'), body: { type: 'follow_up', subjectId: 's-000011', trigger: 'service', eventDate: '2026-03-01' } });
  if (r.status !== 201) throw new Error(r.text);
  caseId = r.body.caseId;
});
afterAll(async () => {
  agent.destroy();
  await s?.close();
});

/** A request each route would accept from the district manager (so only the token is wrong). */
function validRequest(method: string, path: string): Omit<RawRequest, 'headers'> & { headers?: Record<string, string> } {
  const json = (v: unknown) => ({ headers: { 'content-type': 'application/json' }, body: Buffer.from(JSON.stringify(v)) });
  const p = path.replace('{caseId}', caseId).replace('{orgUnitId}', 'east-a');
  if (method === 'POST' && path === '/cases') return { method, path: p, ...json({ type: 'follow_up', subjectId: 's-000001', trigger: 'manual', eventDate: '2026-03-01' }) };
  if (method === 'POST' && path.endsWith('/actions')) return { method, path: p, ...json({ action: 'escalate' }) };
  if (method === 'POST' && path.startsWith('/imports/subjects')) return { method, path: p, ...json([{ subjectId: 'tok-1', class: 'primary', communityId: 'east-a', registeredOn: '2026-01-01' }]) };
  if (method === 'POST') return { method, path: p, ...json([]) };
  if (path === '/reports/on-time') return { method, path: `${p}?from=2026-01-01&to=2026-03-31` };
  return { method, path: p };
}

describe('hostile tokens', () => {
  it('every hostile token on every staff route: 401 problem+json, a challenge, nothing written', async () => {
    const staffRoutes = s.api.routes.filter((r) => r.auth === 'staff');
    const tokens = await hostileTokens(s, DevAuth.claimsOf({ staffId: 'dm-tiny', orgUnitId: 'tiny', role: 'district_manager' }, 'tiny'));
    const before = await countItems(s);
    const cells = staffRoutes.flatMap((route) => Object.entries(tokens).map(([variant, token]) => ({ route, variant, token })));
    const failures: string[] = [];
    await pool(cells, 8, async ({ route, variant, token }) => {
      const v = validRequest(route.method, route.path);
      const r = await send(s.url, agent, { ...v, headers: { accept: 'application/json', ...(v.headers ?? {}), authorization: `Bearer ${token}` } });
      const problems = refusalProblems(r);
      if (r.status !== 401) problems.unshift(`expected 401`);
      if (!String(r.headers['www-authenticate'] ?? '').startsWith('Bearer')) problems.push('no WWW-Authenticate: Bearer');
      if (problems.length) failures.push(`${route.method} ${route.path} with ${variant}: ${problems.join('; ')} ${r.text.slice(0, 160)}`);
    });
    // The same requests with the real token get past authentication (so the refusals above are the token's).
    for (const route of staffRoutes) {
      const v = validRequest(route.method, route.path);
      const r = await send(s.url, agent, { ...v, headers: { accept: 'application/json', ...(v.headers ?? {}), authorization: `Bearer ${await s.token('dm-tiny')}` } });
      if (r.status === 401 || r.status >= 500) failures.push(`control: ${route.method} ${route.path} with a valid token answered ${r.status} ${r.text.slice(0, 160)}`);
    }
    const after = await countItems(s);
    console.log(`hostile tokens: ${Object.keys(tokens).length} variants × ${staffRoutes.length} staff routes = ${cells.length} requests, ${failures.length} failures`);
    for (const f of failures) console.log(`  FAIL ${f}`);
    expect(failures).toEqual([]);
    // The control requests write (a case, an escalation, an import, audit entries); the refusals ran first and are counted apart.
    expect(after.other).toBeGreaterThanOrEqual(before.other);
  });

  it('refusals alone write nothing but their audit entry (when the API, not the token check before it, refused)', async () => {
    const tokens = await hostileTokens(s, DevAuth.claimsOf({ staffId: 'co-east-a-1', orgUnitId: 'east-a', role: 'community_officer' }, 'tiny'));
    const before = await countItems(s);
    let reachedApi = 0;
    for (const route of s.api.routes.filter((r) => r.auth === 'staff'))
      for (const token of Object.values(tokens)) {
        const v = validRequest(route.method, route.path);
        const r = await send(s.url, agent, { ...v, headers: { ...(v.headers ?? {}), authorization: `Bearer ${token}` } });
        expect(r.status).toBe(401);
        // The local server's token check answers without the API (as API Gateway's authorizer); the API's own claim checks are audited.
        if (typeof r.headers['x-request-id'] === 'string') reachedApi++;
      }
    const after = await countItems(s);
    expect(after.other).toBe(before.other);
    expect(after.audit - before.audit).toBe(reachedApi);
  });

  it('the Lambda refuses claims API Gateway would pass but this district cannot act on', async () => {
    const good = DevAuth.claimsOf({ staffId: 'dm-tiny', orgUnitId: 'tiny', role: 'district_manager' }, 'tiny');
    const variants: Record<string, Record<string, unknown> | undefined> = {
      'no authorizer': undefined,
      'empty claims': {},
      'another district': { ...good, 'custom:district': 'chuanhui' },
      'missing role': { ...good, 'custom:role': undefined },
      'role as array': { ...good, 'custom:role': ['district_manager'] },
      'org of another district': { ...good, 'custom:orgUnitId': 'xinhua' },
      'staff not in the register': { ...good, 'custom:staffId': 'dm-nobody' },
      'staff with another role than the register': { ...good, 'custom:staffId': 'sm-east' },
    };
    for (const [name, claims] of Object.entries(variants)) {
      const out = await s.api.handler({
        version: '2.0',
        routeKey: '$default',
        rawPath: '/me',
        rawQueryString: '',
        headers: {},
        requestContext: { requestId: `tok-${name}`, http: { method: 'GET', path: '/me' }, stage: '$default', ...(claims ? { authorizer: { jwt: { claims, scopes: null } } } : {}) },
        isBase64Encoded: false,
      } as unknown as ApiEvent);
      expect({ name, status: out.statusCode, type: out.headers?.['content-type'] }).toEqual({ name, status: 401, type: 'application/problem+json' });
    }
  });
});
