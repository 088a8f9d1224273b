// Tokens the API must refuse, beyond the access matrix's five (test/api/matrix.test.ts: none,
// expired, another key, another district, role of another org unit, unknown staff): alg=none,
// HS256 keyed with the ES256 public key, a payload under another payload's signature, missing or
// mistyped claims, wrong issuer or audience, not yet valid, attacker-supplied keys in the header.
// Every one, on every route of the route table that needs a token, is 401 problem+json with a
// WWW-Authenticate challenge, and writes nothing. Also the Lambda's own check of the claims API
// Gateway passes (a Cognito-valid token whose claims are missing or wrong). And with the local
// OpenID provider running (as under `npm start`): its genuine tokens are accepted, while a genuine
// token of another issuer, its own ID token (the wrong audience), an expired token and `alg: none`
// are each refused 401.
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { Logger } from '@aws-lambda-powertools/logger';
import { base64url, decodeJwt, decodeProtectedHeader, SignJWT } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi } from '../../functions/api/app';
import { claimNamesFromEnv } from '../../functions/api/claims';
import { runtimeClockControl, startLocalServer } from '../../dev/local/http-server';
import { createDevOidc } from '../../dev/local/oidc-provider';
import { signInWithCodeFlow } from '../support/oidc-code-flow';
import { testRuntime } from '../support/runtime';
import type { ApiEvent } from '../../functions/api/app';
import { businessInstant } from '../../functions/domain/time';
import { DevAuth } from '../../dev/local/dev-auth';
import { Agent } from 'node:http';
import { pool } from '../../functions/app/pool';
import { startApiServer, type ApiServer } from '../api/support';
import { countItems, hostileTokens, refusalProblems, send, type RawRequest } from './support';

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

describe('tokens of the local OpenID provider (the server of npm start)', () => {
  let server: Awaited<ReturnType<typeof startLocalServer>>;
  let auth: DevAuth;
  let other: { close: () => void; issuer: string } | undefined;
  let rt: Awaited<ReturnType<typeof testRuntime>>;
  const signIn = (issuer: string, redirectUri: string, password: string) => signInWithCodeFlow({ issuer, clientId: 'shudi-dashboard', redirectUri, staffId: 'dm-tiny', password });

  beforeAll(async () => {
    rt = await testRuntime(businessInstant('2026-03-02', '10:00'));
    auth = await DevAuth.create({ districtId: 'tiny' });
    const api = createApi({ ...rt.parts, logger: new Logger({ serviceName: 'shudi-tokens-test', logLevel: 'SILENT' }) });
    server = await startLocalServer({ api, auth, register: rt.register, clock: runtimeClockControl(rt), oidc: {} });
  });
  afterAll(async () => {
    other?.close();
    await server?.close();
  });

  const me = (token: string) => fetch(`${server.url}/me`, { headers: { authorization: `Bearer ${token}`, accept: 'application/json' } });
  async function refused(token: string): Promise<string> {
    const r = await me(token);
    expect(r.status).toBe(401);
    expect(r.headers.get('content-type')).toBe('application/problem+json');
    expect(r.headers.get('www-authenticate')).toMatch(/^Bearer/);
    return ((await r.json()) as { detail: string }).detail;
  }

  it('verifies with the JWKS the provider publishes, under the issuer its discovery states', async () => {
    const discovery = (await (await fetch(`${server.oidc!.issuer}/.well-known/openid-configuration`)).json()) as Record<string, unknown>;
    expect(discovery.issuer).toBe(auth.issuer);
    expect(discovery.code_challenge_methods_supported).toEqual(['S256']);
    const jwks = (await (await fetch(String(discovery.jwks_uri))).json()) as { keys: Record<string, unknown>[] };
    expect(jwks).toEqual(auth.publicJwks());
  });

  it('accepts its genuine access token; refuses 401 a genuine token of another issuer, its ID token (another audience), an expired token and alg none', async () => {
    const genuine = await signIn(server.oidc!.issuer, `${server.url}/`, auth.password);
    expect(decodeProtectedHeader(genuine.access_token)).toMatchObject({ alg: 'RS256', kid: auth.kid });
    const ok = await me(genuine.access_token);
    expect(ok.status).toBe(200);
    expect(await ok.json()).toMatchObject({ staffId: 'dm-tiny', role: 'district_manager' });

    // Another issuer: a second provider of its own (own key), whose accounts are the same staff.
    const otherAuth = await DevAuth.create({ districtId: 'tiny' });
    let otherOidc: Awaited<ReturnType<typeof createDevOidc>> | undefined;
    const http = createServer((req, res) => void otherOidc?.handle(req, res));
    await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
    const otherUrl = `http://localhost:${(http.address() as AddressInfo).port}`;
    otherOidc = await createDevOidc({ issuer: `${otherUrl}/oidc`, auth: otherAuth, findStaff: async (id) => (id === 'dm-tiny' ? { staffId: 'dm-tiny', orgUnitId: 'tiny', role: 'district_manager' } : undefined), redirectUris: [`${otherUrl}/`] });
    otherAuth.useIssuer(otherOidc.issuer);
    other = { close: () => http.close(), issuer: otherOidc.issuer };
    const foreign = await signIn(otherOidc.issuer, `${otherUrl}/`, otherAuth.password);
    expect(decodeJwt(foreign.access_token)).toMatchObject({ iss: otherOidc.issuer, aud: auth.audience, 'custom:staffId': 'dm-tiny' });
    expect(await refused(foreign.access_token)).toMatch(/does not publish|another issuer/);
    // … and the same claims under that issuer's name, signed with this provider's own key.
    const claims = decodeJwt(genuine.access_token);
    const own = auth as unknown as { privateKey: CryptoKey };
    const resign = (payload: Record<string, unknown>) => new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: auth.kid, typ: 'at+jwt' }).sign(own.privateKey);
    expect(await refused(await resign({ ...claims, iss: otherOidc.issuer }))).toBe('the token is from another issuer');

    // Another audience: the provider's genuine ID token is for the dashboard (aud = its client id), not the API.
    expect(decodeJwt(genuine.id_token)).toMatchObject({ iss: auth.issuer, aud: 'shudi-dashboard', 'custom:staffId': 'dm-tiny' });
    expect(await refused(genuine.id_token)).toBe('the token is for another audience');
    expect(await refused(await resign({ ...claims, aud: 'urn:another:api' }))).toBe('the token is for another audience');

    // Expired (past the 5 s tolerance).
    const now = Math.floor(Date.now() / 1000);
    expect(await refused(await resign({ ...claims, iat: now - 3600, exp: now - 6 }))).toBe('the token has expired; sign in again');

    // alg none: the genuine token's payload with an unsigned header, without and with the old signature.
    const [, payload, signature] = genuine.access_token.split('.');
    const none = base64url.encode(JSON.stringify({ alg: 'none', typ: 'at+jwt', kid: auth.kid }));
    expect(await refused(`${none}.${payload}.`)).toBe('the token is not signed with an RSA algorithm');
    expect(await refused(`${none}.${payload}.${signature}`)).toMatch(/RSA|not valid/);

    // The genuine token still works: the refusals above were the tokens', not the server's.
    expect((await me(genuine.access_token)).status).toBe(200);
  });

  it('with OIDC_CLAIMS names, the provider issues and the API reads the staff under those names only', async () => {
    const claimNames = claimNamesFromEnv({ OIDC_CLAIMS: JSON.stringify({ staffId: 'preferred_username', orgUnitId: 'org_unit', role: 'shudi_role', district: 'district' }) });
    const named = await DevAuth.create({ districtId: 'tiny', claimNames });
    const api = createApi({ ...rt.parts, logger: new Logger({ serviceName: 'shudi-tokens-test', logLevel: 'SILENT' }), claimNames });
    const s2 = await startLocalServer({ api, auth: named, register: rt.register, oidc: {} });
    try {
      const t = await signInWithCodeFlow({ issuer: s2.oidc!.issuer, clientId: 'shudi-dashboard', redirectUri: `${s2.url}/`, staffId: 'dm-tiny', password: named.password });
      expect(decodeJwt(t.access_token)).toMatchObject({ preferred_username: 'dm-tiny', org_unit: 'tiny', shudi_role: 'district_manager', district: 'tiny' });
      expect(decodeJwt(t.access_token)['custom:staffId']).toBeUndefined();
      const get = (token: string) => fetch(`${s2.url}/me`, { headers: { authorization: `Bearer ${token}` } });
      expect((await get(t.access_token)).status).toBe(200);
      // A valid token of this issuer whose staff claims carry the Cognito names is not read.
      const cognitoNamed = await named.issue(DevAuth.claimsOf({ staffId: 'dm-tiny', orgUnitId: 'tiny', role: 'district_manager' }, 'tiny'));
      const r = await get(cognitoNamed.token);
      expect(r.status).toBe(401);
      expect(((await r.json()) as { detail: string }).detail).toContain('preferred_username, org_unit, shudi_role, district');
    } finally {
      await s2.close();
    }
  });

  it('signs in only the staff of the register, with the development password', async () => {
    await expect(signInWithCodeFlow({ issuer: server.oidc!.issuer, clientId: 'shudi-dashboard', redirectUri: `${server.url}/`, staffId: 'dm-nobody', password: auth.password })).rejects.toThrow(/no login form|did not come back/);
    await expect(signIn(server.oidc!.issuer, `${server.url}/`, 'wrong-password')).rejects.toThrow(/did not come back/);
    // A redirect URI the client does not have is refused by the provider (no code for it).
    await expect(signIn(server.oidc!.issuer, 'http://evil.example/', auth.password)).rejects.toThrow();
  });
});
