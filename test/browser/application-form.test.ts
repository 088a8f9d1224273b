// Receiving an application from the dashboard, in a real browser against the real local server (issue 13):
//   a community officer opens 受理申请 → what can be applied for is the district's list, with its Chinese names (no free
//   text) → an empty form is refused before anything is sent → the server's problems show under the field their path
//   names (a malformed subject id: 400 body.subjectId; a subject that is not hers: 404, under the subject) → a good
//   form opens the case once, owned by her community, the opinion due in 3 working days → the case page shows it.
//
// Needs /usr/bin/chromium (Debian package `chromium`); skipped, saying so, when it is missing.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Logger } from '@aws-lambda-powertools/logger';
import type { Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalSink } from '../../functions/adapters/local-sink';
import { createApi } from '../../functions/api/app';
import { businessInstant } from '../../functions/domain/time';
import { DevAuth } from '../../dev/local/dev-auth';
import { runtimeClockControl, startLocalServer } from '../../dev/local/http-server';
import type { LocalRuntime } from '../../dev/local/runtime';
import { allSubjects, testRuntime } from '../support/runtime';
import { tinyDistrict } from '../support/tiny-district';
import { buildDashboard, hasChromium, launchChromium, signIn, TEST_PASSWORD, type LaunchedBrowser } from './support/browser';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const outDir = join(repo, 'test-output');
const skipReason = hasChromium() ? '' : 'no /usr/bin/chromium: install it with `apt-get install -y chromium` to run the browser test';
if (skipReason) console.warn(`[browser] application-form.test.ts skipped: ${skipReason}`);

// Monday 2 March 2026: 3 working days from it is Thursday 5 March.
const START = businessInstant('2026-03-02', '10:00');
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe.skipIf(!!skipReason)('dashboard: receiving an application (chromium, real local server)', () => {
  let rt: LocalRuntime;
  let server: { url: string; close: () => Promise<void> };
  let base: string;
  let chrome: LaunchedBrowser;
  let dist: string | undefined;

  beforeAll(async () => {
    dist = await buildDashboard();
    rt = await testRuntime(START);
    const api = createApi({ ...rt.parts, logger: new Logger({ serviceName: 'shudi-browser-test', logLevel: 'SILENT' }) });
    const auth = await DevAuth.create({ districtId: rt.district.territory.districtId, password: TEST_PASSWORD });
    server = await startLocalServer({ api, auth, register: rt.register, clock: runtimeClockControl(rt), staticDir: dist, oidc: {}, ...(rt.notifier instanceof LocalSink ? { outbox: rt.notifier } : {}) });
    base = server.url.replace(/\/+$/, '');
    chrome = await launchChromium('desktop');
  }, 120_000);

  afterAll(async () => {
    await chrome?.close();
    await server?.close();
    if (dist) rmSync(dist, { recursive: true, force: true });
  });

  it('picks a subject and a listed code, shows the server problems under their fields, and opens the case once', async () => {
    const { page } = chrome;
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));
    const posts: Request[] = [];
    page.on('request', (r) => r.method() === 'POST' && new URL(r.url()).pathname === '/cases' && posts.push(r));
    // A subject her community manages (in the form's suggestions) and one of another community.
    const subjects = await allSubjects(rt);
    const hers = subjects.find((s) => s.communityId === 'east-a' && s.class !== 'co_managed')!;
    const other = subjects.find((s) => s.communityId === 'west-a')!;

    await signIn(page, base, 'co-east-a-1');
    await page.waitForURL(/#\/queue$/);
    await page.getByRole('link', { name: '受理申请' }).click();
    await page.waitForURL(/#\/apply$/);
    await page.getByRole('heading', { level: 1, name: '受理申请' }).waitFor();

    // What can be applied for: the district's list, by its Chinese names; nothing to type.
    const code = page.getByRole('combobox', { name: '申请事项' });
    await expect.poll(() => code.locator('option').allTextContents()).toEqual(['请选择申请事项', ...tinyDistrict.applications.map((a) => a.name.zh)]);
    expect(await code.locator('option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))).toEqual(['', ...tinyDistrict.applications.map((a) => a.code)]);
    await expect.poll(() => page.locator('#apply-subjects option').evaluateAll((os) => os.map((o) => (o as HTMLOptionElement).value))).toContain(hers.subjectId);
    const subject = page.getByRole('combobox', { name: '对象编号' });
    const received = page.getByLabel('收到日期');
    expect(await received.inputValue()).toBe('2026-03-02');

    // Empty: refused before it is sent, both fields marked.
    await page.getByRole('button', { name: '立案' }).click();
    expect(await subject.getAttribute('aria-invalid')).toBe('true');
    expect(await code.getAttribute('aria-invalid')).toBe('true');
    expect(posts).toHaveLength(0);

    // A malformed id: the server's 400 names body.subjectId, and its message shows under that field.
    await subject.fill('s 000011');
    await code.selectOption('one_child_certificate');
    await page.getByRole('button', { name: '立案' }).click();
    const subjectError = page.locator('#apply-subjectId-err');
    await expect.poll(() => subjectError.textContent()).toContain('a subject id is letters, digits');
    expect(await code.getAttribute('aria-invalid')).not.toBe('true');
    expect(posts).toHaveLength(1);

    // Another community's subject looks like no subject: the 404 shows under the subject field too.
    await subject.fill(other.subjectId);
    await page.getByRole('button', { name: '立案' }).click();
    await expect.poll(() => subjectError.textContent()).toContain(other.subjectId);
    await page.getByRole('alert').filter({ hasText: other.subjectId }).waitFor();
    expect(posts).toHaveLength(2);
    expect(await rt.cases.listForSubject(other.subjectId, 'open')).toEqual([]);

    // Hers: the case opens, owned by her community, the opinion due 3 working days after the day received.
    await subject.fill(hers.subjectId);
    await page.getByRole('button', { name: '立案' }).click();
    const status = page.getByRole('status').filter({ hasText: '已立案' });
    await status.waitFor();
    expect(await status.textContent()).toContain('2026-03-05');
    expect(posts).toHaveLength(3);
    expect(posts[2]!.postDataJSON()).toEqual({ type: 'application', subjectId: hers.subjectId, code: 'one_child_certificate', receivedOn: '2026-03-02' });
    const keys = await Promise.all(posts.map((p) => p.headerValue('idempotency-key')));
    for (const k of keys) expect(k).toMatch(UUID);
    expect(new Set(keys).size).toBe(3);
    const opened = (await rt.cases.listForSubject(hers.subjectId, 'open')).filter((c) => c.type === 'application');
    expect(opened).toHaveLength(1);
    expect(opened[0]).toMatchObject({ state: 'awaiting_opinion', ownerOrgUnitId: 'east-a', queueOrgUnitId: 'east-a', dueDate: '2026-03-05', data: { code: 'one_child_certificate', receivedOn: '2026-03-02' } });
    // The form is empty again for the next one.
    expect(await subject.inputValue()).toBe('');

    // Its page: an application awaiting the community's opinion.
    await status.getByRole('link', { name: '查看个案' }).click();
    await page.waitForURL(new RegExp(`#/case/${opened[0]!.caseId}$`));
    await page.getByText('待社区意见').first().waitFor();
    await page.getByText('申请').first().waitFor();
    // What it is for, by the district's name (in its fields and in the opening line of its history).
    await expect.poll(() => page.getByText('独生子女父母光荣证').count()).toBe(2);
    expect(await page.getByText('one_child_certificate').count()).toBe(0);

    mkdirSync(outDir, { recursive: true });
    await page.screenshot({ path: join(outDir, 'application-opened.png'), fullPage: true });
    expect(errors).toEqual([]);
  }, 180_000);
});
