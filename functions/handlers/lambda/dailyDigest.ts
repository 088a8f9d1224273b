// Lambda entry point of the daily digest (EventBridge Scheduler, cron(30 8 * * ? *) Asia/Shanghai: jobTimes.daily_digest
// in functions/app/schedule.ts). The event may name the date ({"date": "2026-03-10"}); by default, today in Shanghai.
import { requiredEnv } from './env';
import { wrapJobHandler } from './job-handler';
import { observability } from './observability';
import { reminderHandlers } from './reminder-runtime';

const o = observability({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'shudi-dailyDigest', districtId: requiredEnv('DISTRICT_ID') });
const handlers = reminderHandlers();

export const handler = wrapJobHandler('dailyDigest', (event) => handlers.dailyDigest(event), o, {
  metricsOf: (r) => ({ DigestsWritten: r.written, DigestItemsDigested: r.itemsDigested }),
});
