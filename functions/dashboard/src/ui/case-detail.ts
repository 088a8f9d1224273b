/// <reference lib="dom" />
// One case: its fields, its allowed actions, and its whole history as a timeline (Asia/Shanghai times).
import { useState } from 'preact/hooks';
import type { Case } from '../api/types';
import type { FormAction } from '../lib/actions';
import { dataEntries, historyLine } from '../lib/case-view';
import { localName } from '../i18n';
import { formatInstant } from '../lib/dates';
import { href } from '../lib/routes';
import { ActionBar } from './actions';
import { Async, DueBadge, DueDate, pageTitle, StateBadge } from './common';
import { useApp, useLoad } from './context';
import { html } from './html';

export function CaseDetailView({ caseId }: { caseId: string }) {
  const app = useApp();
  const { tr, api } = app;
  const state = useLoad(() => api.getCase(caseId), [caseId]);
  const [saved, setSaved] = useState<string | null>(null);
  pageTitle(tr.t('case.title', { id: caseId }), tr.t('app.title'));
  return html`<section class="view" aria-labelledby="case-title">
    <p class="back">
      <button type="button" class="btn btn-link" onClick=${() => (history.length > 1 ? history.back() : location.assign('#/'))}>← ${tr.t('app.back')}</button>
    </p>
    <p class="saved" role="status">${saved ?? ''}</p>
    <${Async} state=${state}>
      ${(c: Case) => html`<${CaseBody}
        c=${c}
        onActed=${(_u: Case, a: FormAction) => {
          setSaved(tr.t('case.saved', { action: tr.te('action', a) }));
          app.refresh();
        }}
      />`}
    <//>
  </section>`;
}

function CaseBody({ c, onActed }: { c: Case; onActed: (u: Case, a: FormAction) => void }) {
  const { tr, orgs, api } = useApp();
  const org = (id: string) => orgs.name(id, tr.lang);
  // An application names what it is for by code: shown by the district's name for it.
  const codes = useLoad(() => (c.type === 'application' ? api.applicationCodes() : Promise.resolve({ items: [] })), [c.type]);
  const codeName = (code: string) => {
    const found = codes.data?.items.find((x) => x.code === code);
    return found ? localName(found.name, tr.lang, code) : code;
  };
  const history = [...(c.history ?? [])].sort((a, b) => b.seq - a.seq);
  const facts: [string, unknown][] = [
    [tr.t('case.type'), tr.te('type', c.type)],
    [tr.t('case.state'), html`<${StateBadge} c=${c} /> <span class="muted">${tr.te('status', c.status)}</span>`],
    [tr.t('case.due'), html`<${DueDate} c=${c} /> <${DueBadge} c=${c} />`],
    [tr.t('case.subject'), c.subjectId ?? '–'],
    [tr.t('case.owner'), org(c.ownerOrgUnitId)],
    [tr.t('case.queue'), html`${org(c.queueOrgUnitId)} <span class="muted">· ${tr.te('level', c.level)}</span>`],
    [tr.t('case.created'), formatInstant(c.createdAt, tr.lang)],
    [tr.t('case.updated'), formatInstant(c.updatedAt, tr.lang)],
  ];
  if (c.closedAt) facts.push([tr.t('case.closed'), formatInstant(c.closedAt, tr.lang)]);
  if (c.parentCaseId) facts.push([tr.t('case.parent'), html`<a href=${href.case(c.parentCaseId)}>${c.parentCaseId}</a>`]);
  const details = dataEntries(c, tr, org).map((d) => (c.type === 'application' && d.key === 'code' ? { ...d, value: codeName(String(c.data.code)) } : d));
  return html`<div class=${`case-detail${c.overdue ? ' is-overdue' : ''}`}>
    <div class="view-head">
      <h1 id="case-title" tabindex="-1">${tr.te('type', c.type)} <span class="case-id">${c.caseId}</span></h1>
    </div>
    <div class="detail-grid">
      <div class="detail-col">
      <section class="panel panel-fields" aria-labelledby="case-fields">
        <h2 id="case-fields">${tr.t('case.fields')}</h2>
        <dl class="facts">
          ${facts.map(([k, v]) => html`<div><dt>${k}</dt><dd>${v}</dd></div>`)}
        </dl>
        ${details.length
          ? html`<h3>${tr.t('case.details')}</h3>
              <dl class="facts">
                ${details.map((d) => html`<div><dt>${d.label}</dt><dd>${d.value}</dd></div>`)}
              </dl>`
          : null}
      </section>
      </div>
      <div class="detail-col">
      <section class="panel panel-actions" aria-labelledby="case-actions">
        <h2 id="case-actions">${tr.t('case.actions')}</h2>
        <${ActionBar} c=${c} onDone=${onActed} />
      </section>
      <section class="panel panel-history" aria-labelledby="case-history">
        <h2 id="case-history">${tr.t('case.history')} <span class="muted small">(${tr.t('app.timezone')})</span></h2>
        ${history.length === 0
          ? html`<p class="muted">${tr.t('case.historyEmpty')}</p>`
          : html`<ol class="timeline">
              ${history.map((h) => {
                const line = historyLine(h, tr, org);
                // An application's opening reason is its code.
                const l = c.type === 'application' && h.action === 'open' && line.reason ? { ...line, reason: codeName(line.reason) } : line;
                return html`<li class=${`timeline-item action-${h.action}`}>
                  <div class="timeline-head">
                    <strong class="timeline-what">${l.what}</strong>
                    <time datetime=${h.at}>${l.when}</time>
                  </div>
                  <dl class="timeline-facts">
                    <div><dt>${tr.t('history.by')}</dt><dd>${l.who}</dd></div>
                    <div><dt>${tr.t('case.queue')}</dt><dd class=${l.moved ? 'moved' : ''}>${l.queue}</dd></div>
                    <div><dt>${tr.t('history.state')}</dt><dd>${l.state}</dd></div>
                    ${l.reason ? html`<div class="timeline-reason"><dt>${tr.t('history.reason')}</dt><dd>${l.reason}</dd></div>` : null}
                  </dl>
                </li>`;
              })}
            </ol>`}
      </section>
      </div>
    </div>
  </div>`;
}
