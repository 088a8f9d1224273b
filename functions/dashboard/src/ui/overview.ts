/// <reference lib="dom" />
// The manager's overview of one org unit: overdue handovers by child (stacked bars and a table, aging
// buckets 1–7 / 8–30 / 31+ days), open cases by queue level, the on-time rate by month, and the overdue
// cases themselves. Drill down district → street → community → case.
import { useState } from 'preact/hooks';
import type { Case, ExchangeReport, LateReportingReport, OnTimeReport, OverdueHandoversReport } from '../api/types';
import { formatInstant, formatMonth, lastMonths } from '../lib/dates';
import { bucketNames, levelCounts, levels, onTimeSeries, overdueBars, percent, type BarChart, type OnTimePoint } from '../lib/reports';
import { href } from '../lib/routes';
import { CaseTable } from './case-list';
import { RateLine, StackedBars } from './charts';
import { Async, Loading, pageTitle, ProblemBox } from './common';
import { useApp, useLoad } from './context';
import { html } from './html';
import { usePaged } from './paged';

const MONTHS = 12;
const COUNT_PAGES = 5;
const COUNT_PAGE_SIZE = 200; // the API's largest page

export function OverviewView({ orgUnitId }: { orgUnitId: string }) {
  const { tr, orgs, me } = useApp();
  const unit = orgs.get(orgUnitId);
  const name = orgs.name(orgUnitId, tr.lang);
  const title = tr.t('overview.title', { org: name });
  pageTitle(title, tr.t('app.title'));
  // The breadcrumb starts at the signed-in manager's own unit: above it she may not look.
  const lineage = orgs.lineage(orgUnitId);
  const from = lineage.findIndex((u) => u.id === me.orgUnitId);
  const crumbs = from >= 0 ? lineage.slice(from) : lineage.slice(-1);
  return html`<section class="view" aria-labelledby="overview-title">
    ${crumbs.length > 1
      ? html`<nav class="breadcrumb" aria-label=${tr.t('overview.breadcrumb')}>
          <ol>
            ${crumbs.map((u, i) =>
              i === crumbs.length - 1
                ? html`<li><span aria-current="page">${orgs.name(u.id, tr.lang)}</span></li>`
                : html`<li><a href=${href.overview(u.id)}>${orgs.name(u.id, tr.lang)}</a></li>`,
            )}
          </ol>
        </nav>`
      : null}
    <div class="view-head">
      <h1 id="overview-title" tabindex="-1">${title}</h1>
      ${unit ? html`<p class="muted">${tr.te('level', unit.kind === 'street' && unit.streetKind === 'town' ? 'town' : unit.kind)}</p>` : null}
    </div>
    <div class="overview-grid">
      <${OverdueHandovers} orgUnitId=${orgUnitId} />
      <${LevelCountsPanel} orgUnitId=${orgUnitId} />
      <${OnTimePanel} orgUnitId=${orgUnitId} />
      <${ExchangePanel} orgUnitId=${orgUnitId} />
      <${LateReportingPanel} orgUnitId=${orgUnitId} />
      <${OverdueCases} orgUnitId=${orgUnitId} />
    </div>
  </section>`;
}

function OverdueHandovers({ orgUnitId }: { orgUnitId: string }) {
  const { tr, api, orgs } = useApp();
  const state = useLoad(() => api.overdueHandovers(orgUnitId), [orgUnitId]);
  return html`<section class="panel panel-wide" aria-labelledby="ov-overdue">
    <h2 id="ov-overdue">${tr.t('overview.overdueTitle')}</h2>
    <${Async} state=${state}>
      ${(report: OverdueHandoversReport) => {
        // The table lists every child street or community (so each can be opened), the chart only those with overdue cases.
        const listed = new Set(report.children.map((c) => c.orgUnitId));
        const extra = orgs
          .children(orgUnitId)
          .filter((u) => (u.kind === 'street' || u.kind === 'community') && !listed.has(u.id))
          .map((u) => ({ orgUnitId: u.id, total: 0, buckets: {} }));
        const all = { children: [...report.children, ...extra] };
        const label = (id: string) => orgs.name(id, tr.lang);
        const chart = overdueBars(all, label);
        // Units (a street has dozens) are listed only when something of theirs is overdue.
        const table = overdueBars(
          { children: all.children.filter((c) => orgs.get(c.orgUnitId)?.kind !== 'unit' || (c.total ?? 0) > 0) },
          label,
          { keepEmpty: true },
        );
        // A community's report is about itself: nothing to drill into but its cases below.
        const drill = (id: string) => {
          const kind = orgs.get(id)?.kind;
          return id !== orgUnitId && (kind === 'street' || kind === 'community') ? href.overview(id) : undefined;
        };
        return html`<p class="muted">${tr.t('overview.overdueIntro', { asOf: formatInstant(report.asOf, tr.lang) })}</p>
          ${chart.rows.length ? html`<${StackedBars} chart=${chart} rowHref=${drill} />` : html`<p class="empty">${tr.t('overview.noOverdue')}</p>`}
          ${table.rows.length ? html`<${BucketTable} chart=${table} rowHref=${drill} />` : null}`;
      }}
    <//>
  </section>`;
}

function BucketTable({ chart, rowHref }: { chart: BarChart; rowHref: (id: string) => string | undefined }) {
  const { tr } = useApp();
  return html`<table class="buckets">
    <caption class="visually-hidden">${tr.t('overview.overdueTitle')}</caption>
    <thead>
      <tr>
        <th scope="col">${tr.t('overview.child')}</th>
        ${bucketNames.map((b) => html`<th scope="col" class="num">${tr.te('bucket', b)}</th>`)}
        <th scope="col" class="num">${tr.t('overview.total')}</th>
      </tr>
    </thead>
    <tbody>
      ${chart.rows.map((r) => {
        const link = rowHref(r.orgUnitId);
        return html`<tr>
          <th scope="row" data-label=${tr.t('overview.child')}>
            ${link ? html`<a href=${link} aria-label=${tr.t('overview.viewChild', { org: r.label })}>${r.label}</a>` : r.label}
          </th>
          ${r.counts.map((n, i) => html`<td class=${`num${n > 0 ? ` has-${i}` : ''}`} data-label=${tr.te('bucket', bucketNames[i]!)}>${n}</td>`)}
          <td class="num strong" data-label=${tr.t('overview.total')}>${r.total}</td>
        </tr>`;
      })}
    </tbody>
    <tfoot>
      <tr>
        <th scope="row" data-label="">${tr.t('overview.total')}</th>
        ${chart.totals.counts.map((n, i) => html`<td class="num" data-label=${tr.te('bucket', bucketNames[i]!)}>${n}</td>`)}
        <td class="num strong" data-label=${tr.t('overview.total')}>${chart.totals.total}</td>
      </tr>
    </tfoot>
  </table>`;
}

function LevelCountsPanel({ orgUnitId }: { orgUnitId: string }) {
  const { tr, api } = useApp();
  const state = useLoad(async () => {
    const cases: Case[] = [];
    let cursor: string | undefined;
    let pages = 0;
    do {
      const page = await api.queue(orgUnitId, { include: 'descendants', status: 'open', limit: COUNT_PAGE_SIZE, ...(cursor ? { cursor } : {}) });
      cases.push(...page.items);
      cursor = page.cursor;
    } while (cursor && ++pages < COUNT_PAGES);
    return { counts: levelCounts(cases), capped: cursor ? cases.length : 0 };
  }, [orgUnitId]);
  return html`<section class="panel" aria-labelledby="ov-levels">
    <h2 id="ov-levels">${tr.t('overview.countsTitle')}</h2>
    <p class="muted">${tr.t('overview.countsIntro')}</p>
    <${Async} state=${state}>
      ${({ counts, capped }: { counts: ReturnType<typeof levelCounts>; capped: number }) => html`<ul class="level-counts">
          ${levels
            .filter((l) => l !== 'unit' || counts.unit.open > 0)
            .map(
              (l) => html`<li class=${counts[l].overdue > 0 ? 'has-overdue' : ''}>
                <span class="level-name">${tr.te('level', l)}</span>
                <span class="level-open"><strong>${counts[l].open}</strong> ${tr.t('overview.countsOpen')}</span>
                <span class=${`level-overdue${counts[l].overdue > 0 ? ' is-overdue' : ''}`}>${counts[l].overdue} ${tr.t('overview.countsOverdue')}</span>
              </li>`,
            )}
        </ul>
        ${capped ? html`<p class="muted small">${tr.t('overview.countsCapped', { n: capped })}</p>` : null}`}
    <//>
  </section>`;
}

function OnTimePanel({ orgUnitId }: { orgUnitId: string }) {
  const { tr, api, now } = useApp();
  const months = lastMonths(now, MONTHS);
  const state = useLoad(async () => {
    const reports = await Promise.all(months.map((m) => api.onTime(orgUnitId, m.from, m.to).catch((e: unknown) => e)));
    const failed = reports.find((r) => r instanceof Error);
    if (failed && reports.every((r) => r instanceof Error)) throw failed;
    return onTimeSeries(months, reports.map((r) => (r instanceof Error ? undefined : (r as OnTimeReport))), orgUnitId);
  }, [orgUnitId, months[months.length - 1]!.month]);
  return html`<section class="panel" aria-labelledby="ov-ontime">
    <h2 id="ov-ontime">${tr.t('overview.onTimeTitle')}</h2>
    <p class="muted">${tr.t('overview.onTimeIntro', { n: MONTHS })}</p>
    <${Async} state=${state}>
      ${(points: OnTimePoint[]) => html`<${RateLine} points=${points} />
        <details class="data-table">
          <summary>${tr.t('overview.month')} · ${tr.t('overview.rate')}</summary>
          <table class="compact">
            <thead>
              <tr>
                <th scope="col">${tr.t('overview.month')}</th>
                <th scope="col" class="num">${tr.t('overview.closed')}</th>
                <th scope="col" class="num">${tr.t('overview.onTime')}</th>
                <th scope="col" class="num">${tr.t('overview.rate')}</th>
              </tr>
            </thead>
            <tbody>
              ${points.map(
                (p) => html`<tr>
                  <th scope="row">${formatMonth(p.month, tr.lang)}</th>
                  <td class="num">${p.closed}</td>
                  <td class="num">${p.onTime}</td>
                  <td class="num">${p.rate === null ? tr.t('overview.onTimeNoData') : percent(p.rate)}</td>
                </tr>`,
              )}
            </tbody>
          </table>
        </details>`}
    <//>
  </section>`;
}

/**
 * Messages with other districts over the last year: sent, acknowledged, overdue, and the source's two rates beside its
 * targets. Not shown for a district that exchanges with no other (the report answers 404).
 */
function ExchangePanel({ orgUnitId }: { orgUnitId: string }) {
  const { tr, api, now } = useApp();
  const months = lastMonths(now, MONTHS);
  const from = months[0]!.from;
  const to = months[months.length - 1]!.to;
  const state = useLoad(() => api.exchange(orgUnitId, from, to).catch(() => null), [orgUnitId, from, to]);
  if (!state.loading && state.data === null) return null;
  const rate = (r: number | null) => (r === null ? tr.t('overview.onTimeNoData') : percent(r));
  return html`<section class="panel" aria-labelledby="ov-exchange">
    <h2 id="ov-exchange">${tr.t('overview.exchangeTitle')}</h2>
    <p class="muted">${tr.t('overview.exchangeIntro', { n: MONTHS })}</p>
    <${Async} state=${state}>
      ${(r: ExchangeReport | null) =>
        r
          ? html`<table class="compact">
              <tbody>
                <tr><th scope="row">${tr.t('overview.exchangeSent')}</th><td class="num">${r.total.sent}</td></tr>
                <tr><th scope="row">${tr.t('overview.exchangeAcknowledged')}</th><td class="num">${r.total.acknowledged}</td></tr>
                <tr><th scope="row">${tr.t('overview.exchangeOverdue')}</th><td class="num">${r.total.overdue}</td></tr>
                <tr><th scope="row">${tr.t('overview.exchangeSubmission')}</th><td class="num">${rate(r.submissionRate)} / ${percent(r.targets.submissionRate)}</td></tr>
                <tr><th scope="row">${tr.t('overview.exchangeFeedback')}</th><td class="num">${rate(r.feedbackRate)} / ${percent(r.targets.feedbackRate)}</td></tr>
              </tbody>
            </table>`
          : null}
    <//>
  </section>`;
}

/** Handovers reported after their 30 days in the months shown, by reporting unit (or community) and its street. */
function LateReportingPanel({ orgUnitId }: { orgUnitId: string }) {
  const { tr, api, now, orgs } = useApp();
  const months = lastMonths(now, MONTHS);
  const from = months[0]!.from;
  const to = months[months.length - 1]!.to;
  const state = useLoad(() => api.lateReporting(orgUnitId, from, to), [orgUnitId, from, to]);
  return html`<section class="panel" aria-labelledby="ov-late">
    <h2 id="ov-late">${tr.t('overview.lateTitle')}</h2>
    <p class="muted">${tr.t('overview.lateIntro', { n: MONTHS })}</p>
    <${Async} state=${state}>
      ${(r: LateReportingReport) =>
        r.reporters.length === 0
          ? html`<p class="muted">${tr.t('overview.lateNone')}</p>`
          : html`<table class="compact">
              <thead>
                <tr>
                  <th scope="col">${tr.t('overview.lateReporter')}</th>
                  <th scope="col">${tr.t('overview.lateStreet')}</th>
                  <th scope="col" class="num">${tr.t('overview.lateCases')}</th>
                  <th scope="col" class="num">${tr.t('overview.lateMaxDays')}</th>
                </tr>
              </thead>
              <tbody>
                ${r.reporters.map(
                  (x) => html`<tr>
                    <th scope="row">${orgs.name(x.reporterId, tr.lang)}</th>
                    <td>${orgs.name(x.streetId, tr.lang)}</td>
                    <td class="num">${x.cases}</td>
                    <td class="num">${x.maxDelayDays}</td>
                  </tr>`,
                )}
              </tbody>
            </table>`}
    <//>
  </section>`;
}

const caseTypes = ['handover', 'follow_up', 'health_check', 'certificate_check', 'unit_notice', 'change_report', 'application'];

function OverdueCases({ orgUnitId }: { orgUnitId: string }) {
  const { tr, api } = useApp();
  const [type, setType] = useState('handover');
  const list = usePaged(
    (cursor) => api.queue(orgUnitId, { include: 'descendants', overdue: true, status: 'open', ...(type ? { type } : {}), limit: 20, ...(cursor ? { cursor } : {}) }),
    [orgUnitId, type],
  );
  return html`<section class="panel panel-wide" aria-labelledby="ov-cases">
    <div class="panel-head">
      <h2 id="ov-cases">${tr.t('overview.overdueCases')}</h2>
      <div class="field field-inline">
        <label for="ov-type">${tr.t('queue.filterType')}</label>
        <select id="ov-type" value=${type} onChange=${(e: Event) => setType((e.currentTarget as HTMLSelectElement).value)}>
          <option value="">${tr.t('queue.allTypes')}</option>
          ${caseTypes.map((x) => html`<option value=${x}>${tr.te('type', x)}</option>`)}
        </select>
      </div>
    </div>
    ${list.first.error !== undefined && !list.items
      ? html`<${ProblemBox} error=${list.first.error} onRetry=${list.first.reload} />`
      : !list.items
        ? html`<${Loading} />`
        : list.items.length === 0
          ? html`<p class="empty">${tr.t('overview.noOverdueCases')}</p>`
          : html`<${CaseTable} cases=${list.items} caption=${tr.t('overview.overdueCases')} />`}
    ${list.moreError !== undefined ? html`<${ProblemBox} error=${list.moreError} />` : null}
    ${list.hasMore
      ? html`<button type="button" class="btn btn-secondary btn-block" onClick=${list.loadMore} disabled=${list.loadingMore}>${tr.t('app.loadMore')}</button>`
      : null}
  </section>`;
}
