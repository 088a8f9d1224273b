// Management reports, as pure functions over cases: overdue handovers by child org unit and age,
// and on-time rates by child org unit and case type. The API reads the cases; this counts them.
import { caseTypes, type Case, type CaseType } from './case';
import type { OrgUnit, Territory } from './territory';
import { businessDateOf, daysBetween, type BusinessDate, type Instant } from './time';

/** Ages of an overdue case, in days after its due date. */
export const overdueBuckets = ['1-7', '8-30', '31+'] as const;
export type OverdueBucket = (typeof overdueBuckets)[number];

/**
 * Whole days a case is past its due date, counted on Asia/Shanghai calendar dates: the day after
 * the due date is day 1. 0 for a case that is not overdue (closed, or not yet past `dueAt`).
 */
export function daysOverdue(c: Pick<Case, 'status' | 'dueAt' | 'dueDate'>, now: Instant): number {
  if (c.status !== 'open' || !(c.dueAt < now)) return 0;
  return Math.max(1, daysBetween(c.dueDate, businessDateOf(now)));
}

export function bucketOf(days: number): OverdueBucket | undefined {
  if (days < 1) return undefined;
  if (days <= 7) return '1-7';
  if (days <= 30) return '8-30';
  return '31+';
}

/**
 * The rows of a report on `orgUnitId`: its children (district → streets; street → its
 * communities and units). A community or unit has no children and reports on itself.
 */
export function reportChildren(orgUnitId: string, territory: Territory): OrgUnit[] {
  const children = territory.childrenOf(orgUnitId);
  return children.length > 0 ? children : [territory.require(orgUnitId)];
}

/**
 * The child a case counts under: the child that holds its owner; for a handover that left the org
 * unit for another street (so its owner is elsewhere), the child that sent it.
 */
export function childOf(c: Pick<Case, 'ownerOrgUnitId' | 'data'>, children: OrgUnit[], territory: Territory): string | undefined {
  const holder = (id: string) => children.find((ch) => territory.isWithin(id, ch.id))?.id;
  const byOwner = holder(c.ownerOrgUnitId);
  if (byOwner) return byOwner;
  const from = c.data.fromOrgUnitId;
  return typeof from === 'string' ? holder(from) : undefined;
}

export interface OverdueChildRow {
  orgUnitId: string;
  total: number;
  buckets: Record<OverdueBucket, number>;
}

export interface OverdueHandoverReport {
  orgUnitId: string;
  asOf: Instant;
  children: OverdueChildRow[];
  /** The overdue handovers themselves, soonest due first. */
  items: Case[];
}

/** Overdue open handovers under `orgUnitId` (the caller passes the cases; any others are ignored). */
export function overdueHandoverReport(p: { orgUnitId: string; cases: Case[]; territory: Territory; now: Instant }): OverdueHandoverReport {
  const children = reportChildren(p.orgUnitId, p.territory);
  const rows = new Map<string, OverdueChildRow>(
    children.map((ch) => [ch.id, { orgUnitId: ch.id, total: 0, buckets: { '1-7': 0, '8-30': 0, '31+': 0 } }]),
  );
  const items: Case[] = [];
  for (const c of p.cases) {
    if (c.type !== 'handover') continue;
    const bucket = bucketOf(daysOverdue(c, p.now));
    if (!bucket) continue;
    items.push(c);
    const row = rows.get(childOf(c, children, p.territory) ?? '');
    if (!row) continue;
    row.total++;
    row.buckets[bucket]++;
  }
  items.sort((a, b) => (a.dueAt < b.dueAt ? -1 : a.dueAt > b.dueAt ? 1 : a.caseId < b.caseId ? -1 : 1));
  return { orgUnitId: p.orgUnitId, asOf: p.now, children: [...rows.values()], items };
}

export interface OnTimeRow {
  orgUnitId: string;
  type: CaseType;
  /** Cases done in the period (cancelled ones are not counted here). */
  closed: number;
  /** Of those, done by the end of their due date. */
  onTime: number;
  /** onTime / closed, or null when nothing was closed. */
  rate: number | null;
  /** Cases cancelled in the period: shown, not rated. */
  cancelled: number;
}

export interface OnTimeReport {
  orgUnitId: string;
  from: BusinessDate;
  to: BusinessDate;
  rows: OnTimeRow[];
}

/**
 * A case closed on time: done (not cancelled) at or before the end of its due date. A case of steps (an application:
 * the community's opinion, then the street's decision) is on time only if every step was.
 */
export function closedOnTime(c: Pick<Case, 'status' | 'closedAt' | 'dueAt'> & { data?: Case['data'] }): boolean {
  return c.status === 'done' && !!c.closedAt && c.closedAt <= c.dueAt && c.data?.opinionOnTime !== false;
}

/**
 * On-time rates of cases closed between `from` and `to` (Asia/Shanghai dates, inclusive), one row
 * per child org unit and case type that closed anything, in territory and type order.
 */
export function onTimeReport(p: { orgUnitId: string; cases: Case[]; territory: Territory; from: BusinessDate; to: BusinessDate }): OnTimeReport {
  const children = reportChildren(p.orgUnitId, p.territory);
  const counts = new Map<string, OnTimeRow>();
  for (const c of p.cases) {
    if (c.status === 'open' || !c.closedAt) continue;
    const day = businessDateOf(c.closedAt);
    if (day < p.from || day > p.to) continue;
    const child = childOf({ ownerOrgUnitId: c.ownerOrgUnitId, data: {} }, children, p.territory);
    if (!child) continue;
    const key = `${child}|${c.type}`;
    const row = counts.get(key) ?? { orgUnitId: child, type: c.type, closed: 0, onTime: 0, rate: null, cancelled: 0 };
    if (c.status === 'cancelled') row.cancelled++;
    else {
      row.closed++;
      if (closedOnTime(c)) row.onTime++;
    }
    counts.set(key, row);
  }
  const rows: OnTimeRow[] = [];
  for (const ch of children) {
    for (const type of caseTypes) {
      const row = counts.get(`${ch.id}|${type}`);
      if (!row) continue;
      row.rate = row.closed > 0 ? Math.round((row.onTime / row.closed) * 10_000) / 10_000 : null;
      rows.push(row);
    }
  }
  return { orgUnitId: p.orgUnitId, from: p.from, to: p.to, rows };
}

export interface LateReporterRow {
  /** The unit (a separation) or community (a move) that reported handovers after their due date. */
  reporterId: string;
  streetId: string;
  /** Handovers it reported late in the period. */
  cases: number;
  /** Calendar days past the due date, summed and at most, at the time of each report. */
  totalDelayDays: number;
  maxDelayDays: number;
}

export interface LateReportingReport {
  orgUnitId: string;
  from: BusinessDate;
  to: BusinessDate;
  /** One row per late reporter, most late cases first. */
  reporters: LateReporterRow[];
  /** The same, summed per street of the reporter, in territory order. */
  streets: { streetId: string; cases: number; totalDelayDays: number }[];
}

/**
 * Late reporting: handovers reported (opened) between `from` and `to` after their 30 days were over, counted against
 * the reporter (the sending unit or community) and its street, for reporters within `orgUnitId`.
 */
export function lateReportingReport(p: { orgUnitId: string; cases: Case[]; territory: Territory; from: BusinessDate; to: BusinessDate }): LateReportingReport {
  const rows = new Map<string, LateReporterRow>();
  const seen = new Set<string>();
  for (const c of p.cases) {
    if (c.type !== 'handover' || c.data.reportedLate !== true || seen.has(c.caseId)) continue;
    seen.add(c.caseId);
    const day = businessDateOf(c.createdAt);
    if (day < p.from || day > p.to) continue;
    const reporter = c.data.fromOrgUnitId;
    if (typeof reporter !== 'string' || !p.territory.get(reporter) || !p.territory.isWithin(reporter, p.orgUnitId)) continue;
    const delay = typeof c.data.reportDelayDays === 'number' ? c.data.reportDelayDays : 0;
    const row = rows.get(reporter) ?? { reporterId: reporter, streetId: p.territory.streetOf(reporter) ?? p.territory.districtId, cases: 0, totalDelayDays: 0, maxDelayDays: 0 };
    row.cases++;
    row.totalDelayDays += delay;
    row.maxDelayDays = Math.max(row.maxDelayDays, delay);
    rows.set(reporter, row);
  }
  const reporters = [...rows.values()].sort((a, b) => b.cases - a.cases || b.totalDelayDays - a.totalDelayDays || (a.reporterId < b.reporterId ? -1 : 1));
  const streets = p.territory
    .childrenOf(p.territory.districtId)
    .map((s) => ({ streetId: s.id, cases: 0, totalDelayDays: 0 }))
    .filter((s) => p.territory.isWithin(s.streetId, p.orgUnitId) || p.territory.isWithin(p.orgUnitId, s.streetId));
  for (const r of reporters) {
    const s = streets.find((x) => x.streetId === r.streetId);
    if (s) {
      s.cases += r.cases;
      s.totalDelayDays += r.totalDelayDays;
    }
  }
  return { orgUnitId: p.orgUnitId, from: p.from, to: p.to, reporters, streets };
}
