// Lambda entry point of the reminder publisher (EventBridge Scheduler, every minute: publisherTick in
// functions/app/schedule.ts): delivers the due urgent notices and digests through the district's SNS topic.
import { SNSClient } from '@aws-sdk/client-sns';
import { SnsNotifier } from '../../adapters/sns-notifier';
import { requiredEnv } from './district';
import { wrapJobHandler } from './job-handler';
import { observability } from './observability';
import { reminderHandlers } from './reminder-runtime';

const o = observability({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'shudi-publishDue', districtId: requiredEnv('DISTRICT_ID') });
const notifier = new SnsNotifier(o.tracer.captureAWSv3Client(new SNSClient({})), requiredEnv('SHUDI_TOPIC_ARN'));
const handlers = reminderHandlers(o, { notifier });

export const handler = wrapJobHandler('publishDue', () => handlers.publishDue(), o, {
  // RemindersFailed: items given up after their last attempt (alarmed); the rest are for the dashboard.
  metricsOf: (r) => ({ RemindersDue: r.due, RemindersSent: r.outcomes.sent, RemindersFailed: r.outcomes.failed, RemindersRetried: r.outcomes.retry, MessagesPublished: r.messages }),
});
