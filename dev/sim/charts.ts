// Small, dependency-free SVG charts for the simulation report: vertical bar charts (stacked or grouped), line
// charts over dates, and horizontal grouped bars with value labels. Each has a title, a subtitle, labelled axes with
// units, a legend, and a colour-blind-safe palette (Okabe–Ito). Fonts fall back to a CJK face for Chinese names.

export const palette = ['#0072B2', '#E69F00', '#009E73', '#D55E00', '#56B4E9', '#CC79A7', '#7F7F7F', '#F0E442', '#000000'];

const FONT = "font-family=\"'Noto Sans', 'Helvetica Neue', Arial, 'Noto Sans CJK SC', 'PingFang SC', 'Microsoft YaHei', sans-serif\"";
const esc = (s: string) => s.replace(/&/g, '&amp;').replace(/</g, '&lt;').replace(/>/g, '&gt;').replace(/"/g, '&quot;');

export interface Series {
  name: string;
  values: number[];
  color?: string;
}

interface Frame {
  title: string;
  subtitle?: string;
  width?: number;
  height?: number;
  /** Y axis label, with its unit, e.g. "cases opened per month". */
  yLabel: string;
  xLabel?: string;
  /** Formats a y value (tick labels, value labels). */
  format?: (n: number) => string;
}

export const fmtInt = (n: number) => Math.round(n).toLocaleString('en');
export const fmtPct = (n: number) => `${Math.round(n)}%`;
export const fmtUsd = (n: number) => (n === 0 ? '$0' : n >= 100 ? `$${Math.round(n).toLocaleString('en')}` : n >= 1 ? `$${n.toFixed(2)}` : `$${n.toFixed(3)}`);

/** Approximate rendered width of a text: CJK characters are about a full em, Latin about 0.55 em. */
export function textWidth(s: string, size = 13): number {
  let w = 0;
  for (const ch of s) w += /[\u2e80-\u9fff\uff00-\uffef]/.test(ch) ? size : size * 0.53;
  return w;
}

/** Splits a text into lines of at most `width` pixels, at spaces. */
function wrap(text: string, width: number, size: number): string[] {
  const lines: string[] = [];
  let line = '';
  for (const word of text.split(' ')) {
    const next = line ? `${line} ${word}` : word;
    if (line && textWidth(next, size) > width) {
      lines.push(line);
      line = word;
    } else line = next;
  }
  if (line) lines.push(line);
  return lines;
}

/** "Nice" ticks from 0 to at least max: steps of 1, 2 or 5 × 10^k (whole steps only when `integer`). */
export function niceTicks(max: number, count = 5, integer = false): number[] {
  if (!(max > 0)) return [0, 1];
  const raw = max / count;
  const mag = 10 ** Math.floor(Math.log10(raw));
  let step = [1, 2, 2.5, 5, 10].map((m) => m * mag).find((s) => s >= raw) ?? 10 * mag;
  if (integer) step = Math.max(1, Math.round(step));
  const ticks: number[] = [];
  for (let v = 0; v < max + step * 0.999; v += step) ticks.push(Number(v.toPrecision(12)));
  return ticks;
}

/** The title and (wrapped) subtitle; `top` is where the legend goes. */
function head(w: number, h: number, f: Frame): { svg: string[]; top: number } {
  const svg = [
    `<svg xmlns="http://www.w3.org/2000/svg" width="${w}" height="${h}" viewBox="0 0 ${w} ${h}" ${FONT} role="img" aria-label="${esc(f.title)}">`,
    `<rect width="${w}" height="${h}" fill="#ffffff"/>`,
    `<text x="24" y="32" font-size="19" font-weight="600" fill="#1a1a1a">${esc(f.title)}</text>`,
  ];
  let y = 32;
  if (f.subtitle) {
    for (const line of wrap(f.subtitle, w - 48, 13).slice(0, 3)) {
      y += 19;
      svg.push(`<text x="24" y="${y}" font-size="13" fill="#555">${esc(line)}</text>`);
    }
  }
  return { svg, top: y + 26 };
}

/** A category label on one or more lines (split at "\n"), centred at x. */
function categoryLabel(text: string, x: number, y: number): string {
  const lines = text.split('\n');
  return `<text x="${x.toFixed(1)}" y="${y}" font-size="12" fill="#444" text-anchor="middle">${lines.map((l, i) => `<tspan x="${x.toFixed(1)}" dy="${i === 0 ? 0 : 15}">${esc(l)}</tspan>`).join('')}</text>`;
}

/** A legend in one or more rows, starting at (x, y), wrapping at maxX. */
function legend(items: { name: string; color: string; line?: boolean }[], x: number, y: number, maxX: number): { svg: string[]; height: number } {
  const out: string[] = [];
  let cx = x;
  let cy = y;
  for (const it of items) {
    const w = 21 + textWidth(it.name, 13) + 22;
    if (cx + w > maxX && cx > x) {
      cx = x;
      cy += 20;
    }
    out.push(
      it.line
        ? `<line x1="${cx}" y1="${cy - 4}" x2="${cx + 16}" y2="${cy - 4}" stroke="${it.color}" stroke-width="3"/>`
        : `<rect x="${cx}" y="${cy - 11}" width="14" height="14" rx="2" fill="${it.color}"/>`,
    );
    out.push(`<text x="${cx + 21}" y="${cy + 1}" font-size="13" fill="#333">${esc(it.name)}</text>`);
    cx += w;
  }
  return { svg: out, height: cy - y + 20 };
}

function yAxis(ticks: number[], x0: number, x1: number, y: (v: number) => number, f: Frame, plotTop: number, plotBottom: number): string[] {
  const fmt = f.format ?? fmtInt;
  const out: string[] = [];
  for (const t of ticks) {
    const yy = y(t);
    out.push(`<line x1="${x0}" y1="${yy}" x2="${x1}" y2="${yy}" stroke="${t === 0 ? '#888' : '#e4e4e4'}" stroke-width="1"/>`);
    out.push(`<text x="${x0 - 8}" y="${yy + 4}" font-size="12" fill="#444" text-anchor="end">${esc(fmt(t))}</text>`);
  }
  const mid = (plotTop + plotBottom) / 2;
  out.push(`<text x="18" y="${mid}" font-size="13" fill="#333" text-anchor="middle" transform="rotate(-90 18 ${mid})">${esc(f.yLabel)}</text>`);
  return out;
}

export interface BarChartSpec extends Frame {
  categories: string[];
  series: Series[];
  mode: 'stacked' | 'grouped';
  /** Label every n-th category (default: all that fit). */
  labelEvery?: number;
  /** Fixed y maximum (e.g. 100 for percentages). */
  yMax?: number;
  /** Print totals (stacked) or values (grouped) above the bars. */
  valueLabels?: boolean;
  /** Whole-number ticks (counts). Default true unless yMax or format says otherwise. */
  integer?: boolean;
  /** Lines a category label takes (labels split at "\n"). */
  labelLines?: number;
}

export function barChart(spec: BarChartSpec): string {
  const W = spec.width ?? 900;
  const H = spec.height ?? 460;
  const colors = spec.series.map((s, i) => s.color ?? palette[i % palette.length]!);
  const { svg, top: legendTop } = head(W, H, spec);
  const leg = legend(
    spec.series.map((s, i) => ({ name: s.name, color: colors[i]! })),
    80,
    legendTop,
    W - 24,
  );
  svg.push(...leg.svg);
  const left = 80;
  const right = W - 24;
  const top = legendTop + leg.height + 6;
  const extra = ((spec.labelLines ?? 1) - 1) * 15;
  const bottom = H - (spec.xLabel ? 62 : 44) - extra;
  const n = spec.categories.length;
  const totals = spec.categories.map((_, i) =>
    spec.mode === 'stacked' ? spec.series.reduce((s, se) => s + (se.values[i] ?? 0), 0) : Math.max(0, ...spec.series.map((se) => se.values[i] ?? 0)),
  );
  const ticks = niceTicks(spec.yMax ?? Math.max(1, ...totals), 5, spec.integer ?? (spec.yMax === undefined && spec.format === undefined));
  const yMax = ticks.at(-1)!;
  const y = (v: number) => bottom - (v / yMax) * (bottom - top);
  svg.push(...yAxis(ticks, left, right, y, spec, top, bottom));
  const band = (right - left) / Math.max(1, n);
  const barW = band * (spec.mode === 'grouped' ? 0.86 : 0.72);
  const every = spec.labelEvery ?? Math.max(1, Math.ceil((n * 48) / (right - left)));
  const fmt = spec.format ?? fmtInt;
  spec.categories.forEach((cat, i) => {
    const x0 = left + i * band + (band - barW) / 2;
    if (spec.mode === 'stacked') {
      let acc = 0;
      spec.series.forEach((se, k) => {
        const v = se.values[i] ?? 0;
        if (v <= 0) return;
        svg.push(`<rect x="${x0.toFixed(1)}" y="${y(acc + v).toFixed(1)}" width="${barW.toFixed(1)}" height="${(y(acc) - y(acc + v)).toFixed(1)}" fill="${colors[k]}"><title>${esc(`${cat} · ${se.name}: ${fmt(v)}`)}</title></rect>`);
        acc += v;
      });
      if (spec.valueLabels && acc > 0) svg.push(`<text x="${(x0 + barW / 2).toFixed(1)}" y="${(y(acc) - 5).toFixed(1)}" font-size="11" fill="#333" text-anchor="middle">${esc(fmt(acc))}</text>`);
    } else {
      const k = spec.series.length;
      const w = barW / k;
      spec.series.forEach((se, j) => {
        const v = se.values[i];
        if (v === undefined || Number.isNaN(v)) return;
        const xx = x0 + j * w;
        svg.push(`<rect x="${xx.toFixed(1)}" y="${y(v).toFixed(1)}" width="${Math.max(1, w - 1).toFixed(1)}" height="${(bottom - y(v)).toFixed(1)}" fill="${colors[j]}"><title>${esc(`${cat} · ${se.name}: ${fmt(v)}`)}</title></rect>`);
        if (spec.valueLabels && w >= textWidth(fmt(v), 9.5) + 1) svg.push(`<text x="${(xx + w / 2).toFixed(1)}" y="${(y(v) - 4).toFixed(1)}" font-size="9.5" fill="#333" text-anchor="middle">${esc(fmt(v))}</text>`);
      });
    }
    if (i % every === 0) svg.push(categoryLabel(cat, left + i * band + band / 2, bottom + 18));
  });
  if (spec.xLabel) svg.push(`<text x="${(left + right) / 2}" y="${H - 16}" font-size="13" fill="#333" text-anchor="middle">${esc(spec.xLabel)}</text>`);
  svg.push('</svg>');
  return svg.join('\n');
}

export interface LineChartSpec extends Frame {
  /** ISO dates, one per point. */
  dates: string[];
  series: Series[];
}

export function lineChart(spec: LineChartSpec): string {
  const W = spec.width ?? 900;
  const H = spec.height ?? 440;
  const colors = spec.series.map((s, i) => s.color ?? palette[i % palette.length]!);
  const { svg, top: legendTop } = head(W, H, spec);
  const leg = legend(
    spec.series.map((s, i) => ({ name: s.name, color: colors[i]!, line: true })),
    80,
    legendTop,
    W - 24,
  );
  svg.push(...leg.svg);
  const left = 80;
  const right = W - 24;
  const top = legendTop + leg.height + 6;
  const bottom = H - (spec.xLabel ? 62 : 44);
  const ticks = niceTicks(Math.max(1, ...spec.series.flatMap((s) => s.values)), 5, spec.format === undefined);
  const yMax = ticks.at(-1)!;
  const n = spec.dates.length;
  const x = (i: number) => left + (n <= 1 ? 0 : (i / (n - 1)) * (right - left));
  const y = (v: number) => bottom - (v / yMax) * (bottom - top);
  svg.push(...yAxis(ticks, left, right, y, spec, top, bottom));
  // Month ticks: the first of each month.
  spec.dates.forEach((d, i) => {
    if (!d.endsWith('-01') && i !== 0) return;
    svg.push(`<line x1="${x(i).toFixed(1)}" y1="${bottom}" x2="${x(i).toFixed(1)}" y2="${bottom + 5}" stroke="#888"/>`);
    svg.push(`<text x="${x(i).toFixed(1)}" y="${bottom + 18}" font-size="12" fill="#444" text-anchor="middle">${esc(d.slice(0, 7))}</text>`);
  });
  spec.series.forEach((se, k) => {
    const pts = se.values.map((v, i) => `${x(i).toFixed(1)},${y(v).toFixed(1)}`).join(' ');
    svg.push(`<polyline points="${pts}" fill="none" stroke="${colors[k]}" stroke-width="2.2" stroke-linejoin="round"><title>${esc(se.name)}</title></polyline>`);
  });
  if (spec.xLabel) svg.push(`<text x="${(left + right) / 2}" y="${H - 16}" font-size="13" fill="#333" text-anchor="middle">${esc(spec.xLabel)}</text>`);
  svg.push('</svg>');
  return svg.join('\n');
}

export interface HBarChartSpec extends Omit<Frame, 'yLabel'> {
  /** One row per category (e.g. an AWS service). */
  categories: string[];
  series: Series[];
  /** Axis label under the bars, with its unit. */
  xLabel: string;
}

/** Horizontal grouped bars with their values printed at the end: comparisons of a few large and small numbers. */
export function hbarChart(spec: HBarChartSpec): string {
  const W = spec.width ?? 900;
  const rowH = 14 * spec.series.length + 16;
  const probe = head(W, 0, { ...spec, yLabel: '' });
  const legendTop = probe.top;
  const top = legendTop + 22;
  const H = spec.height ?? top + rowH * spec.categories.length + 60;
  const colors = spec.series.map((s, i) => s.color ?? palette[i % palette.length]!);
  const { svg } = head(W, H, { ...spec, yLabel: '' });
  svg.push(...legend(spec.series.map((s, i) => ({ name: s.name, color: colors[i]! })), 200, legendTop, W - 24).svg);
  const left = 200;
  const right = W - 110;
  const bottom = top + rowH * spec.categories.length;
  const ticks = niceTicks(Math.max(1e-9, ...spec.series.flatMap((s) => s.values)), 5, spec.format === undefined || spec.format === fmtInt);
  const max = ticks.at(-1)!;
  const x = (v: number) => left + (v / max) * (right - left);
  const fmt = spec.format ?? fmtInt;
  for (const t of ticks) {
    svg.push(`<line x1="${x(t).toFixed(1)}" y1="${top}" x2="${x(t).toFixed(1)}" y2="${bottom}" stroke="${t === 0 ? '#888' : '#e4e4e4'}"/>`);
    svg.push(`<text x="${x(t).toFixed(1)}" y="${bottom + 16}" font-size="12" fill="#444" text-anchor="middle">${esc(fmt(t))}</text>`);
  }
  spec.categories.forEach((cat, i) => {
    const y0 = top + i * rowH + 8;
    svg.push(`<text x="${left - 10}" y="${y0 + (rowH - 16) / 2 + 4}" font-size="13" fill="#333" text-anchor="end">${esc(cat)}</text>`);
    spec.series.forEach((se, j) => {
      const v = se.values[i] ?? 0;
      const yy = y0 + j * 14;
      svg.push(`<rect x="${left}" y="${yy}" width="${Math.max(v > 0 ? 1 : 0, x(v) - left).toFixed(1)}" height="12" fill="${colors[j]}"><title>${esc(`${cat} · ${se.name}: ${fmt(v)}`)}</title></rect>`);
      svg.push(`<text x="${(x(v) + 5).toFixed(1)}" y="${yy + 10}" font-size="11" fill="#333">${esc(fmt(v))}</text>`);
    });
  });
  svg.push(`<text x="${(left + right) / 2}" y="${bottom + 38}" font-size="13" fill="#333" text-anchor="middle">${esc(spec.xLabel)}</text>`);
  svg.push('</svg>');
  return svg.join('\n');
}
