// The daily register job as a handler: run by EventBridge Scheduler once a day (schedule.ts: `retention`, 02:00
// Asia/Shanghai) on AWS, and by the local runtime at the same instant. It erases the personal fields of subjects who
// left the register long enough ago (app/retention.ts), then clears the "not due until" marks whose date has come
// (app/not-due-marks.ts). The event may name the business date to run for; by default, today in Asia/Shanghai.
//
// Wiring: functions/handlers/lambda/retention.ts builds the deps and exports `handler`; LocalRuntime.runJob calls
// the same two functions for `{ kind: 'retention' }` jobs.
import * as z from 'zod';
import { clearExpiredNotDueMarks, type NotDueClearReport, type NotDueMarkDeps } from '../app/not-due-marks';
import { runRetention, type RetentionDeps, type RetentionReport } from '../app/retention';

const event = z
  .object({ date: z.iso.date().optional() })
  .loose()
  .nullish();

export type DailyRegisterReport = RetentionReport & { notDueMarks: NotDueClearReport };
export type RetentionHandler = (event: unknown) => Promise<DailyRegisterReport>;

export function createRetentionHandler(deps: RetentionDeps & NotDueMarkDeps): RetentionHandler {
  return async (raw: unknown) => {
    const e = event.safeParse(raw);
    if (!e.success) throw Object.assign(new Error(`retention event: ${e.error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`).join('; ')}`), { name: 'InvalidEvent' });
    const opts = e.data?.date ? { date: e.data.date } : {};
    // The reports hold counts and dates only: no subject id, nothing personal, safe to log.
    const retention = await runRetention(deps, opts);
    return { ...retention, notDueMarks: await clearExpiredNotDueMarks(deps, opts) };
  };
}
