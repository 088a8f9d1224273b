/// <reference lib="dom" />
// A case's allowed actions as buttons; each opens the form it needs, inline, and posts it with a fresh
// Idempotency-Key. A 400/409 shows inline: the problem's detail, and each invalid field under the field.
import { useEffect, useRef, useState } from 'preact/hooks';
import { newIdempotencyKey } from '../api/client';
import type { Case } from '../api/types';
import { actionBody, isFormAction, outcomesFor, validateAction, type ActionForm as Form, type FormAction } from '../lib/actions';
import { renderProblem, type ProblemView } from '../lib/problem';
import { ProblemBox } from './common';
import { useApp } from './context';
import { html } from './html';

const safeId = (s: string) => s.replace(/[^A-Za-z0-9_-]/g, '_');

export function ActionBar({ c, onDone }: { c: Case; onDone: (updated: Case, action: FormAction) => void }) {
  const { tr } = useApp();
  const [open, setOpen] = useState<FormAction | null>(null);
  const actions = c.allowedActions.filter(isFormAction);
  useEffect(() => setOpen(null), [c.caseId, c.state]);
  if (actions.length === 0) return html`<p class="muted">${tr.t('case.noActions')}</p>`;
  return html`<div class="action-bar">
    <div class="action-buttons" role="group" aria-label=${tr.t('case.actions')}>
      ${actions.map(
        (a) => html`<button
          type="button"
          class=${`btn ${a === 'acknowledge' ? 'btn-primary' : a === 'cancel' ? 'btn-danger-outline' : 'btn-secondary'}`}
          aria-expanded=${open === a}
          aria-controls=${open === a ? `form-${safeId(c.caseId)}` : undefined}
          onClick=${() => setOpen(open === a ? null : a)}
        >
          ${tr.te('action', a)}
        </button>`,
      )}
    </div>
    ${open
      ? html`<${ActionForm}
          key=${open}
          c=${c}
          action=${open}
          onCancel=${() => setOpen(null)}
          onDone=${(u: Case) => {
            setOpen(null);
            onDone(u, open);
          }}
        />`
      : null}
  </div>`;
}

function ActionForm({ c, action, onCancel, onDone }: { c: Case; action: FormAction; onCancel: () => void; onDone: (u: Case) => void }) {
  const { tr, api, today, orgs } = useApp();
  const [f, setF] = useState<Form>({ date: today });
  const [busy, setBusy] = useState(false);
  const [problem, setProblem] = useState<ProblemView | null>(null);
  const [local, setLocal] = useState<{ path: string; message: string }[]>([]);
  const formRef = useRef<HTMLFormElement>(null);
  const base = `${safeId(c.caseId)}-${action}`;

  useEffect(() => {
    formRef.current?.querySelector<HTMLElement>('select, textarea, input, button[type=submit]')?.focus();
  }, []);

  const set = (k: keyof Form) => (e: Event) => setF({ ...f, [k]: (e.currentTarget as HTMLInputElement).value });
  const fieldErrors = (path: string) => [
    ...local.filter((e) => e.path === path).map((e) => e.message),
    ...(problem?.errors.filter((e) => e.path === path).map((e) => e.message) ?? []),
  ];
  const known = new Set(['body.reason', 'body.outcome', 'body.date', 'body.toOrgUnitId', 'body.toCommunityId']);
  const boxView: ProblemView | null = problem ? { ...problem, errors: problem.errors.filter((e) => !known.has(e.path)) } : null;

  async function submit(e: Event) {
    e.preventDefault();
    if (busy) return;
    const errs = validateAction(action, f).map((x) => ({ path: x.path, message: tr.t(x.key) }));
    setLocal(errs);
    setProblem(null);
    if (errs.length > 0) {
      formRef.current?.querySelector<HTMLElement>('[aria-invalid=true]')?.focus();
      return;
    }
    setBusy(true);
    try {
      const updated = await api.act(c.caseId, actionBody(action, f), newIdempotencyKey());
      onDone(updated);
    } catch (err) {
      setProblem(renderProblem(err, tr));
    } finally {
      setBusy(false);
    }
  }

  const field = (name: keyof Form, label: string, control: (id: string, invalid: boolean, describedBy?: string) => unknown) => {
    const id = `${base}-${name}`;
    const errs = fieldErrors(`body.${name}`);
    return html`<div class=${`field${errs.length ? ' field-invalid' : ''}`}>
      <label for=${id}>${label}</label>
      ${control(id, errs.length > 0, errs.length ? `${id}-err` : undefined)}
      ${errs.length ? html`<p class="field-error" id=${`${id}-err`}>${errs.join('；')}</p>` : null}
    </div>`;
  };

  const reasonField = (required: boolean) =>
    field('reason', required ? tr.t('form.reason') : tr.t('form.reasonOptional'), (id, invalid, desc) =>
      html`<textarea id=${id} rows="3" maxlength="500" required=${required} aria-invalid=${invalid} aria-describedby=${desc} value=${f.reason ?? ''} onInput=${set('reason')}></textarea>`,
    );

  const communitySelect = (name: 'toOrgUnitId' | 'toCommunityId', label: string, placeholder: string, exclude?: string) =>
    field(name, label, (id, invalid, desc) =>
      html`<select id=${id} aria-invalid=${invalid} aria-describedby=${desc} value=${f[name] ?? ''} onChange=${set(name)}>
        <option value="">${placeholder}</option>
        ${orgs.communitiesByStreet().map(
          (g) => html`<optgroup label=${orgs.name(g.street.id, tr.lang)}>
            ${g.communities.filter((x) => x.id !== exclude).map((x) => html`<option value=${x.id}>${orgs.name(x.id, tr.lang)}</option>`)}
          </optgroup>`,
        )}
      </select>`,
    );

  let fields: unknown = null;
  switch (action) {
    case 'acknowledge':
      fields = html`<p>${tr.t('form.confirmAck')}</p>`;
      break;
    case 'reject':
    case 'cancel':
      fields = reasonField(true);
      break;
    case 'escalate':
      fields = reasonField(false);
      break;
    case 'reassign':
      fields = communitySelect('toOrgUnitId', tr.t('form.toOrgUnit'), tr.t('form.toOrgUnitChoose'), c.ownerOrgUnitId);
      break;
    case 'record_outcome':
      fields = html`${field('outcome', tr.t('form.outcome'), (id, invalid, desc) =>
        html`<select id=${id} aria-invalid=${invalid} aria-describedby=${desc} value=${f.outcome ?? ''} onChange=${set('outcome')}>
          <option value="">${tr.t('form.outcomeChoose')}</option>
          ${outcomesFor(c).map((o) => html`<option value=${o}>${tr.te('outcome', o)}</option>`)}
        </select>`,
      )}
      ${field('date', tr.t('form.date'), (id, invalid, desc) =>
        html`<input id=${id} type="date" max=${today} aria-invalid=${invalid} aria-describedby=${desc} value=${f.date ?? ''} onInput=${set('date')} />`,
      )}
      ${f.outcome === 'moved_away' ? communitySelect('toCommunityId', tr.t('form.toCommunity'), tr.t('app.none')) : null}`;
      break;
  }

  return html`<form class="action-form" id=${`form-${safeId(c.caseId)}`} ref=${formRef} onSubmit=${submit} noValidate>
    <p class="action-form-title"><strong>${tr.te('action', action)}</strong></p>
    ${fields}
    ${boxView ? html`<${ProblemBox} view=${boxView} />` : null}
    <div class="form-buttons">
      <button type="submit" class=${`btn ${action === 'cancel' ? 'btn-danger' : 'btn-primary'}`} disabled=${busy} aria-busy=${busy}>
        ${busy ? tr.t('form.submitting') : tr.t('form.submit')}
      </button>
      <button type="button" class="btn btn-secondary" onClick=${onCancel}>${tr.t('form.cancel')}</button>
    </div>
  </form>`;
}
