/// <reference lib="dom" />
// The Outbox (local runtime only): what the reminder publisher would have sent, to whom (staff id, masked
// address), when, by which channel and template, and the text; newest first, filtered by staff id and channel.
import { useState } from 'preact/hooks';
import type { DeliveryChannel, OutboxMessage } from '../api/types';
import { formatInstant } from '../lib/dates';
import { channelIcon, deliveryChannels, newestFirst, outboxQuery, type OutboxFilters } from '../lib/reminders';
import { Async, pageTitle } from './common';
import { useApp, useLoad } from './context';
import { html } from './html';

export function ChannelLabel({ channel }: { channel: string }) {
  const { tr } = useApp();
  return html`<span class=${`channel channel-${channel}`}><span class="channel-icon" aria-hidden="true">${channelIcon(channel)}</span> ${tr.te('channel', channel)}</span>`;
}

export function OutboxView() {
  const { tr, api } = useApp();
  const [draft, setDraft] = useState<OutboxFilters>({ staffId: '', channel: '' });
  const [filters, setFilters] = useState<OutboxFilters>(draft);
  const list = useLoad(() => api.devOutbox(outboxQuery(filters)), [filters.staffId, filters.channel]);
  const title = tr.t('outbox.title');
  pageTitle(title, tr.t('app.title'));

  return html`<section class="view" aria-labelledby="outbox-title">
    <div class="view-head">
      <h1 id="outbox-title" tabindex="-1">${title}</h1>
      <p class="muted">${tr.t('outbox.intro')}</p>
    </div>
    <form
      class="toolbar outbox-filters"
      onSubmit=${(e: Event) => {
        e.preventDefault();
        setFilters({ ...draft });
      }}
    >
      <div class="field field-inline">
        <label for="outbox-staff">${tr.t('outbox.filterStaff')}</label>
        <input id="outbox-staff" name="staffId" autocomplete="off" spellcheck=${false} value=${draft.staffId} onInput=${(e: Event) => setDraft({ ...draft, staffId: (e.currentTarget as HTMLInputElement).value })} />
      </div>
      <div class="field field-inline">
        <label for="outbox-channel">${tr.t('outbox.filterChannel')}</label>
        <select
          id="outbox-channel"
          value=${draft.channel}
          onChange=${(e: Event) => {
            const next = { ...draft, channel: (e.currentTarget as HTMLSelectElement).value as '' | DeliveryChannel };
            setDraft(next);
            setFilters(next);
          }}
        >
          <option value="">${tr.t('outbox.allChannels')}</option>
          ${deliveryChannels.map((c) => html`<option value=${c}>${channelIcon(c)} ${tr.te('channel', c)}</option>`)}
        </select>
      </div>
      <button type="submit" class="btn btn-secondary">${tr.t('outbox.apply')}</button>
      ${list.data ? html`<p class="muted count" role="status">${tr.t('outbox.count', { n: list.data.items.length })}</p>` : null}
    </form>
    <${Async} state=${list}>
      ${(data: { items: OutboxMessage[] }) =>
        data.items.length === 0
          ? html`<p class="empty">${tr.t('outbox.empty')}</p>`
          : html`<ol class="outbox-list" aria-label=${tr.t('outbox.listLabel')}>
              ${newestFirst(data.items).map(
                (m, i) => html`<li key=${`${m.at}-${m.staffId}-${m.channel}-${i}`} class=${`outbox-item outbox-${m.channel}`} data-channel=${m.channel} data-staff-id=${m.staffId}>
                  <div class="outbox-head">
                    <${ChannelLabel} channel=${m.channel} />
                    <span class="outbox-to"><span class="visually-hidden">${tr.t('outbox.to')}: </span><strong>${m.staffId}</strong> <span class="muted">${m.to}</span></span>
                    <time datetime=${m.at} class="outbox-at">${formatInstant(m.at, tr.lang)}</time>
                  </div>
                  <p class="outbox-meta muted"><span>${tr.t('outbox.kind')}: <code>${m.kind}</code></span> · <span lang=${m.language}>${tr.te('language', m.language)}</span></p>
                  ${m.subject ? html`<p class="outbox-subject"><strong>${m.subject}</strong></p>` : null}
                  <p class="outbox-text" lang=${m.language}>${m.text}</p>
                </li>`,
              )}
            </ol>`}
    <//>
  </section>`;
}
