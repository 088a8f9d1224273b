// The dashboard's OpenID Connect session (functions/dashboard/src/auth.ts) against the real local
// provider (dev/local/oidc-provider.ts) in node, the browser's storage and address bar replaced by
// fakes: what it sends, what it keeps where, refresh, a refused refresh, the silent resume after a
// reload, a return from another issuer, and the sign-out URL. The browser path is
// test/browser/oidc-sign-in.test.ts.
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { decodeJwt } from 'jose';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { OidcSession, type SessionEnv, type SessionEvent } from '../../functions/dashboard/src/auth';
import { DEV_AUDIENCE, DevAuth } from '../../dev/local/dev-auth';
import { createDevOidc, type DevOidc } from '../../dev/local/oidc-provider';
import { logInAt } from '../support/oidc-code-flow';

let http: Server;
let oidc: DevOidc;
let auth: DevAuth;
let base: string;

beforeAll(async () => {
  auth = await DevAuth.create({ districtId: 'tiny' });
  http = createServer((req, res) => void oidc.handle(req, res));
  await new Promise<void>((r) => http.listen(0, '127.0.0.1', r));
  base = `http://localhost:${(http.address() as AddressInfo).port}`;
  oidc = await createDevOidc({
    issuer: `${base}/oidc`,
    auth,
    findStaff: async (id) => (id === 'co-east-a-1' ? { staffId: id, orgUnitId: 'east-a', role: 'community_officer' } : undefined),
    redirectUris: [`${base}/`],
  });
  auth.useIssuer(oidc.issuer);
});
afterAll(() => new Promise<void>((r) => http.close(() => r())));

function fakeBrowser(start: string) {
  const storage = new Map<string, string>();
  const state = { href: start, navigations: [] as string[] };
  const env: SessionEnv = {
    storage: { getItem: (k) => storage.get(k) ?? null, setItem: (k, v) => void storage.set(k, v), removeItem: (k) => void storage.delete(k) },
    href: () => state.href,
    navigate: (u) => void state.navigations.push(u),
    replaceUrl: (u) => void (state.href = u),
  };
  return { storage, state, env };
}

async function signedIn(b: ReturnType<typeof fakeBrowser>) {
  const session = new OidcSession({ issuer: oidc.issuer, clientId: oidc.clientId }, b.env);
  await session.signIn();
  b.state.href = await logInAt(b.state.navigations.at(-1)!, { redirectUri: `${base}/`, staffId: 'co-east-a-1', password: auth.password });
  expect(await session.resume()).toEqual({ status: 'signed-in' });
  return session;
}

describe('OidcSession', () => {
  it('sends code + PKCE S256 + state + nonce, exchanges the code, keeps only a flag in storage, puts the page back', async () => {
    const b = fakeBrowser(`${base}/#/queue`);
    const session = new OidcSession({ issuer: oidc.issuer, clientId: oidc.clientId }, b.env);
    await session.signIn();
    const q = new URL(b.state.navigations[0]!).searchParams;
    expect(Object.fromEntries(q)).toMatchObject({ response_type: 'code', client_id: 'shudi-dashboard', redirect_uri: `${base}/`, scope: 'openid', code_challenge_method: 'S256' });
    const pending = JSON.parse(b.storage.get('shudi.oidc.pending')!) as { state: string; nonce: string; verifier: string };
    expect(q.get('state')).toBe(pending.state);
    expect(q.get('nonce')).toBe(pending.nonce);
    expect(q.get('code_challenge')).not.toBe(pending.verifier);

    b.state.href = await logInAt(b.state.navigations[0]!, { redirectUri: `${base}/`, staffId: 'co-east-a-1', password: auth.password });
    expect(b.state.href).toMatch(/\?code=.*&state=/);
    expect(await session.resume()).toEqual({ status: 'signed-in' });
    expect(b.state.href).toBe(`${base}/#/queue`);
    expect([...b.storage]).toEqual([['shudi.oidc.active', '1']]);
    expect(decodeJwt(session.apiToken()!)).toMatchObject({ iss: oidc.issuer, aud: DEV_AUDIENCE, 'custom:staffId': 'co-east-a-1' });
    // The code is spent: the same return a second time signs nobody in.
    const again = new OidcSession({ issuer: oidc.issuer, clientId: oidc.clientId }, fakeBrowser(b.state.href).env);
    expect((await again.resume()).status).toBe('signed-out');
  });

  it('refreshes with the refresh token; a refused refresh ends the session as expired', async () => {
    const b = fakeBrowser(`${base}/#/queue`);
    const session = await signedIn(b);
    const events: SessionEvent[] = [];
    session.onChange((e) => events.push(e));
    const first = session.apiToken()!;
    expect(await session.refresh()).toBe(true);
    expect(session.apiToken()).not.toBe(first);
    expect(events).toEqual([{ kind: 'refreshed' }]);
    // The refresh token is rotated: the spent one, used again, is refused and the session ends.
    (session as unknown as { tokens: { refreshToken: string } }).tokens.refreshToken = 'spent-or-forged';
    expect(await session.refresh()).toBe(false);
    expect(events.at(-1)).toEqual({ kind: 'ended', reason: 'expired' });
    expect(session.apiToken()).toBeUndefined();
    expect(b.storage.has('shudi.oidc.active')).toBe(false);
  });

  it('after a reload (tokens gone) asks the issuer again with prompt=none, and comes back signed in without a login page', async () => {
    const b = fakeBrowser(`${base}/#/queue`);
    const jar = await signedIn(b);
    expect(jar.signedIn).toBe(true);
    // The reload: a new session object, the same tab storage.
    b.state.href = `${base}/#/case/x`;
    const reloaded = new OidcSession({ issuer: oidc.issuer, clientId: oidc.clientId }, b.env);
    expect(await reloaded.resume()).toEqual({ status: 'redirecting' });
    const silent = new URL(b.state.navigations.at(-1)!);
    expect(silent.searchParams.get('prompt')).toBe('none');
    // Without the provider's session cookie (another browser) the answer is login_required: signed out, no error shown.
    const res = await fetch(silent, { redirect: 'manual' });
    b.state.href = new URL(res.headers.get('location')!, silent).href;
    expect(new URL(b.state.href).searchParams.get('error')).toBe('login_required');
    expect(await reloaded.resume()).toEqual({ status: 'signed-out' });
    expect(b.state.href).toBe(`${base}/#/case/x`);
    expect(b.storage.size).toBe(0);
  });

  it('refuses a return that names another issuer (mix-up), and one whose state it did not send', async () => {
    const b = fakeBrowser(`${base}/`);
    const session = new OidcSession({ issuer: oidc.issuer, clientId: oidc.clientId }, b.env);
    await session.signIn();
    const back = new URL(await logInAt(b.state.navigations[0]!, { redirectUri: `${base}/`, staffId: 'co-east-a-1', password: auth.password }));
    back.searchParams.set('iss', 'https://idp.example.cn/other');
    b.state.href = back.href;
    const r = await session.resume();
    expect(r.status).toBe('signed-out');
    expect((r as { error: string }).error).toMatch(/iss/);
    expect(session.apiToken()).toBeUndefined();

    await session.signIn();
    const back2 = new URL(await logInAt(b.state.navigations.at(-1)!, { redirectUri: `${base}/`, staffId: 'co-east-a-1', password: auth.password }));
    back2.searchParams.set('state', 'not-the-state');
    b.state.href = back2.href;
    expect((await session.resume()) as { error: string }).toMatchObject({ status: 'signed-out', error: expect.stringMatching(/state/) });
  });

  it('signs out at the end_session endpoint with the ID token and the way back', async () => {
    const b = fakeBrowser(`${base}/#/queue`);
    const session = await signedIn(b);
    await session.signOut();
    expect(session.apiToken()).toBeUndefined();
    const end = new URL(b.state.navigations.at(-1)!);
    expect(`${end.origin}${end.pathname}`).toBe(`${oidc.issuer}/session/end`);
    expect(end.searchParams.get('client_id')).toBe('shudi-dashboard');
    expect(end.searchParams.get('post_logout_redirect_uri')).toBe(`${base}/`);
    expect(decodeJwt(end.searchParams.get('id_token_hint')!)).toMatchObject({ aud: 'shudi-dashboard', sub: 'co-east-a-1' });
    expect(end.searchParams.has('logout_uri')).toBe(false);
    expect(b.storage.size).toBe(0);
  });
});
