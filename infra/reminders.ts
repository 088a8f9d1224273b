// The reminder fan-out (docs/reminders.md): the reminder topic, the job Lambdas (publisher, digest,
// delivery failures, subscription sync, retention) with their dead-letter queue, and the SMS-gateway
// subscriber when SMS go through the gateway. Each job Lambda is invoked asynchronously; its events
// that fail for good go to a dead-letter queue (alarmed). Schedules are in ./schedules.ts.
import { join } from 'node:path';
import { Annotations, Aws, Duration } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Key } from 'aws-cdk-lib/aws-kms';
import { Secret, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { SubscriptionFilter, Topic } from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { Construct } from 'constructs';
import { jobAccess, type JobFunctionKey } from './access';
import { ShudiFunction, type ShudiFunctionProps } from './lambda-function';
import { suppress } from './nag';
import { pascal, paths } from './paths';
import { defaultSmsGatewaySecretName, SMS_GATEWAY_FILTER_POLICY, type SmsVia } from './reminder-wiring';

export interface RemindersProps {
  districtId: string;
  stage: string;
  table: TableV2;
  key: Key;
  /** The dashboard's URL, for the links in messages ('' when the stack hosts no dashboard). */
  dashboardUrl: string;
  smsVia: SmsVia;
  smsGatewayUrl?: string;
  smsGatewaySecret?: string;
  /** SMS leave through the topic (SNS SMS or the gateway); false when the delivery config sends them to a provider directly (infra/reminder-delivery.ts). */
  smsThroughTopic: boolean;
  /** False when the delivery config sends e-mail by the district's mail server (deliverMessage), not through the topic. */
  emailThroughTopic: boolean;
}

/** The job Lambdas; smsGateway only when SMS go through the gateway. */
export type JobFunctions = Partial<Record<JobFunctionKey, ShudiFunction>> & Record<Exclude<JobFunctionKey, 'smsGateway'>, ShudiFunction>;

/** A dead-letter queue: encrypted, TLS only, 14 days; itself without a dead-letter queue. */
export function deadLetterQueue(scope: Construct, id: string, whose: string): Queue {
  const q = new Queue(scope, id, { encryption: QueueEncryption.SQS_MANAGED, enforceSSL: true, retentionPeriod: Duration.days(14) });
  suppress(q, [{ id: 'AwsSolutions-SQS3', reason: `This queue is itself the dead-letter queue of ${whose}; a dead-letter queue has no dead-letter queue of its own.` }]);
  return q;
}

export class Reminders extends Construct {
  readonly topic: Topic;
  readonly jobFunctions: JobFunctions;
  /** Asynchronous invocations of the scheduled jobs (digest, retention, subscription sync) that failed for good. */
  readonly jobDeadLetterQueue: Queue;
  /** SMS the gateway subscriber could not deliver after Lambda's retries (and SNS deliveries that failed). */
  readonly smsGatewayDeadLetterQueue?: Queue;
  readonly smsGatewaySecret?: ISecret;

  constructor(scope: Construct, id: string, props: RemindersProps) {
    super(scope, id);
    const { districtId, stage, smsVia } = props;
    this.topic = new Topic(this, 'ReminderTopic', { displayName: `shudi ${stage} ${districtId} reminders`, masterKey: props.key, enforceSSL: true });
    this.jobDeadLetterQueue = deadLetterQueue(this, 'JobDeadLetterQueue', 'the scheduled job Lambdas (asynchronous invocations)');

    const jobFn = (key: JobFunctionKey, opts: Pick<ShudiFunctionProps, 'timeout' | 'memorySize'> & Partial<ShudiFunctionProps>, description: string) =>
      new ShudiFunction(this, `${pascal(key)}Fn`, {
        districtId,
        stage,
        entry: join(paths.lambdaEntries, `${key}.ts`),
        serviceName: `shudi-${key}`,
        description: `shudi ${stage} ${districtId}: ${description}`,
        table: props.table,
        key: props.key,
        access: jobAccess[key],
        ...opts,
      });
    const messageEnv = { SHUDI_DASHBOARD_URL: props.dashboardUrl };
    const jobs = {
      // Every minute (publisherTick); a failed run is not retried: the next tick is a minute away, and
      // an item it was sending is claimed again when its lease ends. Failures alarm on the Errors metric.
      publishDue: jobFn(
        'publishDue',
        { timeout: Duration.seconds(50), memorySize: 512, retryAttempts: 0, maxEventAge: Duration.minutes(1), environment: { ...messageEnv, SHUDI_TOPIC_ARN: this.topic.topicArn } },
        'reminder publisher',
      ),
      // Every staff member's digest: up to a few thousand staff, 8 at a time.
      dailyDigest: jobFn(
        'dailyDigest',
        { timeout: Duration.minutes(10), memorySize: 1024, retryAttempts: 2, maxEventAge: Duration.hours(2), deadLetterQueue: this.jobDeadLetterQueue, environment: messageEnv },
        'daily digest',
      ),
      // Bounces and dead numbers reported back; invoked directly (no trigger in the stack).
      deliveryFailure: jobFn('deliveryFailure', { timeout: Duration.seconds(10), memorySize: 256, retryAttempts: 0 }, 'delivery failure report'),
      syncSubscriptions: jobFn(
        'syncSubscriptions',
        { timeout: Duration.minutes(5), memorySize: 512, retryAttempts: 1, maxEventAge: Duration.hours(1), deadLetterQueue: this.jobDeadLetterQueue },
        'reminder topic subscription sync',
      ),
      retention: jobFn(
        'retention',
        { timeout: Duration.minutes(10), memorySize: 512, retryAttempts: 2, maxEventAge: Duration.hours(6), deadLetterQueue: this.jobDeadLetterQueue },
        'retention (erasure of subjects who left the register)',
      ),
    } as JobFunctions;

    // The publisher publishes to the reminder topic only, through its key (SNS encrypts with it).
    jobs.publishDue.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['sns:Publish'], resources: [this.topic.topicArn] }));
    jobs.publishDue.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [props.key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `sns.${Aws.REGION}.${Aws.URL_SUFFIX}` } },
      }),
    );
    // Staff subscriptions are made at run time from the register (docs/reminders.md, "SNS fan-out"), not by
    // CloudFormation: the sync manages subscriptions of this topic only (SNS authorizes the subscription
    // actions against the topic's ARN).
    jobs.syncSubscriptions.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['sns:ListSubscriptionsByTopic', 'sns:Subscribe', 'sns:Unsubscribe', 'sns:GetSubscriptionAttributes', 'sns:SetSubscriptionAttributes'],
        resources: [this.topic.topicArn],
      }),
    );
    jobs.syncSubscriptions.fn.addEnvironment('SHUDI_TOPIC_ARN', this.topic.topicArn);
    // SMS a provider sends directly (deliverMessage) never reach the topic: the sync then makes no SMS subscription.
    jobs.syncSubscriptions.fn.addEnvironment('SHUDI_SMS_VIA', props.smsThroughTopic ? smsVia : 'direct');
    // Likewise e-mail sent by the district's mail server: SNS gets no staff address to hold or to confirm.
    jobs.syncSubscriptions.fn.addEnvironment('SHUDI_EMAIL_VIA', props.emailThroughTopic ? 'sns' : 'direct');

    if (smsVia === 'gateway' && props.smsThroughTopic) {
      // The SMS gateway: the topic's one Lambda subscription, on channel "sms" (SnsNotifier's value).
      const dlq = deadLetterQueue(this, 'SmsGatewayDeadLetterQueue', 'the SMS-gateway subscriber (its failed asynchronous invocations and failed SNS deliveries)');
      const secretRef = props.smsGatewaySecret ?? defaultSmsGatewaySecretName(stage, districtId);
      const secret = secretRef.startsWith('arn:')
        ? Secret.fromSecretCompleteArn(this, 'SmsGatewaySecret', secretRef)
        : Secret.fromSecretNameV2(this, 'SmsGatewaySecret', secretRef);
      const gateway = jobFn(
        'smsGateway',
        {
          timeout: Duration.seconds(30),
          memorySize: 512,
          // 5xx, timeouts and a claim held by another attempt fail the invocation: Lambda retries twice
          // (about 1 and 2 minutes later), then the message goes to the dead-letter queue.
          retryAttempts: 2,
          maxEventAge: Duration.hours(6),
          deadLetterQueue: dlq,
          environment: { SHUDI_SMS_GATEWAY_URL: props.smsGatewayUrl ?? '', SHUDI_SMS_GATEWAY_SECRET_ID: secretRef },
        },
        'SMS gateway subscriber',
      );
      secret.grantRead(gateway.role);
      this.topic.addSubscription(
        new LambdaSubscription(gateway.fn, {
          filterPolicy: Object.fromEntries(Object.entries(SMS_GATEWAY_FILTER_POLICY).map(([k, v]) => [k, SubscriptionFilter.stringFilter({ allowlist: [...v] })])),
          deadLetterQueue: dlq,
        }),
      );
      jobs.syncSubscriptions.fn.addEnvironment('SHUDI_SMS_GATEWAY_FUNCTION_ARN', gateway.fn.functionArn);
      jobs.smsGateway = gateway;
      this.smsGatewayDeadLetterQueue = dlq;
      this.smsGatewaySecret = secret;
      if (!props.smsGatewayUrl)
        Annotations.of(this).addWarningV2(
          'shudi:smsGatewayUrl',
          'smsGatewayUrl is not set: the SMS-gateway subscriber fails every SMS (kept in its dead-letter queue) until it is (-c smsGatewayUrl=https://…, README "Deploy to AWS").',
        );
    }
    this.jobFunctions = jobs;
  }
}
