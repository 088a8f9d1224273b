/// <reference lib="dom" />
// Charts drawn by hand: stacked horizontal bars in HTML (they wrap and reflow on a phone), a line in SVG
// sized to its container. Each has a text equivalent (aria-label per bar, a table beside the line).
import { useEffect, useRef, useState } from 'preact/hooks';
import { formatMonth } from '../lib/dates';
import { bucketNames, percent, type BarChart, type OnTimePoint } from '../lib/reports';
import { useApp } from './context';
import { html } from './html';

export function BucketLegend() {
  const { tr } = useApp();
  return html`<ul class="legend" aria-hidden="true">
    ${bucketNames.map((b, i) => html`<li><span class=${`swatch seg-${i}`}></span>${tr.te('bucket', b)}</li>`)}
  </ul>`;
}

export function StackedBars({ chart, rowHref }: { chart: BarChart; rowHref: (orgUnitId: string) => string | undefined }) {
  const { tr } = useApp();
  return html`<figure class="bars">
    <figcaption class="visually-hidden">${tr.t('overview.chartLabel')}</figcaption>
    <${BucketLegend} />
    <ol class="bar-rows">
      ${chart.rows.map((r) => {
        const link = rowHref(r.orgUnitId);
        const label = tr.t('overview.chartRow', { org: r.label, total: r.total, b1: r.counts[0], b2: r.counts[1], b3: r.counts[2] });
        return html`<li class="bar-row">
          ${link ? html`<a class="bar-label" href=${link}>${r.label}</a>` : html`<span class="bar-label">${r.label}</span>`}
          <div class="bar-track" role="img" aria-label=${label} title=${label}>
            ${r.counts.map((n, i) =>
              n > 0 ? html`<span class=${`seg seg-${i}`} style=${{ width: `${(n / chart.max) * 100}%` }}>${n / chart.max > 0.08 ? n : ''}</span>` : null,
            )}
          </div>
          <span class="bar-total">${r.total}</span>
        </li>`;
      })}
    </ol>
  </figure>`;
}

function useWidth<T extends HTMLElement>(initial: number) {
  const ref = useRef<T>(null);
  const [width, setWidth] = useState(initial);
  useEffect(() => {
    const el = ref.current;
    if (!el) return;
    const update = () => setWidth(Math.max(240, Math.floor(el.clientWidth)));
    update();
    if (typeof ResizeObserver === 'undefined') return;
    const ro = new ResizeObserver(update);
    ro.observe(el);
    return () => ro.disconnect();
  }, []);
  return [ref, width] as const;
}

export function RateLine({ points }: { points: OnTimePoint[] }) {
  const { tr } = useApp();
  const [ref, width] = useWidth<HTMLDivElement>(600);
  const height = 220;
  const pad = { left: 44, right: 12, top: 14, bottom: 30 };
  const w = width - pad.left - pad.right;
  const h = height - pad.top - pad.bottom;
  const n = points.length;
  const x = (i: number) => pad.left + (n <= 1 ? w / 2 : (i * w) / (n - 1));
  const y = (rate: number) => pad.top + (1 - rate) * h;
  // Segments of consecutive months with a rate; a month with nothing closed breaks the line.
  const segments: string[] = [];
  let current: string[] = [];
  points.forEach((p, i) => {
    if (p.rate === null) {
      if (current.length) segments.push(current.join(' '));
      current = [];
    } else current.push(`${x(i).toFixed(1)},${y(p.rate).toFixed(1)}`);
  });
  if (current.length) segments.push(current.join(' '));
  const everyOther = width < 480 && n > 6;
  return html`<div class="line-chart" ref=${ref}>
    <svg width=${width} height=${height} viewBox=${`0 0 ${width} ${height}`} role="img" aria-label=${tr.t('overview.onTimeChart')}>
      ${[0, 0.25, 0.5, 0.75, 1].map(
        (g) => html`<g class="grid">
          <line x1=${pad.left} x2=${width - pad.right} y1=${y(g)} y2=${y(g)} />
          <text x=${pad.left - 6} y=${y(g) + 4} text-anchor="end">${Math.round(g * 100)}%</text>
        </g>`,
      )}
      ${points.map((p, i) =>
        everyOther && i % 2 === (n - 1) % 2 ? null : html`<text class="x-label" x=${x(i)} y=${height - 8} text-anchor="middle">${formatMonth(p.month, tr.lang, true)}</text>`,
      )}
      ${segments.map((s) => (s.includes(' ') ? html`<polyline class="line" points=${s} />` : null))}
      ${points.map((p, i) =>
        p.rate === null
          ? null
          : html`<circle class="dot" cx=${x(i)} cy=${y(p.rate)} r="4">
              <title>${tr.t('overview.onTimePoint', { month: formatMonth(p.month, tr.lang), rate: percent(p.rate), onTime: p.onTime, closed: p.closed })}</title>
            </circle>`,
      )}
    </svg>
  </div>`;
}
