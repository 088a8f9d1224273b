/// <reference lib="dom" />
// Sign in. dev: a staff id → POST /dev/login → a token in sessionStorage. cognito: the hosted UI (a seam only).
import { useState } from 'preact/hooks';
import type { Api } from '../api/client';
import { beginCognitoSignIn, setToken } from '../auth';
import type { DashboardConfig } from '../config';
import type { Translator } from '../i18n';
import { renderProblem, type ProblemView } from '../lib/problem';
import { html } from './html';

export function SignIn({ config, api, tr, notice, onSignedIn, langToggle }: { config: DashboardConfig; api: Api; tr: Translator; notice?: string; onSignedIn: () => void; langToggle: unknown }) {
  const [staffId, setStaffId] = useState('');
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ProblemView | null>(null);
  const [missing, setMissing] = useState(false);

  async function signIn(id: string) {
    const sid = id.trim();
    if (!sid) {
      setMissing(true);
      document.getElementById('staff-id')?.focus();
      return;
    }
    setMissing(false);
    setBusy(true);
    setProblem(null);
    try {
      const { token } = await api.devLogin(sid);
      setToken(token);
      onSignedIn();
    } catch (e) {
      setProblem(renderProblem(e, tr));
    } finally {
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
      ${config.authMode === 'cognito'
        ? html`<button type="button" class="btn btn-primary btn-block" onClick=${() => beginCognitoSignIn(config) || setProblem({ title: tr.t('signin.cognitoMissing'), errors: [] })}>
              ${tr.t('signin.cognito')}
            </button>
            ${problem ? html`<div class="problem" role="alert"><p><strong>${problem.title}</strong></p></div>` : null}`
        : html`<p class="muted">${tr.t('signin.intro')}</p>
            <form
              onSubmit=${(e: Event) => {
                e.preventDefault();
                void signIn(staffId);
              }}
              noValidate
            >
              <div class=${`field${missing ? ' field-invalid' : ''}`}>
                <label for="staff-id">${tr.t('signin.staffId')}</label>
                <input
                  id="staff-id"
                  name="staffId"
                  autocomplete="username"
                  autocapitalize="none"
                  spellcheck=${false}
                  value=${staffId}
                  aria-invalid=${missing}
                  aria-describedby=${missing ? 'staff-id-err' : undefined}
                  onInput=${(e: Event) => setStaffId((e.currentTarget as HTMLInputElement).value)}
                />
                ${missing ? html`<p class="field-error" id="staff-id-err">${tr.t('signin.required')}</p>` : null}
              </div>
              <button type="submit" class="btn btn-primary btn-block" disabled=${busy}>${busy ? tr.t('signin.submitting') : tr.t('signin.submit')}</button>
            </form>
            ${problem
              ? html`<div class="problem" role="alert">
                  <p><strong>${problem.title}</strong></p>
                  ${problem.detail ? html`<p>${problem.detail}</p>` : null}
                  ${problem.errors.length
                    ? html`<ul class="problem-errors">
                        ${problem.errors.map((e) => html`<li><span class="problem-field">${e.field}</span>: ${e.message}</li>`)}
                      </ul>`
                    : null}
                </div>`
              : null}
            <div class="suggested" role="group" aria-labelledby="suggested-label">
              <p id="suggested-label" class="muted">${tr.t('signin.suggested')}</p>
              <div class="chips">
                ${config.suggestedStaffIds.map(
                  (id) => html`<button type="button" class="chip" disabled=${busy} onClick=${() => {
                    setStaffId(id);
                    void signIn(id);
                  }}>${id}</button>`,
                )}
              </div>
            </div>`}
    </div>
  </main>`;
}
