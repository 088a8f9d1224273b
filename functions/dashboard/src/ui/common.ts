/// <reference lib="dom" />
// Small shared pieces: problem boxes, loading lines, badges.
import type { Case } from '../api/types';
import { dueStatus, formatDate } from '../lib/dates';
import { renderProblem, type ProblemView } from '../lib/problem';
import { useApp, type Loaded } from './context';
import { html } from './html';

/** A failed call, as problem details: title, the server's detail, and each invalid field. */
export function ProblemBox({ error, view, onRetry }: { error?: unknown; view?: ProblemView; onRetry?: () => void }) {
  const { tr } = useApp();
  const v = view ?? renderProblem(error, tr);
  return html`<div class="problem" role="alert">
    <p class="problem-title"><strong>${v.title}</strong></p>
    ${v.detail ? html`<p class="problem-detail">${v.detail}</p>` : null}
    ${v.errors.length > 0
      ? html`<ul class="problem-errors">
          ${v.errors.map((e) => html`<li><span class="problem-field">${e.field}</span>: ${e.message}</li>`)}
        </ul>`
      : null}
    ${onRetry ? html`<button type="button" class="btn btn-secondary" onClick=${onRetry}>${tr.t('app.retry')}</button>` : null}
  </div>`;
}

export function Loading() {
  const { tr } = useApp();
  return html`<p class="loading" role="status"><span class="spinner" aria-hidden="true"></span>${tr.t('app.loading')}</p>`;
}

/** Loading, error (with retry) or the content. */
export function Async<T>({ state, children }: { state: Loaded<T>; children: (data: T) => unknown }) {
  if (state.error !== undefined && state.data === undefined) return html`<${ProblemBox} error=${state.error} onRetry=${state.reload} />`;
  if (state.data === undefined) return html`<${Loading} />`;
  return html`${children(state.data)}`;
}

/** Red "逾期 N 天", amber "今天到期" / "剩 N 天", or plain. */
export function DueBadge({ c }: { c: Pick<Case, 'dueDate' | 'overdue' | 'daysOverdue' | 'status'> }) {
  const { tr, today } = useApp();
  const s = dueStatus(c, today);
  switch (s.kind) {
    case 'overdue':
      return html`<span class="badge badge-overdue">${tr.t('case.overdueDays', { n: s.days })}</span>`;
    case 'today':
      return html`<span class="badge badge-soon">${tr.t('case.dueToday')}</span>`;
    case 'soon':
      return html`<span class="badge badge-soon">${tr.t('case.dueIn', { n: s.days })}</span>`;
    case 'later':
      return html`<span class="badge badge-later">${tr.t('case.dueIn', { n: s.days })}</span>`;
    case 'closed':
      return null;
  }
}

export function DueDate({ c }: { c: Pick<Case, 'dueDate' | 'provisional'> }) {
  const { tr } = useApp();
  return html`<span class="due-date">${formatDate(c.dueDate, tr.lang)}${c.provisional
    ? html` <abbr class="provisional" title=${tr.t('case.provisionalHint')}>${tr.t('case.provisional')}</abbr>`
    : null}</span>`;
}

export function StateBadge({ c }: { c: Pick<Case, 'state' | 'status'> }) {
  const { tr } = useApp();
  return html`<span class=${`badge badge-state state-${c.status}`}>${tr.te('state', c.state)}</span>`;
}

export function TypeLabel({ type }: { type: string }) {
  const { tr } = useApp();
  return html`<span class=${`type type-${type}`}>${tr.te('type', type)}</span>`;
}

/** Sets document.title to "<page> · <app>". */
export function pageTitle(title: string, app: string): void {
  if (typeof document !== 'undefined') document.title = `${title} · ${app}`;
}
