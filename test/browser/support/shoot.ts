// Screenshots of the main screens, for a person to look at:
//   npx tsx test/browser/support/shoot.ts http://127.0.0.1:3100 sm-xinhua test-output/shots '#/overview/xinhua' '#/queue' …
import { mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { launchChromium, signIn, viewports } from './browser';

const [base = 'http://127.0.0.1:3100', staffId = 'sm-xinhua', out = 'test-output/shots', ...routes] = process.argv.slice(2);
mkdirSync(out, { recursive: true });
for (const vp of Object.keys(viewports) as (keyof typeof viewports)[]) {
  const b = await launchChromium(vp);
  try {
    const { page } = b;
    page.on('console', (m) => m.type() === 'error' && console.log(`[console] ${m.text()}`));
    page.on('pageerror', (e) => console.log(`[pageerror] ${e.message}`));
    await page.goto(base);
    await page.screenshot({ path: join(out, `${vp}-signin.png`), fullPage: true });
    await signIn(page, base, staffId);
    for (const r of routes.length ? routes : ['#/']) {
      const [hash, lang] = r.split('@');
      if (lang) await page.evaluate((l) => localStorage.setItem('shudi.lang', l), lang);
      await page.goto(`${base}/${hash}`);
      if (lang) await page.reload();
      await page.waitForTimeout(800);
      await page.waitForFunction(() => !document.querySelector('.loading'), undefined, { timeout: 10_000 }).catch(() => {});
      const name = `${vp}-${(hash ?? '').replace(/[^a-z0-9]+/gi, '_').replace(/^_+|_+$/g, '') || 'home'}${lang ? `-${lang}` : ''}.png`;
      await page.screenshot({ path: join(out, name), fullPage: true });
      console.log(join(out, name));
      // Long pages also in screen-sized slices, readable one at a time.
      const height = await page.evaluate(() => document.documentElement.scrollHeight);
      const vh = viewports[vp].height;
      for (let i = 0; height > vh * 1.3 && i * vh < height && i < 8; i++) {
        const slice = name.replace(/\.png$/, `-${i + 1}.png`);
        await page.screenshot({ path: join(out, slice), fullPage: true, clip: { x: 0, y: i * vh, width: viewports[vp].width, height: Math.min(vh, height - i * vh) } });
      }
    }
  } finally {
    await b.close();
  }
}
