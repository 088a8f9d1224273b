/// <reference lib="dom" />
// My queue: the open cases in the signed-in staff member's own org unit queue, soonest due first.
import { useState } from 'preact/hooks';
import type { Case } from '../api/types';
import type { FormAction } from '../lib/actions';
import { CaseCards } from './case-list';
import { Loading, pageTitle, ProblemBox } from './common';
import { useApp } from './context';
import { html } from './html';
import { usePaged } from './paged';

const types = ['handover', 'follow_up', 'health_check', 'certificate_check', 'unit_notice', 'change_report', 'application'];

export function QueueView() {
  const app = useApp();
  const { tr, api, me, orgs } = app;
  const [type, setType] = useState('');
  const [saved, setSaved] = useState<string | null>(null);
  const list = usePaged((cursor) => api.queue(me.orgUnitId, { status: 'open', ...(type ? { type } : {}), ...(cursor ? { cursor } : {}) }), [me.orgUnitId, type]);
  const title = tr.t('queue.title', { org: orgs.name(me.orgUnitId, tr.lang) });
  pageTitle(title, tr.t('app.title'));

  function acted(c: Case, a: FormAction) {
    setSaved(tr.t('case.savedCase', { action: tr.te('action', a), id: c.caseId }));
    app.refresh();
  }

  return html`<section class="view" aria-labelledby="queue-title">
    <div class="view-head">
      <h1 id="queue-title" tabindex="-1">${title}</h1>
      <p class="muted">${tr.t('queue.intro')}</p>
    </div>
    <div class="toolbar">
      <div class="field field-inline">
        <label for="queue-type">${tr.t('queue.filterType')}</label>
        <select id="queue-type" value=${type} onChange=${(e: Event) => setType((e.currentTarget as HTMLSelectElement).value)}>
          <option value="">${tr.t('queue.allTypes')}</option>
          ${types.map((x) => html`<option value=${x}>${tr.te('type', x)}</option>`)}
        </select>
      </div>
      ${list.items ? html`<p class="muted count">${tr.t('queue.count', { n: list.items.length + (list.hasMore ? '+' : '') })}</p>` : null}
    </div>
    <p class="saved" role="status">${saved ?? ''}</p>
    ${list.first.error !== undefined && !list.items
      ? html`<${ProblemBox} error=${list.first.error} onRetry=${list.first.reload} />`
      : !list.items
        ? html`<${Loading} />`
        : list.items.length === 0
          ? html`<p class="empty">${tr.t('queue.empty')}</p>`
          : html`<${CaseCards} cases=${list.items} onActed=${acted} label=${title} />`}
    ${list.moreError !== undefined ? html`<${ProblemBox} error=${list.moreError} />` : null}
    ${list.hasMore
      ? html`<button type="button" class="btn btn-secondary btn-block" onClick=${list.loadMore} disabled=${list.loadingMore}>${tr.t('app.loadMore')}</button>`
      : null}
  </section>`;
}
