/// <reference lib="dom" />
// Undeliverable addresses (managers): staff whose phone or e-mail failed for good, in the manager's area, each
// with a button to clear the flag once the address is fixed.
import { useState } from 'preact/hooks';
import type { UndeliverableRow } from '../api/types';
import { formatInstant } from '../lib/dates';
import { Async, pageTitle, ProblemBox } from './common';
import { useApp, useLoad } from './context';
import { html } from './html';
import { ChannelLabel } from './outbox';

export function UndeliverableView() {
  const { tr, api, me, orgs } = useApp();
  const list = useLoad(() => api.undeliverable(me.orgUnitId), [me.orgUnitId]);
  const [busy, setBusy] = useState<string | null>(null);
  const [saved, setSaved] = useState('');
  const [error, setError] = useState<unknown>();
  const title = tr.t('undeliverable.title');
  pageTitle(title, tr.t('app.title'));

  async function clear(r: UndeliverableRow) {
    const key = `${r.staffId}/${r.channel}`;
    setBusy(key);
    setError(undefined);
    setSaved('');
    try {
      await api.clearUndeliverable(r.staffId, r.channel);
      setSaved(tr.t('undeliverable.cleared', { staff: r.staffId, channel: tr.te('channel', r.channel) }));
      list.reload();
    } catch (e) {
      setError(e);
    } finally {
      setBusy(null);
    }
  }

  return html`<section class="view" aria-labelledby="undeliverable-title">
    <div class="view-head">
      <h1 id="undeliverable-title" tabindex="-1">${title}</h1>
      <p class="muted">${tr.t('undeliverable.intro')}</p>
    </div>
    <p class="saved" role="status">${saved}</p>
    ${error !== undefined ? html`<${ProblemBox} error=${error} />` : null}
    <${Async} state=${list}>
      ${(data: { items: UndeliverableRow[] }) =>
        data.items.length === 0
          ? html`<p class="empty">${tr.t('undeliverable.empty')}</p>`
          : html`<table class="responsive undeliverable">
              <caption class="visually-hidden">${tr.t('undeliverable.tableLabel')}</caption>
              <thead>
                <tr>
                  <th scope="col">${tr.t('undeliverable.staff')}</th>
                  <th scope="col">${tr.t('undeliverable.channel')}</th>
                  <th scope="col">${tr.t('undeliverable.address')}</th>
                  <th scope="col">${tr.t('undeliverable.reason')}</th>
                  <th scope="col">${tr.t('undeliverable.since')}</th>
                  <th scope="col"><span class="visually-hidden">${tr.t('undeliverable.clear')}</span></th>
                </tr>
              </thead>
              <tbody>
                ${data.items.map(
                  (r) => html`<tr key=${`${r.staffId}/${r.channel}`} data-staff-id=${r.staffId} data-channel=${r.channel}>
                    <th scope="row" data-label=${tr.t('undeliverable.staff')}>
                      <div class="cell"><span>${r.staffId}</span> <span class="muted">${tr.te('role', r.role)} · ${orgs.name(r.orgUnitId, tr.lang)}</span></div>
                    </th>
                    <td data-label=${tr.t('undeliverable.channel')}><div class="cell"><${ChannelLabel} channel=${r.channel} /></div></td>
                    <td data-label=${tr.t('undeliverable.address')}><div class="cell">${r.to}</div></td>
                    <td data-label=${tr.t('undeliverable.reason')}><div class="cell"><code>${r.reason}</code></div></td>
                    <td data-label=${tr.t('undeliverable.since')}><div class="cell"><time datetime=${r.at}>${formatInstant(r.at, tr.lang)}</time></div></td>
                    <td data-label=${tr.t('undeliverable.clear')}>
                      <div class="cell">
                        <button
                          type="button"
                          class="btn btn-secondary"
                          aria-label=${tr.t('undeliverable.clearLabel', { staff: r.staffId, channel: tr.te('channel', r.channel) })}
                          disabled=${busy !== null}
                          aria-busy=${busy === `${r.staffId}/${r.channel}`}
                          onClick=${() => void clear(r)}
                        >
                          ${tr.t('undeliverable.clear')}
                        </button>
                      </div>
                    </td>
                  </tr>`,
                )}
              </tbody>
            </table>`}
    <//>
  </section>`;
}
