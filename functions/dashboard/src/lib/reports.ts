// Shaping report data for the charts and tables. Pure: no DOM, no fetch.
import type { BucketName, Case, Level, OnTimeReport, OverdueHandoversReport } from '../api/types';
import type { MonthRange } from './dates';

export const bucketNames: readonly BucketName[] = ['1-7', '8-30', '31+'];

/** The aging bucket of a case `days` overdue; undefined when it is not overdue. */
export function bucketOf(days: number): BucketName | undefined {
  if (!(days >= 1)) return undefined;
  if (days <= 7) return '1-7';
  if (days <= 30) return '8-30';
  return '31+';
}

export interface BarRow {
  orgUnitId: string;
  label: string;
  total: number;
  /** In bucketNames order. */
  counts: [number, number, number];
}

export interface BarChart {
  rows: BarRow[];
  /** The largest row total (at least 1, so widths can divide by it). */
  max: number;
  totals: BarRow;
}

const n = (x: unknown): number => (typeof x === 'number' && Number.isFinite(x) && x > 0 ? x : 0);

/**
 * One bar per child org unit, largest total first (ties by label), children with nothing overdue
 * left out unless `keepEmpty`. A row's total is the sum of its buckets when the report's total is missing.
 */
export function overdueBars(
  report: Pick<OverdueHandoversReport, 'children'>,
  label: (orgUnitId: string) => string,
  opts: { keepEmpty?: boolean } = {},
): BarChart {
  const rows: BarRow[] = report.children.map((c) => {
    const counts: [number, number, number] = [n(c.buckets?.['1-7']), n(c.buckets?.['8-30']), n(c.buckets?.['31+'])];
    const sum = counts[0] + counts[1] + counts[2];
    return { orgUnitId: c.orgUnitId, label: label(c.orgUnitId), total: Math.max(n(c.total), sum), counts };
  });
  const shown = rows
    .filter((r) => opts.keepEmpty || r.total > 0)
    .sort((a, b) => b.total - a.total || a.label.localeCompare(b.label, 'zh-CN'));
  const totals: BarRow = { orgUnitId: '', label: '', total: 0, counts: [0, 0, 0] };
  for (const r of rows) {
    totals.total += r.total;
    for (let i = 0; i < 3; i++) totals.counts[i]! += r.counts[i]!;
  }
  return { rows: shown, max: Math.max(1, ...shown.map((r) => r.total)), totals };
}

/** Aging buckets counted from cases (their daysOverdue): for a list without a report. */
export function bucketCounts(cases: Pick<Case, 'overdue' | 'daysOverdue'>[]): Record<BucketName, number> {
  const out: Record<BucketName, number> = { '1-7': 0, '8-30': 0, '31+': 0 };
  for (const c of cases) {
    const b = c.overdue ? bucketOf(c.daysOverdue || 1) : undefined;
    if (b) out[b]++;
  }
  return out;
}

export const levels: readonly Level[] = ['community', 'unit', 'street', 'district'];

export type LevelCounts = Record<Level, { open: number; overdue: number }>;

/** Open and overdue cases by the level of the queue they sit in. */
export function levelCounts(cases: Pick<Case, 'level' | 'overdue' | 'status'>[]): LevelCounts {
  const out = Object.fromEntries(levels.map((l) => [l, { open: 0, overdue: 0 }])) as LevelCounts;
  for (const c of cases) {
    if (c.status && c.status !== 'open') continue;
    const row = out[c.level];
    if (!row) continue;
    row.open++;
    if (c.overdue) row.overdue++;
  }
  return out;
}

export interface OnTimePoint {
  month: string;
  closed: number;
  onTime: number;
  /** onTime / closed, 0..1; null when nothing closed that month. */
  rate: number | null;
}

/**
 * The on-time rate of one org unit per month. A report's rows may break the unit down by type and
 * by child: rows for the unit itself are used when there are any, otherwise all rows are summed.
 */
export function onTimeSeries(months: MonthRange[], reports: (OnTimeReport | undefined)[], orgUnitId: string, type?: string): OnTimePoint[] {
  return months.map((m, i) => {
    const rows = (reports[i]?.rows ?? []).filter((r) => !type || r.type === type);
    const own = rows.filter((r) => r.orgUnitId === orgUnitId);
    const use = own.length > 0 ? own : rows;
    let closed = 0;
    let onTime = 0;
    for (const r of use) {
      closed += n(r.closed);
      onTime += n(r.onTime);
    }
    return { month: m.month, closed, onTime, rate: closed > 0 ? Math.min(1, onTime / closed) : null };
  });
}

/** A rate as a percentage: 0.873 → "87%"; null → "–". */
export function percent(rate: number | null): string {
  return rate === null ? '–' : `${Math.round(rate * 100)}%`;
}
