// The dashboard's behaviour in a real browser against the fixture API (test/browser/support/mock-api.ts):
// action forms, problem details shown inline, Idempotency-Key per submit, the language switch, and the
// phone layout (no sideways scrolling, tap targets of 40px or more). The real-server path is
// street-manager.test.ts; this one needs no DynamoDB and runs in seconds.
import { mkdirSync, rmSync } from 'node:fs';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { Page, Request } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { buildDashboard, hasChromium, launchChromium, signIn, type LaunchedBrowser } from './support/browser';
import { startMockApi, type MockApi } from './support/mock-api';

const repo = fileURLToPath(new URL('../../', import.meta.url));
const outDir = join(repo, 'test-output');
const skip = !hasChromium();
if (skip) console.warn('[browser] dashboard-ui.test.ts skipped: no /usr/bin/chromium (apt-get install -y chromium)');

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

describe.skipIf(skip)('dashboard UI (chromium, fixture API)', { timeout: 120_000 }, () => {
  let api: MockApi;
  let dist: string | undefined;

  beforeAll(async () => {
    dist = await buildDashboard();
    api = await startMockApi(0, { dist });
    mkdirSync(outDir, { recursive: true });
  });
  afterAll(async () => {
    await api?.close();
    if (dist) rmSync(dist, { recursive: true, force: true });
  });

  async function withBrowser(viewport: 'desktop' | 'phone', fn: (page: Page) => Promise<void>) {
    const b: LaunchedBrowser = await launchChromium(viewport);
    const errors: string[] = [];
    b.page.on('pageerror', (e) => errors.push(e.message));
    try {
      await fn(b.page);
      expect(errors).toEqual([]);
    } finally {
      await b.close();
    }
  }

  it('a staff member works her queue: forms check themselves, the server problems show inline, each submit has its own key', async () => {
    await withBrowser('desktop', async (page) => {
      const posts: Request[] = [];
      page.on('request', (r) => r.method() === 'POST' && r.url().includes('/actions') && posts.push(r));
      await signIn(page, api.url, 'co-tongqiao-1');
      await page.waitForURL(/#\/queue$/);
      const cards = page.locator('li.case-card');
      await cards.first().waitFor();

      // Soonest due first.
      const dues = await cards.evaluateAll((els) => els.map((e) => e.querySelector('time, .due-date')?.textContent ?? ''));
      expect(dues.length).toBeGreaterThan(1);
      expect([...dues].sort()).toEqual(dues);

      // Reject with no reason: refused before it is sent, the field marked.
      const handover = cards.filter({ hasText: '手续移交' }).first();
      const caseId = (await handover.getAttribute('data-case-id'))!;
      await handover.getByRole('button', { name: '退回' }).click();
      await handover.getByRole('button', { name: '提交' }).click();
      const reason = handover.getByRole('textbox', { name: '原因' });
      expect(await reason.getAttribute('aria-invalid')).toBe('true');
      expect(await handover.locator('.field-error').textContent()).toBe('原因');
      expect(posts).toHaveLength(0);

      // The server refuses (409): its detail shows inline, in the form.
      await page.route(`**/cases/${caseId}/actions`, (route) =>
        route.fulfill({
          status: 409,
          contentType: 'application/problem+json',
          body: JSON.stringify({ type: 'https://shudi.dev/problems/conflict', title: 'Conflict', status: 409, detail: 'reject is not allowed: the case is acknowledged' }),
        }),
      );
      await reason.fill('不是本社区居民');
      await handover.getByRole('button', { name: '提交' }).click();
      const alert = handover.getByRole('alert');
      await alert.waitFor();
      expect(await alert.textContent()).toContain('当前状态不允许该操作');
      expect(await alert.textContent()).toContain('reject is not allowed: the case is acknowledged');

      // Sent again (a new submit, a new key), it goes through: the case leaves the queue for the street's.
      await page.unroute(`**/cases/${caseId}/actions`);
      await handover.getByRole('button', { name: '提交' }).click();
      await page.getByRole('status').filter({ hasText: '已保存：退回' }).waitFor();
      await expect.poll(() => page.locator(`li.case-card[data-case-id="${caseId}"]`).count()).toBe(0);
      expect(posts).toHaveLength(2);
      const keys = await Promise.all(posts.map((p) => p.headerValue('idempotency-key')));
      expect(keys[0]).toMatch(UUID);
      expect(keys[1]).toMatch(UUID);
      expect(keys[0]).not.toBe(keys[1]);
      expect(posts[1]!.postDataJSON()).toEqual({ action: 'reject', reason: '不是本社区居民' });

      // record_outcome: an outcome select for the type, a date; a 400 names the field under it.
      const visit = cards.filter({ hasText: '随访' }).first();
      await visit.getByRole('button', { name: '登记结果' }).click();
      const outcome = visit.getByRole('combobox', { name: '结果' });
      expect(await outcome.locator('option').allTextContents()).toEqual(['请选择结果', '已随访', '未联系上', '已迁出']);
      await outcome.selectOption('visited');
      await visit.getByLabel('日期').fill('2099-01-01');
      await visit.getByRole('button', { name: '提交' }).click();
      await visit.locator('.field-error').filter({ hasText: 'the outcome date 2099-01-01 is in the future' }).waitFor();
      expect(await visit.getByLabel('日期').getAttribute('aria-invalid')).toBe('true');
      await page.screenshot({ path: join(outDir, 'dashboard-queue-problem.png') });
    });
  });

  it('English on a switch, kept across a reload; dates stay in Asia/Shanghai', async () => {
    await withBrowser('desktop', async (page) => {
      await signIn(page, api.url, 'sm-xinhua');
      await page.getByRole('heading', { level: 1, name: /新华路街道/ }).waitFor();
      await page.getByRole('button', { name: '切换到英文' }).click();
      await page.getByRole('heading', { level: 1, name: 'Xinhua Road Street Office · overview' }).waitFor();
      expect(await page.evaluate(() => document.documentElement.lang)).toBe('en');
      await page.reload();
      await page.getByRole('heading', { level: 1, name: 'Xinhua Road Street Office · overview' }).waitFor();
      // The fixture clock is 2026-06-15T02:00Z: 10:00 in Shanghai (the browser is on London time).
      expect(await page.getByTestId('dev-now').textContent()).toBe('15 Jun 2026, 10:00');
      await page.getByRole('button', { name: '+7 days' }).click();
      await expect.poll(() => page.getByTestId('dev-now').textContent()).toBe('22 Jun 2026, 10:00');
    });
  });

  it('a manager drills down district → street → community → case', async () => {
    await withBrowser('desktop', async (page) => {
      await signIn(page, api.url, 'dm-chuanhui');
      await page.waitForURL(/#\/overview\/chuanhui$/);
      await page.getByRole('link', { name: '查看新华路街道' }).click();
      await page.waitForURL(/#\/overview\/xinhua$/);
      const crumbs = page.getByRole('navigation', { name: '层级导航' });
      expect(await crumbs.getByRole('listitem').allTextContents()).toEqual(['川汇区', '新华路街道']);
      const community = page.locator('.bar-row a').first();
      const target = (await community.getAttribute('href'))!;
      expect(target).toMatch(/^#\/overview\/[a-z]+$/);
      expect(target).not.toBe('#/overview/xinhua');
      await community.click();
      await page.waitForURL((u) => u.hash === target);
      await expect.poll(() => crumbs.getByRole('listitem').count()).toBe(3);
      const row = page.locator('table.cases tbody tr').first();
      await row.waitFor();
      await row.getByRole('link').click();
      await page.waitForURL(/#\/case\//);
      await page.locator('ol.timeline li').first().waitFor();
      expect(await page.locator('ol.timeline li').count()).toBeGreaterThan(1);
    });
  });

  it('the Outbox page (local runtime): newest first, channel icons, masked addresses, filters by staff and channel', async () => {
    await withBrowser('desktop', async (page) => {
      await signIn(page, api.url, 'sm-xinhua');
      await page.getByRole('navigation', { name: '主导航' }).getByRole('link', { name: '发件箱' }).click();
      await page.waitForURL(/#\/outbox$/);
      await page.getByRole('heading', { level: 1, name: '发件箱（本地）' }).waitFor();
      const items = page.locator('li.outbox-item');
      await items.first().waitFor();
      const times = await items.evaluateAll((els) => els.map((e) => e.querySelector('time')!.getAttribute('datetime')!));
      expect(times.length).toBeGreaterThan(3);
      expect([...times].sort().reverse()).toEqual(times);
      const text = (await page.locator('ol.outbox-list').textContent())!;
      expect(text).toContain('💬');
      expect(text).toContain('✉️');
      expect(text).toMatch(/\+86139\*{4}\d{4}/);
      expect(text).not.toMatch(/\+86139\d{8}/);

      await page.getByRole('combobox', { name: '渠道' }).selectOption('email');
      await expect.poll(async () => [...new Set(await items.evaluateAll((els) => els.map((e) => e.getAttribute('data-channel'))))]).toEqual(['email']);
      const staffId = (await items.first().getAttribute('data-staff-id'))!;
      await page.getByRole('combobox', { name: '渠道' }).selectOption('');
      await page.getByRole('textbox', { name: '工号' }).fill(staffId);
      await page.getByRole('button', { name: '筛选' }).click();
      await expect.poll(async () => [...new Set(await items.evaluateAll((els) => els.map((e) => e.getAttribute('data-staff-id'))))]).toEqual([staffId]);
      expect(await items.count()).toBe(2);
      await page.getByRole('button', { name: '切换到英文' }).click();
      await page.getByRole('heading', { level: 1, name: 'Outbox (local)' }).waitFor();
      expect(await page.getByRole('status').filter({ hasText: 'messages' }).textContent()).toBe('2 messages');
      await page.screenshot({ path: join(outDir, 'dashboard-outbox.png') });
    });
  });

  it('My settings: the form shows her preferences, checks HH:MM, and sends only what changed', async () => {
    await withBrowser('desktop', async (page) => {
      const patches: Request[] = [];
      page.on('request', (r) => r.method() === 'PATCH' && patches.push(r));
      await signIn(page, api.url, 'co-tongqiao-1');
      await page.getByRole('link', { name: '我的设置' }).click();
      await page.waitForURL(/#\/settings$/);
      await page.getByRole('heading', { level: 1, name: '我的设置' }).waitFor();
      expect(await page.getByRole('radio', { name: /短信$/ }).isChecked()).toBe(true);
      expect(await page.getByLabel('开始').inputValue()).toBe('21:00');

      // Nothing changed: nothing sent.
      await page.getByRole('button', { name: '保存' }).click();
      await page.getByRole('status').filter({ hasText: '没有改动' }).waitFor();
      expect(patches).toHaveLength(0);

      // A time that is not HH:MM (typed into the time field's value directly) is refused before it is sent.
      await page.getByLabel('开始').evaluate((el: HTMLInputElement) => {
        el.type = 'text';
        el.value = '25:00';
        el.dispatchEvent(new Event('input', { bubbles: true }));
      });
      await page.getByRole('button', { name: '保存' }).click();
      expect(await page.getByLabel('开始').getAttribute('aria-invalid')).toBe('true');
      expect(await page.locator('.field-error').textContent()).toContain('HH:MM');
      expect(patches).toHaveLength(0);

      await page.getByLabel('开始').evaluate((el: HTMLInputElement) => {
        el.value = '22:30';
        el.dispatchEvent(new Event('input', { bubbles: true }));
      });
      await page.getByRole('radio', { name: /短信和电子邮件/ }).check();
      await page.getByRole('combobox', { name: '提醒语言' }).selectOption('en');
      await page.getByRole('button', { name: '保存' }).click();
      await page.getByRole('status').filter({ hasText: '设置已保存' }).waitFor();
      expect(patches).toHaveLength(1);
      expect(patches[0]!.url()).toContain('/staff/co-tongqiao-1/preferences');
      expect(patches[0]!.postDataJSON()).toEqual({ channel: 'both', language: 'en', quietHours: { start: '22:30', end: '08:00' } });
      expect(api.preferences?.get('co-tongqiao-1')).toEqual({ channel: 'both', language: 'en', quietHours: { start: '22:30', end: '08:00' } });
      // A community officer has no Undeliverable page.
      expect(await page.getByRole('link', { name: '无法送达' }).count()).toBe(0);
      await page.screenshot({ path: join(outDir, 'dashboard-settings.png') });
    });
  });

  it('Undeliverable (managers): a row per flagged channel, cleared with its button', async () => {
    await withBrowser('desktop', async (page) => {
      await signIn(page, api.url, 'dm-chuanhui');
      await page.getByRole('link', { name: '无法送达' }).click();
      await page.waitForURL(/#\/undeliverable$/);
      const rows = page.locator('table.undeliverable tbody tr');
      await rows.first().waitFor();
      const before = await rows.count();
      expect(before).toBeGreaterThan(0);
      const first = rows.first();
      const staffId = (await first.getAttribute('data-staff-id'))!;
      await first.getByRole('button', { name: new RegExp(`^${staffId} 的`) }).click();
      await page.getByRole('status').filter({ hasText: `已恢复 ${staffId}` }).waitFor();
      await expect.poll(() => rows.count()).toBe(before - 1);
    });
  });

  it('on a phone: nothing scrolls sideways, every control is at least 40px tall, tables are cards', async () => {
    await withBrowser('phone', async (page) => {
      await signIn(page, api.url, 'sm-xinhua');
      for (const hash of ['#/overview/xinhua', '#/queue', '#/apply', '#/case/ho-0001', '#/outbox', '#/undeliverable', '#/settings']) {
        await page.goto(`${api.url}/${hash}`);
        await page.waitForFunction(() => !document.querySelector('.loading') && document.querySelector('#main h1'));
        const overflow = await page.evaluate(() => document.documentElement.scrollWidth - document.documentElement.clientWidth);
        expect(overflow, hash).toBeLessThanOrEqual(0);
        const small = await page.evaluate(() =>
          Array.from(document.querySelectorAll<HTMLElement>('button, select, input, textarea, summary, .mainnav a, .bar-label, .case-link, .breadcrumb a, table a'))
            .filter((el) => el.offsetParent !== null)
            .map((el) => ({ what: `${el.tagName} ${el.textContent?.trim().slice(0, 20)}`, h: el.getBoundingClientRect().height }))
            .filter((x) => x.h < 40),
        );
        expect(small, hash).toEqual([]);
        await page.screenshot({ path: join(outDir, `dashboard-phone-${hash.replace(/[^a-z0-9]+/gi, '-').replace(/^-|-$/g, '')}.png`) });
      }
      await page.goto(`${api.url}/#/overview/xinhua`);
      await page.locator('table.cases').waitFor();
      expect(await page.locator('table.cases thead').evaluate((el) => el.getBoundingClientRect().height)).toBeLessThanOrEqual(1);
    });
  });
});
