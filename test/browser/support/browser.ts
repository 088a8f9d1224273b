// Headless Debian chromium through playwright-core (never `playwright install`: the browser is the
// system's /usr/bin/chromium), each launch with a fresh profile directory.
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { chromium, type BrowserContext, type Page } from 'playwright-core';

export const CHROMIUM = process.env.SHUDI_CHROMIUM ?? '/usr/bin/chromium';
export const hasChromium = () => existsSync(CHROMIUM);

export const viewports = {
  desktop: { width: 1280, height: 800 },
  phone: { width: 375, height: 667 },
} as const;

export interface LaunchedBrowser {
  context: BrowserContext;
  page: Page;
  close: () => Promise<void>;
}

/**
 * Chromium with a fresh --user-data-dir (a persistent context on a new temp dir, which is how
 * playwright takes that flag), at a viewport; phone is mobile and touch-enabled.
 */
export async function launchChromium(viewport: keyof typeof viewports = 'desktop', opts: { locale?: string } = {}): Promise<LaunchedBrowser> {
  const userDataDir = mkdtempSync(join(tmpdir(), 'shudi-chromium-'));
  const context = await chromium.launchPersistentContext(userDataDir, {
    executablePath: CHROMIUM,
    headless: true,
    args: ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'],
    viewport: viewports[viewport],
    ...(viewport === 'phone' ? { isMobile: true, hasTouch: true, deviceScaleFactor: 2 } : {}),
    locale: opts.locale ?? 'zh-CN',
    timezoneId: 'Europe/London', // not Asia/Shanghai on purpose: dates must still show in Asia/Shanghai
  });
  const page = context.pages()[0] ?? (await context.newPage());
  return {
    context,
    page,
    close: async () => {
      await context.close().catch(() => {});
      rmSync(userDataDir, { recursive: true, force: true });
    },
  };
}

/** The development password of the local providers the browser tests start (DevAuth `password`). */
export const TEST_PASSWORD = 'test-dev-password';

/**
 * Signs in as the dashboard does everywhere: its sign-in button → the OpenID provider's login page
 * (staff id and password) → back with a code the dashboard exchanges.
 */
export async function signIn(page: Page, baseUrl: string, staffId: string, password = TEST_PASSWORD): Promise<void> {
  await page.goto(`${baseUrl}/#/signin`);
  await page.getByRole('button', { name: /^(登录|Sign in)$/ }).click();
  await page.getByLabel(/Staff id/).fill(staffId);
  await page.getByLabel(/Password/).fill(password);
  await page.getByRole('button', { name: '登录 Sign in' }).click();
  await page.locator('[data-testid=who]').waitFor();
}

/**
 * Builds the dashboard into a fresh temp dir (not functions/dashboard/dist: test files run in
 * parallel, and another build emptying the same folder would pull the files from under a server).
 */
export async function buildDashboard(): Promise<string> {
  const { build } = await import('vite');
  const outDir = mkdtempSync(join(tmpdir(), 'shudi-dashboard-'));
  const configFile = fileURLToPath(new URL('../../../functions/dashboard/vite.config.ts', import.meta.url));
  await build({ configFile, logLevel: 'warn', build: { outDir, emptyOutDir: true } });
  return outDir;
}
