// 查环查孕: one check per subject per period, on her community's fixed check day; the year is divided into equal
// periods by her cadence (class, or an implant in effect). An absence opens a follow-up.
import * as z from 'zod';
import { dueInPeriod, notDueUntilOn } from '../due-for-check';
import { managingOrgUnitId, type Subject, type SubjectClass } from '../people';
import type { RoutingRules } from '../rules';
import type { Territory } from '../territory';
import { addCalendarDays, assertBusinessDate, startOfBusinessDay, type BusinessDate } from '../time';
import { isoDate, subjectRef, type SubjectRef } from './commands';
import { clean, followOnId, invalid, lastDayOn, isRejection, str, timerId, todayOf, type Effect, type MachineContext, type Opening, type Rejection } from './decision';
import { outcomeMachine, type CaseTypeModule } from './machine';
import { ownerLevel, requireKind } from './routing';
import { subjectData, subjectOf } from './subject';

export const healthCheckInput = z.strictObject({
  type: z.literal('health_check'),
  subject: subjectRef,
  /** Any date in the period; defaults to today. The case id is derived: one case per subject per period. */
  periodOf: isoDate.optional(),
});
type Input = z.output<typeof healthCheckInput>;

/** The period of a year divided into `perYear` equal blocks of months that contains `date`. */
export function checkPeriod(date: BusinessDate, perYear: number): { start: BusinessDate; end: BusinessDate; index: number } {
  assertBusinessDate(date);
  const months = 12 / perYear;
  if (!Number.isInteger(months)) throw new RangeError(`${perYear} checks a year do not divide the year into whole months`);
  const year = Number(date.slice(0, 4));
  const index = Math.floor((Number(date.slice(5, 7)) - 1) / months);
  const startMonth = index * months + 1;
  const endMonth = startMonth + months; // first month after the period
  const start = `${year}-${String(startMonth).padStart(2, '0')}-01`;
  const next = endMonth > 12 ? `${year + 1}-01-01` : `${year}-${String(endMonth).padStart(2, '0')}-01`;
  return { start, end: addCalendarDays(next, -1), index: index + 1 };
}

/** The check period a subject's health check of `periodOf` falls in (her cadence decides its length). */
export function checkPeriodOf(subject: Pick<SubjectRef, 'class' | 'implantUntil'>, periodOf: BusinessDate, rules: RoutingRules): { start: BusinessDate; end: BusinessDate; index: number } {
  return checkPeriod(periodOf, checkCadence(subject, periodOf, rules).perYear);
}

/** The health-check cadence of a subject on a date: an implant in effect wins over the class. */
export function checkCadence(subject: Pick<SubjectRef, 'class' | 'implantUntil'>, date: BusinessDate, rules: RoutingRules): { cadence: SubjectClass | 'implant'; perYear: number } {
  if (subject.implantUntil && subject.implantUntil >= date) return { cadence: 'implant', perYear: rules.health_check.perYear.implant };
  return { cadence: subject.class, perYear: rules.health_check.perYear[subject.class] };
}

function validDate(s: string): boolean {
  try {
    assertBusinessDate(s);
    return true;
  } catch {
    return false;
  }
}

/** The community's first fixed check day on or after `from`, up to `to`. */
function nextCheckDay(territory: Territory, communityId: string, from: BusinessDate, to: BusinessDate): BusinessDate | undefined {
  const days = territory.get(communityId)?.checkDays ?? [];
  let best: BusinessDate | undefined;
  for (let year = Number(from.slice(0, 4)); year <= Number(to.slice(0, 4)); year++) {
    for (const mmdd of days) {
      const date = `${year}-${mmdd}`;
      if (!validDate(date) || date < from || date > to) continue;
      if (!best || date < best) best = date;
    }
  }
  return best;
}

/**
 * The day whose daily digest carries a check-day reminder `offset` days ahead: that day, or the last working day
 * before it when it is a rest day, since staff get a digest only on working days by default. The reminder is due at
 * the start of that day, before its 08:30 digest: due at the reminder hour, it would wait for the next digest, which
 * for a check day on a weekend (or after one) comes after the check day itself.
 */
function checkDayReminderDate(ctx: MachineContext, checkDay: BusinessDate, offset: number): BusinessDate {
  let date = addCalendarDays(checkDay, -offset);
  // lastDayOn moves a rest day to the next working day, so a date it keeps is a working day. The longest break is 9 days.
  for (let i = 0; i < 31 && lastDayOn(ctx, date).date !== date; i++) date = addCalendarDays(date, -1);
  return date;
}

function open(input: Input, ctx: MachineContext): Opening | Rejection {
  const today = todayOf(ctx);
  const { subject } = input;
  const ref = input.periodOf ?? today;
  const { cadence, perYear } = checkCadence(subject, ref, ctx.rules);
  const period = checkPeriod(ref, perYear);
  if (period.end < today) return invalid(`the period ${period.start}..${period.end} has already ended`);
  // Marked not due until after this period: no check this period.
  if (!dueInPeriod(subject.notDueUntil, period.end, today)) return invalid(`she is not due a check until ${subject.notDueUntil}, after this period (${period.start}..${period.end})`);
  const notDueUntil = notDueUntilOn(subject.notDueUntil, today);
  const bad = requireKind(ctx.territory, subject.communityId, 'community', "the subject's community");
  if (bad) return bad;
  // co_managed: the employer unit manages her, so the case sits in the unit's queue.
  const owner = managingOrgUnitId(subject as Subject); // reads class and unitId only
  if (owner !== subject.communityId) {
    const badUnit = requireKind(ctx.territory, owner, 'unit', "the subject's unit");
    if (badUnit) return badUnit;
  }
  const id = `health_check:${subject.subjectId}:${period.start}`;
  // A published check day on an official holiday moves to the next working day, and the case says so.
  const published = nextCheckDay(ctx.territory, subject.communityId, today > period.start ? today : period.start, period.end);
  const checkDay = published && ctx.holiday?.(published) ? lastDayOn(ctx, published).date : published;
  const checkDayMovedFrom = published && checkDay !== published ? published : undefined;
  const effects: Effect[] = [];
  if (checkDay) {
    for (const offset of [...ctx.rules.health_check.remindBeforeCheckDayDays].sort((a, b) => b - a)) {
      if (addCalendarDays(checkDay, -offset) < today) continue; // a reminder for a day already past is not sent
      const date = checkDayReminderDate(ctx, checkDay, offset);
      effects.push({ kind: 'set_timer', timerId: timerId(id, `remind:check-${offset}`), caseId: id, at: startOfBusinessDay(date < today ? today : date), command: { action: 'remind', key: `check-${offset}` } });
    }
  }
  return {
    caseId: id,
    subjectId: subject.subjectId,
    owner,
    level: ownerLevel(owner, ctx.territory),
    state: 'awaiting_outcome',
    due: lastDayOn(ctx, period.end),
    data: clean({ ...subjectData(subject), cadence, perYear, periodStart: period.start, periodEnd: period.end, period: period.index, checkDay, checkDayMovedFrom, notDueUntil }),
    effects,
  };
}

export const healthCheck: CaseTypeModule<Input> = {
  machine: outcomeMachine('health_check', 'awaiting_outcome', ['attended', 'absent', 'exempt']),
  notifyOnOpen: false,
  open,
  outcome: {
    allowed: () => ['attended', 'absent', 'exempt'],
    earliest: (c) => str(c.data, 'periodStart'),
    effects(c, cmd, _ctx, seq) {
      if (cmd.outcome !== 'absent') return [];
      const subject = subjectOf(c);
      if (isRejection(subject)) return subject;
      return [{ kind: 'open_case', parentCaseId: c.caseId, input: { type: 'follow_up', caseId: followOnId(c.caseId, seq), subject, trigger: 'check_absence', eventDate: cmd.date, parentCaseId: c.caseId } }];
    },
  },
  permissions: {
    // A co_managed subject's check is held by her unit, but the check day is at her residence community.
    record_outcome: {
      who: "the owner of the case, its street, the district or the subject's residence community",
      may: (c, org, ctx) => org === c.ownerOrgUnitId || ctx.territory.isWithin(c.ownerOrgUnitId, org) || org === str(c.data, 'communityId'),
    },
  },
};
