/// <reference lib="dom" />
// The dev bar, shown only when GET /dev/clock answers: the runtime's time, and buttons that move it.
import { useState } from 'preact/hooks';
import type { Api } from '../api/client';
import type { Translator } from '../i18n';
import { formatInstant } from '../lib/dates';
import { renderProblem, type ProblemView } from '../lib/problem';
import { html } from './html';

export function DevBar({ api, tr, now, onAdvanced }: { api: Api; tr: Translator; now: string; onAdvanced: (now: string) => void }) {
  const [busy, setBusy] = useState<number | null>(null);
  const [message, setMessage] = useState('');
  const [problem, setProblem] = useState<ProblemView | null>(null);

  async function advance(days: number) {
    setBusy(days);
    setProblem(null);
    setMessage(tr.t('dev.advancing'));
    try {
      const r = await api.advanceClock(days);
      setMessage(tr.t('dev.advanced', { n: days, now: formatInstant(r.now, tr.lang) }));
      onAdvanced(r.now);
    } catch (e) {
      setMessage('');
      setProblem(renderProblem(e, tr));
    } finally {
      setBusy(null);
    }
  }

  return html`<aside class="devbar" aria-label=${tr.t('dev.label')}>
    <span class="devbar-tag">${tr.t('dev.label')}</span>
    <span class="devbar-now"><span class="devbar-now-label">${tr.t('dev.now')}</span> <time datetime=${now} data-testid="dev-now">${formatInstant(now, tr.lang)}</time> <span class="muted">${tr.t('app.timezone')}</span></span>
    <span class="devbar-buttons" role="group" aria-label=${tr.t('dev.advance')}>
      ${[1, 7, 31].map(
        (d) => html`<button type="button" class="btn btn-dev" disabled=${busy !== null} aria-busy=${busy === d} onClick=${() => void advance(d)}>
          ${tr.t('dev.plusDays', { n: d })}
        </button>`,
      )}
    </span>
    <span class="devbar-msg" role="status">${problem ? `${problem.title}${problem.detail ? `: ${problem.detail}` : ''}` : message}</span>
  </aside>`;
}
