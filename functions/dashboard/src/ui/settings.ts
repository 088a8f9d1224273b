/// <reference lib="dom" />
// My settings: the signed-in staff member's reminder channel, language and quiet hours (PATCH only what changed).
import { useState } from 'preact/hooks';
import type { Channel, Preferences } from '../api/types';
import { languages } from '../i18n';
import { channelIcon, channels, formOf, preferencesPatch, settingsErrors, type SettingsForm } from '../lib/reminders';
import { pageTitle, ProblemBox } from './common';
import { useApp } from './context';
import { html } from './html';

export function SettingsView({ onSaved }: { onSaved: (p: Preferences) => void }) {
  const { tr, api, me } = useApp();
  const title = tr.t('settings.title');
  pageTitle(title, tr.t('app.title'));
  const current = me.preferences;
  const [form, setForm] = useState<SettingsForm | null>(current ? formOf(current) : null);
  const [shown, setShown] = useState<string[]>([]);
  const [busy, setBusy] = useState(false);
  const [saved, setSaved] = useState('');
  const [error, setError] = useState<unknown>();

  if (!current || !form) {
    return html`<section class="view"><h1 tabindex="-1">${title}</h1><p class="notice">${tr.t('settings.unavailable')}</p></section>`;
  }
  const set = (patch: Partial<SettingsForm>) => {
    setForm({ ...form, ...patch });
    setSaved('');
  };

  async function submit(e: Event) {
    e.preventDefault();
    if (!form || !current) return;
    const errs = settingsErrors(form);
    setShown(errs);
    setError(undefined);
    if (errs.length) return;
    const patch = preferencesPatch(current, form);
    if (!patch) {
      setSaved(tr.t('settings.unchanged'));
      return;
    }
    setBusy(true);
    try {
      const after = await api.setPreferences(me.staffId, patch);
      setSaved(tr.t('settings.saved'));
      onSaved(after);
    } catch (err) {
      setError(err);
    } finally {
      setBusy(false);
    }
  }

  const timeField = (id: 'quietStart' | 'quietEnd', label: string) => {
    const invalid = shown.includes(id);
    return html`<div class=${`field field-inline${invalid ? ' field-invalid' : ''}`}>
      <label for=${`settings-${id}`}>${label}</label>
      <input
        id=${`settings-${id}`}
        name=${id}
        type="time"
        step="60"
        value=${form[id]}
        aria-invalid=${invalid ? 'true' : undefined}
        aria-describedby=${invalid ? `settings-${id}-error` : 'settings-quiet-hint'}
        onInput=${(e: Event) => set({ [id]: (e.currentTarget as HTMLInputElement).value } as Partial<SettingsForm>)}
      />
      ${invalid ? html`<p class="field-error" id=${`settings-${id}-error`}>${tr.t('settings.timeInvalid')}</p>` : null}
    </div>`;
  };

  return html`<section class="view" aria-labelledby="settings-title">
    <div class="view-head">
      <h1 id="settings-title" tabindex="-1">${title}</h1>
      <p class="muted">${tr.t('settings.intro')}</p>
    </div>
    <form class="settings-form" onSubmit=${submit} noValidate>
      <fieldset class="field">
        <legend>${tr.t('settings.channel')}</legend>
        <div class="choice-group">
          ${channels.map(
            (c) => html`<label class="choice">
              <input type="radio" name="channel" value=${c} checked=${form.channel === c} onChange=${() => set({ channel: c as Channel })} />
              <span aria-hidden="true">${c === 'both' ? `${channelIcon('sms')}${channelIcon('email')}` : channelIcon(c)}</span> ${tr.te('channel', c)}
            </label>`,
          )}
        </div>
      </fieldset>
      <div class="field">
        <label for="settings-language">${tr.t('settings.language')}</label>
        <select id="settings-language" name="language" value=${form.language} onChange=${(e: Event) => set({ language: (e.currentTarget as HTMLSelectElement).value as SettingsForm['language'] })}>
          ${languages.map((l) => html`<option value=${l}>${tr.te('language', l)}</option>`)}
        </select>
      </div>
      <fieldset class="field">
        <legend>${tr.t('settings.quietHours')}</legend>
        <div class="quiet-hours">${timeField('quietStart', tr.t('settings.quietStart'))} ${timeField('quietEnd', tr.t('settings.quietEnd'))}</div>
        <p class="muted" id="settings-quiet-hint">${tr.t('settings.quietHint')}</p>
      </fieldset>
      ${error !== undefined ? html`<${ProblemBox} error=${error} />` : null}
      <div class="form-buttons">
        <button type="submit" class="btn btn-primary" disabled=${busy} aria-busy=${busy}>${busy ? tr.t('settings.saving') : tr.t('settings.save')}</button>
      </div>
      <p class="saved" role="status">${saved}</p>
    </form>
  </section>`;
}
