// Shaping report data: aging buckets, the stacked bar rows, queue level counts, the on-time series.
import { describe, expect, it } from 'vitest';
import { bucketOf as domainBucketOf, overdueBuckets } from '../../functions/domain/reports';
import type { OnTimeReport } from '../../functions/dashboard/src/api/types';
import { lastMonths } from '../../functions/dashboard/src/lib/dates';
import { bucketCounts, bucketNames, bucketOf, levelCounts, onTimeSeries, overdueBars, percent } from '../../functions/dashboard/src/lib/reports';

describe('aging buckets', () => {
  it('1–7, 8–30, 31+ days', () => {
    expect([0, 1, 7, 8, 30, 31, 400].map(bucketOf)).toEqual([undefined, '1-7', '1-7', '8-30', '8-30', '31+', '31+']);
  });

  it('the same names and edges as the API', () => {
    expect([...bucketNames]).toEqual([...overdueBuckets]);
    for (let d = -1; d <= 45; d++) expect(bucketOf(d), `day ${d}`).toBe(domainBucketOf(d));
  });

  it('counted from cases', () => {
    const cases = [
      { overdue: true, daysOverdue: 1 },
      { overdue: true, daysOverdue: 8 },
      { overdue: true, daysOverdue: 31 },
      { overdue: true, daysOverdue: 40 },
      { overdue: false, daysOverdue: 0 },
    ];
    expect(bucketCounts(cases)).toEqual({ '1-7': 1, '8-30': 1, '31+': 2 });
  });
});

describe('stacked bar rows', () => {
  const names: Record<string, string> = { a: '东甲社区', b: '东乙社区', c: '东丙社区', u: '东街小学' };
  const label = (id: string) => names[id] ?? id;
  const report = {
    children: [
      { orgUnitId: 'a', total: 3, buckets: { '1-7': 1, '8-30': 0, '31+': 2 } },
      { orgUnitId: 'b', total: 0, buckets: { '1-7': 0, '8-30': 0, '31+': 0 } },
      { orgUnitId: 'c', total: 5, buckets: { '1-7': 2, '8-30': 3, '31+': 0 } },
      { orgUnitId: 'u', total: 3, buckets: { '1-7': 0, '8-30': 3, '31+': 0 } },
    ],
  };

  it('largest first, ties by name, empty rows left out of the chart', () => {
    const chart = overdueBars(report, label);
    // 东甲 (dōng jiǎ) sorts before 东街 (dōng jiē) in zh-CN collation.
    expect(chart.rows.map((r) => r.orgUnitId)).toEqual(['c', 'a', 'u']);
    expect(chart.rows[0]).toEqual({ orgUnitId: 'c', label: '东丙社区', total: 5, counts: [2, 3, 0] });
    expect(chart.max).toBe(5);
  });

  it('the table keeps the empty rows; totals add up over all rows', () => {
    const table = overdueBars(report, label, { keepEmpty: true });
    expect(table.rows).toHaveLength(4);
    expect(table.totals.counts).toEqual([3, 6, 2]);
    expect(table.totals.total).toBe(11);
  });

  it('missing buckets count 0; a missing total is the sum of the buckets', () => {
    const chart = overdueBars({ children: [{ orgUnitId: 'a', total: 0, buckets: { '31+': 4 } }] }, label);
    expect(chart.rows[0]).toMatchObject({ total: 4, counts: [0, 0, 4] });
  });

  it('nothing overdue: no rows, and max stays 1 so widths never divide by zero', () => {
    const chart = overdueBars({ children: [] }, label);
    expect(chart.rows).toEqual([]);
    expect(chart.max).toBe(1);
  });
});

describe('open cases by queue level', () => {
  it('counts open and overdue per level; closed cases do not count', () => {
    const counts = levelCounts([
      { level: 'community', overdue: false, status: 'open' },
      { level: 'community', overdue: true, status: 'open' },
      { level: 'street', overdue: true, status: 'open' },
      { level: 'district', overdue: false, status: 'done' },
    ]);
    expect(counts).toEqual({
      community: { open: 2, overdue: 1 },
      unit: { open: 0, overdue: 0 },
      street: { open: 1, overdue: 1 },
      district: { open: 0, overdue: 0 },
    });
  });
});

describe('on-time series', () => {
  const months = lastMonths('2026-03-15T00:00:00Z', 3);
  const report = (rows: OnTimeReport['rows']): OnTimeReport => ({ orgUnitId: 'east', from: '', to: '', rows });

  it('sums a street report over its children and types', () => {
    const series = onTimeSeries(
      months,
      [
        report([
          { orgUnitId: 'east-a', type: 'handover', closed: 4, onTime: 3, rate: 0.75 },
          { orgUnitId: 'east-b', type: 'follow_up', closed: 6, onTime: 6, rate: 1 },
        ]),
        report([]),
        undefined,
      ],
      'east',
    );
    expect(series).toEqual([
      { month: '2026-01', closed: 10, onTime: 9, rate: 0.9 },
      { month: '2026-02', closed: 0, onTime: 0, rate: null },
      { month: '2026-03', closed: 0, onTime: 0, rate: null },
    ]);
  });

  it("a community's report is about itself: its own rows are used", () => {
    const series = onTimeSeries(months.slice(0, 1), [report([{ orgUnitId: 'east-a', type: 'handover', closed: 2, onTime: 1, rate: 0.5 }])], 'east-a');
    expect(series[0]!.rate).toBe(0.5);
  });

  it('one type only', () => {
    const series = onTimeSeries(
      months.slice(0, 1),
      [
        report([
          { orgUnitId: 'a', type: 'handover', closed: 2, onTime: 0, rate: 0 },
          { orgUnitId: 'a', type: 'follow_up', closed: 2, onTime: 2, rate: 1 },
        ]),
      ],
      'east',
      'handover',
    );
    expect(series[0]!.rate).toBe(0);
  });

  it('percentages', () => {
    expect(percent(0.873)).toBe('87%');
    expect(percent(1)).toBe('100%');
    expect(percent(null)).toBe('–');
  });
});
