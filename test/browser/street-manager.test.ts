// A street manager, in a real browser against the real local server (issue 4):
//   signs in as sm-east (through the local OpenID provider) → advances the clock 31 days from the dev bar → sees the handover nobody
//   acknowledged appear as overdue in East Street → opens it and reads its history → screenshot.
//
// Needs /usr/bin/chromium (Debian package `chromium`); skipped, saying so, when it is missing.
// The server is the one `npm start` runs (dev/local/http-server.ts: the API handler, the OpenID
// provider at /oidc, /dev/clock and the dashboard's files on one origin), over a tiny-district runtime on a virtual clock;
// the dashboard is built here first (functions/dashboard/vite.config.ts, about a second).
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalSink } from '../../functions/adapters/local-sink';
import { createApi } from '../../functions/api/app';
import { businessInstant } from '../../functions/domain/time';
import { DevAuth } from '../../dev/local/dev-auth';
import { runtimeClockControl, startLocalServer } from '../../dev/local/http-server';
import type { LocalRuntime } from '../../dev/local/runtime';
import { allSubjects, testRuntime } from '../support/runtime';
import { buildDashboard, hasChromium, launchChromium, signIn, TEST_PASSWORD, type LaunchedBrowser } from './support/browser';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const outDir = join(repo, 'test-output');
const skipReason = hasChromium() ? '' : 'no /usr/bin/chromium: install it with `apt-get install -y chromium` to run the browser test';
if (skipReason) console.warn(`[browser] street-manager.test.ts skipped: ${skipReason}`);

// Monday 2 March 2026: 30 calendar days later is Wednesday 1 April, a working day (a period ending on
// a rest day would run on to the next working day).
const START = businessInstant('2026-03-02', '10:00');
const CASE_ID = 'ho-browser-unacknowledged';

describe.skipIf(!!skipReason)('dashboard: street manager (chromium, real local server)', () => {
  let rt: LocalRuntime;
  let server: { url: string; close: () => Promise<void> };
  let base: string;
  let chrome: LaunchedBrowser;
  let communityZh: string;
  let dist: string | undefined;

  beforeAll(async () => {
    dist = await buildDashboard();

    rt = await testRuntime(START);
    // A woman left her unit today; the unit opens the handover to her residence community in East
    // Street. Nobody there acknowledges it: in 30 days it is overdue.
    const subject = (await allSubjects(rt)).find((s) => s.class === 'co_managed' && s.unitId && rt.district.territory.streetOf(s.communityId) === 'east');
    if (!subject) throw new Error('the tiny district has no co-managed subject living in East Street');
    await rt.openCase(
      { type: 'handover', caseId: CASE_ID, subjectId: subject.subjectId, reason: 'resigned', separationDate: '2026-03-02' },
      { kind: 'staff', staffId: `ul-${subject.unitId}` },
    );
    const opened = await rt.cases.get(CASE_ID);
    expect(opened).toMatchObject({ ownerOrgUnitId: subject.communityId, dueDate: '2026-04-01', level: 'community' });
    communityZh = rt.district.territory.require(subject.communityId).name.zh;

    const api = createApi({ ...rt.parts, logger: new Logger({ serviceName: 'shudi-browser-test', logLevel: 'SILENT' }) });
    const auth = await DevAuth.create({ districtId: rt.district.territory.districtId, password: TEST_PASSWORD });
    server = await startLocalServer({ api, auth, register: rt.register, clock: runtimeClockControl(rt), staticDir: dist, oidc: {}, ...(rt.notifier instanceof LocalSink ? { outbox: rt.notifier } : {}) });
    base = server.url.replace(/\/+$/, '');
    chrome = await launchChromium('desktop');
  });

  afterAll(async () => {
    await chrome?.close();
    await server?.close();
    if (dist) rmSync(dist, { recursive: true, force: true });
  });

  it('sees an unacknowledged handover go overdue in its street after 31 days, and opens its history', async () => {
    const { page } = chrome;
    const errors: string[] = [];
    page.on('pageerror', (e) => errors.push(e.message));

    // Sign in at the local OpenID provider with the staff id and the development password.
    await signIn(page, base, 'sm-east');
    await expect.poll(() => page.locator('[data-testid=who]').textContent()).toContain('街道管理员');
    // A street manager lands on her street's overview; nothing is overdue yet.
    await page.waitForURL(/#\/overview\/east$/);
    await page.getByRole('heading', { name: /东街道/, level: 1 }).waitFor();
    await page.getByText('没有逾期的手续移交。').waitFor();
    await expect.poll(() => page.locator(`[data-case-id="${CASE_ID}"]`).count()).toBe(0);

    // The dev bar moves the runtime's clock 31 days on, running every timer that falls due.
    const clockBefore = await page.getByTestId('dev-now').getAttribute('datetime');
    await page.getByRole('button', { name: '+31 天' }).click();
    await expect.poll(() => page.getByTestId('dev-now').getAttribute('datetime'), { timeout: 60_000 }).not.toBe(clockBefore);
    const clockAfter = Date.parse((await page.getByTestId('dev-now').getAttribute('datetime'))!);
    expect(Math.round((clockAfter - Date.parse(START)) / 86_400_000)).toBe(31);

    // The handover is overdue now: in the chart and table of its street's overview, and in the list.
    const row = page.locator(`tr[data-case-id="${CASE_ID}"]`);
    await row.waitFor({ timeout: 30_000 });
    await expect.poll(() => row.textContent()).toMatch(/逾期 1 天/);
    const bar = page.locator('.bar-row').filter({ hasText: communityZh });
    await expect.poll(() => bar.locator('.bar-track').getAttribute('aria-label')).toMatch(/共 1 件；1–7 天 1 件/);
    await expect.poll(() => page.locator('table.buckets tfoot td').allTextContents()).toEqual(['1', '0', '0', '1']);

    // Its history: opened by the unit, then overdue, moved from the community queue to the street's.
    await row.getByRole('link').click();
    await page.waitForURL(new RegExp(`#/case/${CASE_ID}$`));
    const timeline = page.locator('ol.timeline');
    await timeline.waitFor();
    const entries = await timeline.locator('li').allTextContents();
    expect(entries.some((e) => e.includes('立案') && e.includes('辞职'))).toBe(true);
    expect(entries.some((e) => e.includes('逾期') && e.includes('→ 东街道'))).toBe(true);
    // Times in Asia/Shanghai (the browser runs in Europe/London): overdue at 00:00 the day after the due date.
    expect(entries.join('\n')).toContain('2026-04-02 00:00');

    mkdirSync(outDir, { recursive: true });
    await page.screenshot({ path: join(outDir, 'street-manager-case-history.png'), fullPage: true });
    expect(errors).toEqual([]);
  }, 180_000);
});
