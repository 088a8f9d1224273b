// The report computations: days overdue on Asia/Shanghai dates, the buckets, which child a case
// counts under, and on-time rates.
import { describe, expect, it } from 'vitest';
import type { Case } from '../../functions/domain/case';
import { bucketOf, childOf, closedOnTime, daysOverdue, onTimeReport, overdueHandoverReport, reportChildren } from '../../functions/domain/reports';
import { Territory } from '../../functions/domain/territory';
import { endOfBusinessDay } from '../../functions/domain/time';
import { tinyDistrict } from '../support/tiny-district';

const territory = new Territory(tinyDistrict);
let n = 0;
function kase(p: Partial<Case> & { owner: string; dueDate: string }): Case {
  n++;
  const { owner, ...rest } = p;
  return {
    caseId: `c-${String(n).padStart(3, '0')}`,
    type: 'handover',
    status: 'open',
    state: 'awaiting_ack',
    ownerOrgUnitId: owner,
    queueOrgUnitId: owner,
    level: 'community',
    ownerStreetId: territory.streetOf(owner)!,
    dueAt: endOfBusinessDay(p.dueDate),
    provisional: false,
    createdAt: '2026-01-01T00:00:00.000Z',
    updatedAt: '2026-01-01T00:00:00.000Z',
    version: 1,
    data: {},
    ...rest,
  };
}

describe('days overdue and buckets', () => {
  it('counts Asia/Shanghai calendar days after the due date', () => {
    const c = kase({ owner: 'east-a', dueDate: '2026-03-31' });
    // 2026-03-31 23:59:59 Shanghai is 15:59:59Z: not overdue yet.
    expect(daysOverdue(c, '2026-03-31T15:59:59.999Z')).toBe(0);
    // One millisecond later it is 1 April in Shanghai: day 1.
    expect(daysOverdue(c, '2026-03-31T16:00:00.000Z')).toBe(1);
    // 7 April 23:00 Shanghai (15:00Z) is still day 7; 8 April 00:30 Shanghai (7 April 16:30Z) is day 8.
    expect(daysOverdue(c, '2026-04-07T15:00:00.000Z')).toBe(7);
    expect(daysOverdue(c, '2026-04-07T16:30:00.000Z')).toBe(8);
    expect(daysOverdue({ ...c, status: 'done' }, '2026-05-01T00:00:00.000Z')).toBe(0);
  });

  it('buckets 1–7, 8–30, 31+', () => {
    expect([0, 1, 7, 8, 30, 31, 400].map(bucketOf)).toEqual([undefined, '1-7', '1-7', '8-30', '8-30', '31+', '31+']);
  });
});

describe('children', () => {
  it('district → streets, street → communities and units, a community reports on itself', () => {
    expect(reportChildren('tiny', territory).map((u) => u.id)).toEqual(['east', 'west']);
    expect(reportChildren('east', territory).map((u) => u.id)).toEqual(['east-a', 'east-b', 'east-school']);
    expect(reportChildren('east-a', territory).map((u) => u.id)).toEqual(['east-a']);
  });

  it('a case counts under the child holding its owner, or else the child that sent it', () => {
    const kids = reportChildren('east', territory);
    expect(childOf({ ownerOrgUnitId: 'east-b', data: {} }, kids, territory)).toBe('east-b');
    // A move from east-a to west-a: owned in the west, sent from east-a.
    expect(childOf({ ownerOrgUnitId: 'west-a', data: { fromOrgUnitId: 'east-a' } }, kids, territory)).toBe('east-a');
    expect(childOf({ ownerOrgUnitId: 'west-a', data: {} }, kids, territory)).toBeUndefined();
  });
});

describe('overdue handovers', () => {
  it('counts open overdue handovers per child and bucket, items soonest due first; other types and not-yet-due cases are left out', () => {
    const now = '2026-05-01T02:00:00.000Z'; // 1 May, 10:00 Shanghai
    const cases = [
      kase({ owner: 'east-a', dueDate: '2026-04-28' }), // 3 days
      kase({ owner: 'east-a', dueDate: '2026-04-10' }), // 21 days
      kase({ owner: 'east-b', dueDate: '2026-03-01' }), // 61 days
      kase({ owner: 'east-b', dueDate: '2026-05-01' }), // due today: not overdue
      kase({ owner: 'east-b', dueDate: '2026-03-01', type: 'follow_up' }),
      kase({ owner: 'west-a', dueDate: '2026-04-01', data: { fromOrgUnitId: 'east-school' } }), // left east for the west
    ];
    const r = overdueHandoverReport({ orgUnitId: 'east', cases, territory, now });
    expect(r.asOf).toBe(now);
    expect(r.children).toEqual([
      { orgUnitId: 'east-a', total: 2, buckets: { '1-7': 1, '8-30': 1, '31+': 0 } },
      { orgUnitId: 'east-b', total: 1, buckets: { '1-7': 0, '8-30': 0, '31+': 1 } },
      { orgUnitId: 'east-school', total: 1, buckets: { '1-7': 0, '8-30': 1, '31+': 0 } },
    ]);
    expect(r.items.map((c) => c.dueDate)).toEqual(['2026-03-01', '2026-04-01', '2026-04-10', '2026-04-28']);
  });
});

describe('on-time rates', () => {
  it('done by the end of the due date is on time; cancelled is counted apart; only the period counts', () => {
    const closed = (owner: string, type: Case['type'], dueDate: string, closedAt: string, status: Case['status'] = 'done') =>
      kase({ owner, type, dueDate, status, state: status === 'done' ? 'acknowledged' : 'cancelled', closedAt });
    const cases = [
      closed('east-a', 'handover', '2026-03-31', '2026-03-31T15:59:59.999Z'), // last millisecond of the due date
      closed('east-a', 'handover', '2026-03-31', '2026-03-31T16:00:00.000Z'), // a millisecond late
      closed('east-a', 'handover', '2026-03-31', '2026-03-20T02:00:00.000Z', 'cancelled'),
      closed('east-a', 'follow_up', '2026-03-15', '2026-03-10T02:00:00.000Z'),
      closed('east-school', 'health_check', '2026-04-30', '2026-04-02T02:00:00.000Z'),
      closed('east-b', 'handover', '2026-02-27', '2026-02-27T02:00:00.000Z'), // closed before the period
      kase({ owner: 'east-b', dueDate: '2026-03-10' }), // still open
    ];
    expect(closedOnTime(cases[0]!)).toBe(true);
    expect(closedOnTime(cases[1]!)).toBe(false);
    const r = onTimeReport({ orgUnitId: 'east', cases, territory, from: '2026-03-01', to: '2026-04-30' });
    expect(r.rows).toEqual([
      { orgUnitId: 'east-a', type: 'handover', closed: 2, onTime: 1, rate: 0.5, cancelled: 1 },
      { orgUnitId: 'east-a', type: 'follow_up', closed: 1, onTime: 1, rate: 1, cancelled: 0 },
      { orgUnitId: 'east-school', type: 'health_check', closed: 1, onTime: 1, rate: 1, cancelled: 0 },
    ]);
    const only = onTimeReport({ orgUnitId: 'east-a', cases: cases.slice(2, 3), territory, from: '2026-03-01', to: '2026-03-31' });
    expect(only.rows).toEqual([{ orgUnitId: 'east-a', type: 'handover', closed: 0, onTime: 0, rate: null, cancelled: 1 }]);
  });
});
