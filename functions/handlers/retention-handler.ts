// The daily retention job as a handler: run by EventBridge Scheduler once a day (schedule.ts:
// `retention`, 02:00 Asia/Shanghai) on AWS, and by the local runtime at the same instant. It
// erases the personal fields of subjects who left the register long enough ago (app/retention.ts).
// The event may name the business date to run for; by default, today in Asia/Shanghai.
//
// Wiring (not done here): a Lambda entry beside functions/handlers/lambda/*.ts builds the deps as
// lambda/runtime.ts does and exports `handler = createRetentionHandler(deps)`; LocalRuntime.runJob
// calls it for `{ kind: 'retention' }` jobs.
import * as z from 'zod';
import { runRetention, type RetentionDeps, type RetentionReport } from '../app/retention';

const event = z
  .object({ date: z.iso.date().optional() })
  .loose()
  .nullish();

export type RetentionHandler = (event: unknown) => Promise<RetentionReport>;

export function createRetentionHandler(deps: RetentionDeps): RetentionHandler {
  return async (raw: unknown) => {
    const e = event.safeParse(raw);
    if (!e.success) throw Object.assign(new Error(`retention event: ${e.error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`).join('; ')}`), { name: 'InvalidEvent' });
    // The report holds counts and dates only: no subject id, nothing personal, safe to log.
    return runRetention(deps, e.data?.date ? { date: e.data.date } : {});
  };
}
