/// <reference lib="dom" />
// Receive an application: community staff pick the subject and what she applies for (a code from the district's
// list, GET /application-codes; no free text about health) and the day it came in, and open the case (POST /cases).
// The checks run before sending; the server's problems show under the field their path names, the rest above the
// buttons. One Idempotency-Key per filled form: a retry of the same form never opens a second case.
import { useRef, useState } from 'preact/hooks';
import { newIdempotencyKey } from '../api/client';
import type { ApplicationCode, Case } from '../api/types';
import { localName } from '../i18n';
import { applicationBody, applicationFieldOf, validateApplication, type ApplicationForm } from '../lib/application';
import { formatDate } from '../lib/dates';
import { ApiError, renderProblem, type ProblemView } from '../lib/problem';
import { href } from '../lib/routes';
import { Async, pageTitle, ProblemBox } from './common';
import { useApp, useLoad } from './context';
import { html } from './html';

export function ApplyView() {
  const { tr, api, me } = useApp();
  const title = tr.t('apply.title');
  pageTitle(title, tr.t('app.title'));
  const codes = useLoad(() => api.applicationCodes(), []);
  // Suggestions for the subject field: the first page of the subjects her org unit manages (pseudonymous ids).
  const subjects = useLoad(() => api.subjects(me.orgUnitId, { limit: 200 }).catch(() => ({ items: [] })), [me.orgUnitId]);
  return html`<section class="view" aria-labelledby="apply-title">
    <div class="view-head">
      <h1 id="apply-title" tabindex="-1">${title}</h1>
      <p class="muted">${tr.t('apply.intro')}</p>
    </div>
    <${Async} state=${codes}>
      ${(d: { items: ApplicationCode[] }) =>
        d.items.length === 0
          ? html`<p class="notice">${tr.t('apply.noCodes')}</p>`
          : html`<${ApplyForm} codes=${d.items} suggestions=${(subjects.data?.items ?? []).map((s) => s.subjectId)} />`}
    <//>
  </section>`;
}

function ApplyForm({ codes, suggestions }: { codes: ApplicationCode[]; suggestions: string[] }) {
  const { tr, api, today, refresh } = useApp();
  const empty: ApplicationForm = { subjectId: '', code: '', receivedOn: today };
  const [f, setF] = useState<ApplicationForm>(empty);
  const [busy, setBusy] = useState(false);
  const [local, setLocal] = useState<{ path: string; message: string }[]>([]);
  const [problem, setProblem] = useState<{ status: number; view: ProblemView } | null>(null);
  const [opened, setOpened] = useState<Case | null>(null);
  const key = useRef(newIdempotencyKey());
  const formRef = useRef<HTMLFormElement>(null);

  const set = (k: keyof ApplicationForm) => (e: Event) => {
    setF({ ...f, [k]: (e.currentTarget as HTMLInputElement).value });
    // Another form, another request: a new key (the same key with another body would be a 409).
    key.current = newIdempotencyKey();
  };
  const placed = (path: string) => problem?.view.errors.filter((e) => applicationFieldOf(problem.status, e.path) === path).map((e) => e.message) ?? [];
  const fieldErrors = (path: string) => [
    ...local.filter((e) => e.path === path).map((e) => e.message),
    ...placed(path),
    ...(problem && problem.view.errors.length === 0 && applicationFieldOf(problem.status, undefined) === path && problem.view.detail ? [problem.view.detail] : []),
  ];
  const boxView: ProblemView | null = problem ? { ...problem.view, errors: problem.view.errors.filter((e) => !applicationFieldOf(problem.status, e.path)) } : null;

  async function submit(e: Event) {
    e.preventDefault();
    if (busy) return;
    const errs = validateApplication(f, codes, today).map((x) => ({ path: x.path, message: tr.t(x.key) }));
    setLocal(errs);
    setProblem(null);
    setOpened(null);
    if (errs.length > 0) {
      requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>('[aria-invalid=true]')?.focus());
      return;
    }
    setBusy(true);
    try {
      const c = await api.openCase(applicationBody(f), key.current);
      setOpened(c);
      setF(empty);
      key.current = newIdempotencyKey();
      refresh();
    } catch (err) {
      setProblem({ status: err instanceof ApiError ? err.status : 0, view: renderProblem(err, tr) });
      requestAnimationFrame(() => formRef.current?.querySelector<HTMLElement>('[aria-invalid=true], [role=alert]')?.focus());
    } finally {
      setBusy(false);
    }
  }

  const field = (name: keyof ApplicationForm, label: string, control: (id: string, invalid: boolean, describedBy?: string) => unknown, hint?: string) => {
    const id = `apply-${name}`;
    const errs = fieldErrors(`body.${name}`);
    const described = [errs.length ? `${id}-err` : '', hint ? `${id}-hint` : ''].filter(Boolean).join(' ') || undefined;
    return html`<div class=${`field${errs.length ? ' field-invalid' : ''}`}>
      <label for=${id}>${label}</label>
      ${control(id, errs.length > 0, described)}
      ${hint ? html`<p class="muted" id=${`${id}-hint`}>${hint}</p>` : null}
      ${errs.length ? html`<p class="field-error" id=${`${id}-err`}>${errs.join('；')}</p>` : null}
    </div>`;
  };

  return html`<form class="apply-form" ref=${formRef} onSubmit=${submit} noValidate>
    ${field(
      'subjectId',
      tr.t('apply.subject'),
      (id, invalid, desc) => html`<input id=${id} name="subjectId" list="apply-subjects" autocomplete="off" spellcheck=${false} maxlength="80" aria-invalid=${invalid} aria-describedby=${desc} value=${f.subjectId} onInput=${set('subjectId')} />
        <datalist id="apply-subjects">${suggestions.map((s) => html`<option value=${s}></option>`)}</datalist>`,
      tr.t('apply.subjectHint'),
    )}
    ${field('code', tr.t('apply.code'), (id, invalid, desc) =>
      html`<select id=${id} name="code" aria-invalid=${invalid} aria-describedby=${desc} value=${f.code} onChange=${set('code')}>
        <option value="">${tr.t('apply.codeChoose')}</option>
        ${codes.map((c) => html`<option value=${c.code}>${localName(c.name, tr.lang, c.code)}</option>`)}
      </select>`,
    )}
    ${field('receivedOn', tr.t('apply.receivedOn'), (id, invalid, desc) =>
      html`<input id=${id} name="receivedOn" type="date" max=${today} aria-invalid=${invalid} aria-describedby=${desc} value=${f.receivedOn} onInput=${set('receivedOn')} />`,
    )}
    ${boxView ? html`<${ProblemBox} view=${boxView} />` : null}
    <div class="form-buttons">
      <button type="submit" class="btn btn-primary" disabled=${busy} aria-busy=${busy}>${busy ? tr.t('form.submitting') : tr.t('apply.submit')}</button>
    </div>
    <p class="saved" role="status">${opened
      ? html`${tr.t('apply.opened', { id: opened.caseId, due: formatDate(opened.dueDate, tr.lang) })} <a href=${href.case(opened.caseId)}>${tr.t('apply.viewCase')}</a>`
      : ''}</p>
  </form>`;
}
