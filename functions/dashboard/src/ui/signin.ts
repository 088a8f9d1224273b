/// <reference lib="dom" />
// Sign in: one button that goes to the district's identity provider (OpenID Connect, src/auth.ts).
import { useState } from 'preact/hooks';
import type { OidcSession } from '../auth';
import type { Translator } from '../i18n';
import { html } from './html';

export function SignIn({ session, tr, notice, error, langToggle }: { session: OidcSession | undefined; tr: Translator; notice?: string; error?: string; langToggle: unknown }) {
  const [busy, setBusy] = useState(false);
  const [failed, setFailed] = useState<string | undefined>();
  const problem = failed ?? error;

  async function go() {
    if (!session) return;
    setBusy(true);
    setFailed(undefined);
    try {
      await session.signIn();
    } catch (e) {
      setFailed(e instanceof Error ? e.message : String(e));
      setBusy(false);
    }
  }

  return html`<main id="main" class="signin">
    <div class="signin-card">
      <div class="signin-top">
        <p class="brand"><span class="brand-mark" aria-hidden="true">属</span>${tr.t('app.title')}</p>
        ${langToggle}
      </div>
      <h1>${tr.t('signin.title')}</h1>
      ${notice ? html`<p class="notice" role="status">${notice}</p>` : null}
      ${session
        ? html`<p class="muted">${tr.t('signin.intro', { issuer: new URL(session.config.issuer).host })}</p>
            <button type="button" class="btn btn-primary btn-block" disabled=${busy} onClick=${() => void go()}>
              ${busy ? tr.t('signin.submitting') : tr.t('signin.submit')}
            </button>`
        : html`<p class="muted">${tr.t('signin.notConfigured')}</p>`}
      ${problem
        ? html`<div class="problem" role="alert">
            <p><strong>${tr.t('signin.failed')}</strong></p>
            <p>${problem}</p>
          </div>`
        : null}
    </div>
  </main>`;
}
