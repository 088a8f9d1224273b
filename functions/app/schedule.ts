// The recurring jobs and when they run, in Asia/Shanghai local time. EventBridge Scheduler runs
// them on AWS (cron expressions below); the local runtime asks which fall between two instants.
import { addCalendarDays, businessDateOf, businessInstant, type Instant } from '../domain/time';

export type Job =
  | { kind: 'health_checks'; at: Instant; periodOf: string }
  | { kind: 'change_report'; at: Instant; period: string }
  | { kind: 'unit_notice'; at: Instant; period: string }
  | { kind: 'daily_digest'; at: Instant; date: string }
  | { kind: 'retention'; at: Instant; date: string };

/** Local times and days of the jobs; the cron expressions say the same for EventBridge Scheduler. */
export const jobTimes = {
  // A change report for month M opens on M-01 and is due on the 2nd of M+1.
  change_report: { time: '00:10', cron: 'cron(10 0 1 * ? *)' },
  // A unit's half-yearly notice opens when the half-year ends; due 15 days later.
  unit_notice: { time: '00:20', cron: 'cron(20 0 1 1,7 ? *)' },
  // Check periods start on these days for every cadence (3, 2 and 1 a year).
  health_checks: { time: '00:30', cron: 'cron(30 0 1 1,5,7,9 ? *)', months: [1, 5, 7, 9] },
  // Each staff member's daily digest (functions/app/digest.ts). Runs every day: on a rest day it sends only to staff
  // whose digestDays is every_day; the others' items wait for the next working day.
  daily_digest: { time: '08:30', cron: 'cron(30 8 * * ? *)' },
  // Erasure of the personal fields of subjects who left the register long enough ago (functions/app/retention.ts),
  // then the "not due until" marks whose date has come are cleared (functions/app/not-due-marks.ts).
  retention: { time: '02:00', cron: 'cron(0 2 * * ? *)' },
} as const;

/**
 * The publisher (functions/app/publisher.ts) runs every minute on AWS: an urgent notice waits at most that long.
 * The local runtime runs it at each due item's own instant instead.
 */
export const publisherTick = { rate: 'rate(1 minute)', everyMs: 60_000 } as const;

function jobsOn(date: string): Job[] {
  const [y, m, d] = date.split('-').map(Number) as [number, number, number];
  const jobs: Job[] = [
    { kind: 'retention', at: businessInstant(date, jobTimes.retention.time), date },
    { kind: 'daily_digest', at: businessInstant(date, jobTimes.daily_digest.time), date },
  ];
  if (d !== 1) return jobs;
  {
    jobs.push({ kind: 'change_report', at: businessInstant(date, jobTimes.change_report.time), period: date.slice(0, 7) });
    if (m === 1) jobs.push({ kind: 'unit_notice', at: businessInstant(date, jobTimes.unit_notice.time), period: `${y - 1}-H2` });
    if (m === 7) jobs.push({ kind: 'unit_notice', at: businessInstant(date, jobTimes.unit_notice.time), period: `${y}-H1` });
    if ((jobTimes.health_checks.months as readonly number[]).includes(m))
      jobs.push({ kind: 'health_checks', at: businessInstant(date, jobTimes.health_checks.time), periodOf: date });
  }
  return jobs;
}

/** Jobs due after `from` and at or before `to`, in time order. */
export function jobsBetween(from: Instant, to: Instant): Job[] {
  if (to <= from) return [];
  const out: Job[] = [];
  for (let date = businessDateOf(from); date <= businessDateOf(to); date = addCalendarDays(date, 1)) {
    for (const job of jobsOn(date)) if (job.at > from && job.at <= to) out.push(job);
  }
  return out.sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
}
