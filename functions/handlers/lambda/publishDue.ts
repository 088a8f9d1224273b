// Lambda entry point of the reminder publisher (EventBridge Scheduler, every minute: publisherTick in
// functions/app/schedule.ts): delivers the due urgent notices and digests as the district's delivery config says,
// through the district's SNS topic, or through the deliverMessage function to the SMS provider and the mail server.
import { LambdaClient } from '@aws-sdk/client-lambda';
import { SNSClient } from '@aws-sdk/client-sns';
import { deliveryNotifier } from '../../adapters/channel-notifier';
import { LambdaNotifier } from '../../adapters/lambda-notifier';
import { SnsNotifier } from '../../adapters/sns-notifier';
import { requiredEnv } from './env';
import { wrapJobHandler } from './job-handler';
import { observability } from './observability';
import { reminderHandlers } from './reminder-runtime';

const o = observability({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'shudi-publishDue', districtId: requiredEnv('DISTRICT_ID') });
const handlers = reminderHandlers({
  notifier: ({ config }) =>
    deliveryNotifier({
      delivery: config.delivery,
      sns: () => new SnsNotifier(new SNSClient({}), requiredEnv('SHUDI_TOPIC_ARN')),
      // SMS providers and SMTP: the deliverMessage function, invoked synchronously (its answer lands in the outbox).
      direct: () => new LambdaNotifier(new LambdaClient({}), requiredEnv('SHUDI_DELIVER_FUNCTION')),
    }),
});

export const handler = wrapJobHandler('publishDue', () => handlers.publishDue(), o, {
  // RemindersFailed: items given up after their last attempt (alarmed); the rest are for the dashboard.
  metricsOf: (r) => ({ RemindersDue: r.due, RemindersSent: r.outcomes.sent, RemindersFailed: r.outcomes.failed, RemindersRetried: r.outcomes.retry, MessagesPublished: r.messages }),
});
