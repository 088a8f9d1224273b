/// <reference lib="dom" />
// Case lists. CaseTable: a table that becomes cards on a narrow screen (overview lists). CaseCards: the
// work list of a queue, one card per case with its actions, the action form opening full width below.
import type { Case } from '../api/types';
import type { FormAction } from '../lib/actions';
import { href } from '../lib/routes';
import { ActionBar } from './actions';
import { DueBadge, DueDate, StateBadge, TypeLabel } from './common';
import { useApp } from './context';
import { html } from './html';

export function CaseTable({ cases, caption }: { cases: Case[]; caption: string }) {
  const { tr, orgs } = useApp();
  return html`<table class="cases responsive">
    <caption class="visually-hidden">${caption}</caption>
    <thead>
      <tr>
        <th scope="col">${tr.t('case.due')}</th>
        <th scope="col">${tr.t('case.type')}</th>
        <th scope="col">${tr.t('case.subject')}</th>
        <th scope="col">${tr.t('case.owner')}</th>
        <th scope="col">${tr.t('case.queue')}</th>
        <th scope="col">${tr.t('case.state')}</th>
      </tr>
    </thead>
    <tbody>
      ${cases.map(
        (c) => html`<tr key=${c.caseId} class=${c.overdue ? 'row-overdue' : ''} data-case-id=${c.caseId}>
          <td data-label=${tr.t('case.due')} class="cell-due"><div class="cell"><${DueDate} c=${c} /> <${DueBadge} c=${c} /></div></td>
          <td data-label=${tr.t('case.type')} class="cell-type">
            <div class="cell"><a href=${href.case(c.caseId)} class="case-link"><${TypeLabel} type=${c.type} /><span class="case-id">${c.caseId}</span></a></div>
          </td>
          <td data-label=${tr.t('case.subject')}><div class="cell">${c.subjectId ?? '–'}</div></td>
          <td data-label=${tr.t('case.owner')}><div class="cell">${orgs.name(c.ownerOrgUnitId, tr.lang)}</div></td>
          <td data-label=${tr.t('case.queue')}><div class="cell">${orgs.name(c.queueOrgUnitId, tr.lang)} <span class="muted">· ${tr.te('level', c.level)}</span></div></td>
          <td data-label=${tr.t('case.state')}><div class="cell"><${StateBadge} c=${c} /></div></td>
        </tr>`,
      )}
    </tbody>
  </table>`;
}

export function CaseCards({ cases, onActed, label }: { cases: Case[]; onActed: (c: Case, a: FormAction) => void; label: string }) {
  const { tr, orgs } = useApp();
  return html`<ol class="case-cards" aria-label=${label}>
    ${cases.map(
      (c) => html`<li key=${c.caseId} class=${`case-card${c.overdue ? ' is-overdue' : ''}`} data-case-id=${c.caseId}>
        <div class="case-card-head">
          <a href=${href.case(c.caseId)} class="case-link case-card-title"><${TypeLabel} type=${c.type} /><span class="case-id">${c.caseId}</span></a>
          <${DueBadge} c=${c} />
        </div>
        <dl class="case-card-facts">
          <div><dt>${tr.t('case.due')}</dt><dd><${DueDate} c=${c} /></dd></div>
          <div><dt>${tr.t('case.subject')}</dt><dd>${c.subjectId ?? '–'}</dd></div>
          <div><dt>${tr.t('case.owner')}</dt><dd>${orgs.name(c.ownerOrgUnitId, tr.lang)}</dd></div>
          <div><dt>${tr.t('case.state')}</dt><dd><${StateBadge} c=${c} /></dd></div>
        </dl>
        <${ActionBar} c=${c} onDone=${(u: Case, a: FormAction) => onActed(u, a)} />
      </li>`,
    )}
  </ol>`;
}
