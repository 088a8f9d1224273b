// Retention of the register: a subject who moved out of the district or aged out leaves the
// register on a date; her personal fields are erased once the retention period has passed since
// then, counted as the Civil Code counts a period: from the next day, the day after its last day (default 2 years: the source keeps "the files of people who aged out or moved away at least
// 2 years"). Her cases and their history stay: they carry only her pseudonymous id.
//
// Personal fields: everything in a subject record except a short allowed list (below). Today that
// is her class (employment situation), residence community, employer unit, implant end date
// (health-related: sensitive under PIPL) and registration date; tomorrow an import may add a name
// for staff use. Erasure rebuilds the record from the allowed list, so any field added later is
// erased too without this file changing.
//
// The pure part (leaveRegister, erasureDate, keptOf) has no I/O; the rest runs it against the store.

import { DEFAULT_RETENTION_YEARS, retentionRule } from '../domain/rules';
import type { Clock } from '../domain/clock';
import type { DistrictConfig } from '../domain/district-config';
import type { Subject } from '../domain/people';
import { addCalendarDays, assertBusinessDate, businessDateOf, type BusinessDate } from '../domain/time';
import type { CaseStore } from '../store/case-store';
import type { RegisterStore } from '../store/register-store';

export { DEFAULT_RETENTION_YEARS, retentionRule } from '../domain/rules';

export class RetentionConfigError extends Error {
  override readonly name = 'RetentionConfigError';
}

/** The district's retention period in years, from `config.rules.retention` (validated here). */
export function retentionYears(config: Pick<DistrictConfig, 'rules'>): number {
  const r = retentionRule.safeParse((config.rules as Record<string, unknown> | undefined)?.retention);
  if (!r.success) throw new RetentionConfigError(r.error.issues.map((i) => `rules.retention${i.path.length ? `.${i.path.join('.')}` : ''}: ${i.message}`).join('; '));
  return r.data.years;
}

/** Why a subject leaves the register. */
export const leaveReasons = ['moved_away', 'aged_out'] as const;
export type LeaveReason = (typeof leaveReasons)[number];

/**
 * The fields of a subject record that are pseudonymous and stay after erasure: her id (which her
 * cases and history carry) and the date she left the register (when the record went; the erasure
 * record adds when it was erased). Everything else is personal and is erased.
 */
export const PSEUDONYMOUS_SUBJECT_FIELDS = ['subjectId', 'leftOn'] as const;

export type LeftSubject = Subject & { leftOn: BusinessDate; leftReason: LeaveReason };

export type LeaveDecision = { ok: true; subject: LeftSubject; changed: boolean } | { ok: false; reason: string };

/** Pure: a subject leaves the register on `on` (not in the future, not before she registered). */
export function leaveRegister(subject: Subject & { leftOn?: string; leftReason?: string }, input: { on: BusinessDate; reason: LeaveReason }, today: BusinessDate): LeaveDecision {
  try {
    assertBusinessDate(input.on);
  } catch {
    return { ok: false, reason: `"${input.on}" is not a date (YYYY-MM-DD)` };
  }
  if (!leaveReasons.includes(input.reason)) return { ok: false, reason: `a subject leaves the register because she ${leaveReasons.join(' or ')}` };
  if (input.on > today) return { ok: false, reason: `the date she left (${input.on}) is in the future (today is ${today})` };
  if (subject.registeredOn && input.on < subject.registeredOn) return { ok: false, reason: `the date she left (${input.on}) is before she was registered (${subject.registeredOn})` };
  if (subject.leftOn) {
    if (subject.leftOn === input.on) return { ok: true, subject: subject as LeftSubject, changed: false };
    return { ok: false, reason: `she left the register on ${subject.leftOn} already` };
  }
  return { ok: true, subject: { ...subject, leftOn: input.on, leftReason: input.reason }, changed: true };
}

/**
 * Pure: the last day of the retention period of a subject who left on `leftOn`. Civil Code art. 201: a period counts
 * from the day after the event; art. 202: a period of years ends on the corresponding day of its last month (no
 * corresponding day, 29 February: the month's last day, 28 February).
 */
export function retentionEnd(leftOn: BusinessDate, years: number): BusinessDate {
  assertBusinessDate(leftOn);
  const candidate = `${Number(leftOn.slice(0, 4)) + years}-${leftOn.slice(5)}`;
  try {
    return assertBusinessDate(candidate);
  } catch {
    return `${candidate.slice(0, 4)}-02-28`;
  }
}

/** Pure: the first day a record of a subject who left on `leftOn` may be erased: the day after its period ends. */
export function erasureDate(leftOn: BusinessDate, years: number): BusinessDate {
  return addCalendarDays(retentionEnd(leftOn, years), 1);
}

/** Pure: the latest leaving date whose record is due for erasure on `today` (inverse of erasureDate). */
export function latestErasableLeftOn(today: BusinessDate, years: number): BusinessDate {
  assertBusinessDate(today);
  // Erasable today ⇔ the period ended yesterday or earlier.
  const lastDay = addCalendarDays(today, -1);
  const y = Number(lastDay.slice(0, 4)) - years;
  const md = lastDay.slice(5);
  // A period ending 28 Feb also covers those who left on 29 Feb `years` earlier.
  if (md === '02-28') {
    const leap = `${y}-02-29`;
    try {
      return assertBusinessDate(leap);
    } catch {
      /* not a leap year */
    }
  }
  try {
    return assertBusinessDate(`${y}-${md}`);
  } catch {
    return `${y}-02-28`;
  }
}

/** Pure: what stays of a subject record after erasure (the allowed list, nothing else). */
export function keptOf(record: Record<string, unknown>): Record<string, unknown> {
  const out: Record<string, unknown> = {};
  for (const k of PSEUDONYMOUS_SUBJECT_FIELDS) if (record[k] !== undefined) out[k] = record[k];
  return out;
}

// ---------------------------------------------------------------------------------------------

export interface RetentionDeps {
  register: RegisterStore;
  cases: CaseStore;
  clock: Clock;
  config: Pick<DistrictConfig, 'rules'>;
}

export class LeaveRejected extends Error {
  override readonly name = 'LeaveRejected';
  constructor(
    readonly code: 'not_found' | 'invalid',
    reason: string,
  ) {
    super(reason);
  }
}

/** Marks a subject as having left the register. Idempotent: the same date again changes nothing. */
export async function markSubjectLeft(deps: Pick<RetentionDeps, 'register' | 'clock'>, subjectId: string, input: { on: BusinessDate; reason: LeaveReason }): Promise<{ changed: boolean; subject: LeftSubject }> {
  const s = (await deps.register.getSubject(subjectId)) as (Subject & { leftOn?: string; leftReason?: string }) | undefined;
  if (!s) throw new LeaveRejected('not_found', `no subject "${subjectId}" on the register`);
  const d = leaveRegister(s, input, businessDateOf(deps.clock.now()));
  if (!d.ok) throw new LeaveRejected('invalid', d.reason);
  if (!d.changed) return { changed: false, subject: d.subject };
  const r = await deps.register.markSubjectLeft(subjectId, input.on, input.reason);
  if (r === 'marked') return { changed: true, subject: d.subject };
  if (r === 'already') return { changed: false, subject: d.subject };
  if (r === 'not_found') throw new LeaveRejected('not_found', `no subject "${subjectId}" on the register`);
  throw new LeaveRejected('invalid', `subject "${subjectId}" was marked as left on another date meanwhile`);
}

export interface RetentionReport {
  date: BusinessDate;
  years: number;
  /** Leaving dates up to this one were due. */
  leftOnOrBefore: BusinessDate;
  /** Records due for erasure that were looked at. */
  due: number;
  erased: number;
  /** Still with an open case: kept until the case closes (counted, retried by the next run). */
  heldByOpenCases: number;
  /** Changed between reading and erasing (came back, erased by a concurrent run): left alone. */
  skipped: number;
}

/**
 * The daily retention job: erases the personal fields of every subject who left the register at
 * least the retention period ago and has no open case. Idempotent (an erased subject is no longer
 * listed), resumable (each erasure is its own conditional transaction), and it never touches cases
 * or history.
 */
export async function runRetention(deps: RetentionDeps, opts: { date?: BusinessDate; pageSize?: number } = {}): Promise<RetentionReport> {
  const date = opts.date ?? businessDateOf(deps.clock.now());
  const years = retentionYears(deps.config);
  const leftOnOrBefore = latestErasableLeftOn(date, years);
  const report: RetentionReport = { date, years, leftOnOrBefore, due: 0, erased: 0, heldByOpenCases: 0, skipped: 0 };
  const erasedOn = deps.clock.now().toISOString();
  let cursor: string | undefined;
  do {
    const page = await deps.register.listLeftSubjects(leftOnOrBefore, { limit: opts.pageSize ?? 100, ...(cursor ? { cursor } : {}) });
    for (const s of page.items) {
      report.due++;
      if ((await deps.cases.listForSubject(s.subjectId, 'open')).length > 0) {
        report.heldByOpenCases++;
        continue;
      }
      if (await deps.register.eraseSubject(s.subjectId, s.leftOn, PSEUDONYMOUS_SUBJECT_FIELDS, erasedOn)) report.erased++;
      else report.skipped++;
    }
    cursor = page.cursor;
  } while (cursor);
  return report;
}
