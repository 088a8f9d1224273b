// Sign-in by OpenID Connect in a real browser (issue 14): the dashboard, served by the local server
// with its OpenID provider at /oidc (the one `npm start` runs), signs a community officer in with
// the authorization code flow + PKCE (S256) + state + nonce, shows her queue, keeps its tokens out of
// storage, refreshes them silently, comes back signed in after a reload, and signs out at the issuer.
// A return with a state the dashboard did not send is refused. Needs /usr/bin/chromium (skipped,
// saying so, when it is missing).
import { createHash } from 'node:crypto';
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Logger } from '@aws-lambda-powertools/logger';
import { decodeJwt } from 'jose';
import type { Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi } from '../../functions/api/app';
import { businessInstant } from '../../functions/domain/time';
import { DEV_AUDIENCE, DevAuth } from '../../dev/local/dev-auth';
import { runtimeClockControl, startLocalServer } from '../../dev/local/http-server';
import type { LocalRuntime } from '../../dev/local/runtime';
import { allSubjects, testRuntime } from '../support/runtime';
import { buildDashboard, hasChromium, launchChromium, TEST_PASSWORD, type LaunchedBrowser } from './support/browser';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const outDir = join(repo, 'test-output');
const skipReason = hasChromium() ? '' : 'no /usr/bin/chromium: install it with `apt-get install -y chromium` to run the browser test';
if (skipReason) console.warn(`[browser] oidc-sign-in.test.ts skipped: ${skipReason}`);

const START = businessInstant('2026-03-02', '10:00');
const CASE_ID = 'fu-oidc-browser';
/** Short-lived access tokens, so the silent refresh happens within the test. */
const ACCESS_TTL_S = 8;
const JWT = /eyJ[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]*/;

describe.skipIf(!!skipReason)('dashboard sign-in through the local OpenID provider (chromium, real local server)', () => {
  let rt: LocalRuntime;
  let server: Awaited<ReturnType<typeof startLocalServer>>;
  let base: string;
  let dist: string | undefined;
  let issuer: string;

  beforeAll(async () => {
    dist = await buildDashboard();
    rt = await testRuntime(START);
    const subject = (await allSubjects(rt)).find((s) => s.communityId === 'east-a' && s.class === 'primary');
    if (!subject) throw new Error('the tiny district has no primary subject in east-a');
    await rt.openCase({ type: 'follow_up', caseId: CASE_ID, subjectId: subject.subjectId, trigger: 'service', eventDate: '2026-03-01' }, { kind: 'staff', staffId: 'co-east-a-1' });
    const api = createApi({ ...rt.parts, logger: new Logger({ serviceName: 'shudi-browser-test', logLevel: 'SILENT' }) });
    const auth = await DevAuth.create({ districtId: rt.district.territory.districtId, password: TEST_PASSWORD });
    server = await startLocalServer({ api, auth, register: rt.register, clock: runtimeClockControl(rt), staticDir: dist, oidc: { accessTokenTtlSeconds: ACCESS_TTL_S } });
    base = server.url;
    issuer = server.oidc!.issuer;
    expect(issuer).toBe(`${base}/oidc`);
  });

  afterAll(async () => {
    await server?.close();
    if (dist) rmSync(dist, { recursive: true, force: true });
  });

  async function withBrowser(fn: (b: LaunchedBrowser, errors: string[]) => Promise<void>) {
    const b = await launchChromium('desktop');
    const errors: string[] = [];
    b.page.on('pageerror', (e) => errors.push(e.message));
    try {
      await fn(b, errors);
    } finally {
      await b.close();
    }
  }

  it('signs in with code + PKCE + state + nonce, sees her queue, refreshes silently, survives a reload, signs out at the issuer', async () => {
    await withBrowser(async ({ page, context }, errors) => {
      const requests: Request[] = [];
      page.on('request', (r) => requests.push(r));
      const apiTokens = () => requests.filter((r) => new URL(r.url()).pathname.startsWith('/queues/')).map((r) => r.headers().authorization?.replace(/^Bearer /, '') ?? '');

      // The sign-in screen has one way in: the identity provider.
      await page.goto(`${base}/`);
      await page.getByRole('button', { name: '登录', exact: true }).click();
      await page.waitForURL(/\/oidc\/interaction\//);

      // The authorization request: code flow, PKCE S256, a state and a nonce; nothing secret in it.
      const authorize = requests.find((r) => new URL(r.url()).pathname === '/oidc/auth')!;
      const q = new URL(authorize.url()).searchParams;
      expect(Object.fromEntries(['response_type', 'client_id', 'redirect_uri', 'scope', 'code_challenge_method'].map((k) => [k, q.get(k)]))).toEqual({
        response_type: 'code',
        client_id: 'shudi-dashboard',
        redirect_uri: `${base}/`,
        scope: 'openid',
        code_challenge_method: 'S256',
      });
      expect(q.get('code_challenge')).toMatch(/^[A-Za-z0-9_-]{43}$/);
      expect(q.get('state')).toMatch(/^[A-Za-z0-9_-]{20,}$/);
      expect(q.get('nonce')).toMatch(/^[A-Za-z0-9_-]{20,}$/);

      // The provider's login page: a wrong password and an unknown staff id get the same answer.
      const staffId = page.getByLabel(/Staff id/);
      const password = page.getByLabel(/Password/);
      const submit = page.getByRole('button', { name: '登录 Sign in' });
      for (const [id, pw] of [
        ['co-east-a-1', 'not-the-password'],
        ['co-nobody', TEST_PASSWORD],
      ] as const) {
        await staffId.fill(id);
        await password.fill(pw);
        await submit.click();
        await expect.poll(() => page.getByRole('alert').textContent()).toContain('工号或密码不正确');
      }
      await staffId.fill('co-east-a-1');
      await password.fill(TEST_PASSWORD);
      await submit.click();

      // Back at the dashboard: her queue, with the case.
      await page.waitForURL(/#\/queue$/);
      await page.getByRole('heading', { level: 1, name: /我的队列/ }).waitFor();
      await page.locator(`[data-case-id="${CASE_ID}"]`).first().waitFor();
      expect(page.url()).not.toMatch(/[?&](code|state)=/);

      // The code went to the token endpoint with the verifier whose S256 is the challenge.
      const exchange = requests.find((r) => new URL(r.url()).pathname === '/oidc/token' && r.method() === 'POST' && new URLSearchParams(r.postData() ?? '').get('grant_type') === 'authorization_code')!;
      const form = new URLSearchParams(exchange.postData()!);
      expect(createHash('sha256').update(form.get('code_verifier')!).digest('base64url')).toBe(q.get('code_challenge'));
      expect(form.get('redirect_uri')).toBe(`${base}/`);
      expect(form.get('client_id')).toBe('shudi-dashboard');

      // The API gets the provider's access token: this issuer, the API's audience, her claims.
      const first = apiTokens()[0]!;
      expect(decodeJwt(first)).toMatchObject({ iss: issuer, aud: DEV_AUDIENCE, 'custom:staffId': 'co-east-a-1', 'custom:orgUnitId': 'east-a', 'custom:role': 'community_officer', 'custom:district': 'tiny' });

      // Tokens in memory only: none in web storage or readable cookies.
      const stored = await page.evaluate(() => JSON.stringify({ s: { ...sessionStorage }, l: { ...localStorage }, c: document.cookie }));
      expect(stored).not.toMatch(JWT);

      // Before the access token expires, the dashboard swaps its refresh token; the API then gets the new token.
      const refreshed = await page.waitForRequest((r) => new URL(r.url()).pathname === '/oidc/token' && new URLSearchParams(r.postData() ?? '').get('grant_type') === 'refresh_token', { timeout: 30_000 });
      await refreshed.response();
      await page.getByRole('link', { name: '设置' }).click();
      await page.getByRole('link', { name: '我的队列' }).click();
      await expect.poll(() => apiTokens().length).toBeGreaterThan(1);
      const latest = apiTokens().at(-1)!;
      expect(latest).not.toBe(first);
      expect(decodeJwt(latest).exp!).toBeGreaterThan(decodeJwt(first).exp!);
      await page.locator(`[data-case-id="${CASE_ID}"]`).first().waitFor();

      // A reload loses the tokens; the dashboard asks the provider again without a login page.
      const before = requests.length;
      await page.reload();
      await page.waitForURL(/#\/queue$/);
      await page.locator(`[data-case-id="${CASE_ID}"]`).first().waitFor();
      const silent = requests.slice(before).find((r) => new URL(r.url()).pathname === '/oidc/auth')!;
      expect(new URL(silent.url()).searchParams.get('prompt')).toBe('none');
      expect(requests.slice(before).some((r) => r.url().includes('/oidc/interaction/'))).toBe(false);

      // Sign out: at the provider's end_session endpoint, and back to the sign-in screen.
      await page.getByRole('button', { name: '退出' }).click();
      await page.getByRole('button', { name: '登录', exact: true }).waitFor();
      const end = requests.find((r) => new URL(r.url()).pathname === '/oidc/session/end')!;
      const e = new URL(end.url()).searchParams;
      expect(e.get('post_logout_redirect_uri')).toBe(`${base}/`);
      expect(decodeJwt(e.get('id_token_hint')!)).toMatchObject({ iss: issuer, aud: 'shudi-dashboard', sub: 'co-east-a-1' });
      // The provider's session is gone: signing in again asks for the password.
      await page.getByRole('button', { name: '登录', exact: true }).click();
      await page.waitForURL(/\/oidc\/interaction\//);
      await page.getByLabel(/Password/).waitFor();
      expect(await context.cookies()).not.toContainEqual(expect.objectContaining({ name: '_session' }));

      mkdirSync(outDir, { recursive: true });
      await page.screenshot({ path: join(outDir, 'oidc-provider-login.png'), fullPage: true });
      expect(errors).toEqual([]);
    });
  }, 180_000);

  it('refuses a return whose state it did not send, and exchanges no code', async () => {
    await withBrowser(async ({ page }) => {
      const tokenCalls: Request[] = [];
      page.on('request', (r) => new URL(r.url()).pathname === '/oidc/token' && tokenCalls.push(r));
      await page.goto(`${base}/`);
      await page.getByRole('button', { name: '登录', exact: true }).click();
      await page.waitForURL(/\/oidc\/interaction\//);
      // An attacker's link back to the dashboard, with a code and a state of its own.
      await page.goto(`${base}/?code=attacker-code&state=attacker-state&iss=${encodeURIComponent(issuer)}`);
      await expect.poll(() => page.getByRole('alert').textContent()).toContain('登录未完成');
      expect(await page.getByRole('alert').textContent()).toMatch(/state/);
      expect(page.url()).not.toContain('attacker-code');
      expect(tokenCalls).toEqual([]);
      await page.getByRole('button', { name: '登录', exact: true }).waitFor();
    });
  }, 60_000);
});
