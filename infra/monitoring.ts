// Alarms and the operations dashboard of a district.
//
// Alarms (all notify the alarm topic, encrypted with a key of its own: the data key never has to
// trust CloudWatch, and the topic's policy lets CloudWatch alarms of this account publish to it):
// - failed executions, one alarm per state machine;
// - dead-letter queue depth (a scheduled start that failed after its retries);
// - overdue handovers above a threshold, one alarm per street, on the custom metric
//   `shudi/OverdueHandovers` (dimensions district, street), which a later issue emits;
// - reminder publisher errors: the publishDue Lambda's own Errors metric (most of its runs in 5
//   minutes failing), and reminders it gave up on (`shudi/RemindersFailed`, which the function emits
//   with Powertools: dimensions district and service);
// - dead-letter queue depth, one alarm per queue (scheduler, jobs, SMS gateway).
// Custom metrics that nobody emits yet are "missing data", treated as not breaching.
import { Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import {
  Alarm,
  AlarmStatusWidget,
  ComparisonOperator,
  Dashboard,
  GraphWidget,
  Metric,
  SingleValueWidget,
  TextWidget,
  TreatMissingData,
  type IMetric,
} from 'aws-cdk-lib/aws-cloudwatch';
import { SnsAction } from 'aws-cdk-lib/aws-cloudwatch-actions';
import { PolicyStatement, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { EmailSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import type { DistrictConfig } from '../functions/domain/district-config';
import type { ShudiFunction } from './lambda-function';

export const METRICS_NAMESPACE = 'shudi';
export const OVERDUE_HANDOVERS_METRIC = 'OverdueHandovers';
/** Reminders the publisher gave up on after their last attempt (functions/handlers/lambda/publishDue.ts). */
export const REMINDERS_FAILED_METRIC = 'RemindersFailed';

export interface MonitoringProps {
  district: DistrictConfig;
  stage: string;
  stateMachines: Record<string, StateMachine>;
  functions: Record<string, ShudiFunction>;
  /** The reminder publisher (publishDue). */
  publisher: ShudiFunction;
  deadLetterQueues: { queue: Queue; label: string; description: string }[];
  overdueHandoverThreshold: number;
  alarmEmail?: string;
}

const pascal = (s: string) =>
  s
    .split(/[^A-Za-z0-9]+/)
    .filter(Boolean)
    .map((p) => p.charAt(0).toUpperCase() + p.slice(1))
    .join('');

export class Monitoring extends Construct {
  readonly alarmTopic: Topic;
  /** The alarm topic's own key. */
  readonly alarmKey: Key;
  readonly alarms: Alarm[] = [];
  readonly dashboard: Dashboard;

  constructor(scope: Construct, id: string, props: MonitoringProps) {
    super(scope, id);
    const { district, stage } = props;
    const districtId = district.id;

    const stack = Stack.of(this);
    // Alarms of this account in this region, and nothing else, may use the key and publish to the topic.
    const alarmsOfThisAccount = {
      StringEquals: { 'aws:SourceAccount': stack.account },
      ArnLike: { 'aws:SourceArn': `arn:${stack.partition}:cloudwatch:${stack.region}:${stack.account}:alarm:*` },
    };
    this.alarmKey = new Key(this, 'AlarmKey', {
      description: `shudi ${districtId}: alarm notifications`,
      enableKeyRotation: true,
      // Only alarm notifications in flight are encrypted with it: nothing to keep once the topic is gone.
      removalPolicy: RemovalPolicy.DESTROY,
      pendingWindow: Duration.days(7),
    });
    this.alarmKey.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublishToEncryptedTopic',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['kms:Decrypt', 'kms:GenerateDataKey*'],
        resources: ['*'],
        conditions: alarmsOfThisAccount,
      }),
    );
    this.alarmTopic = new Topic(this, 'AlarmTopic', { displayName: `shudi ${stage} ${districtId} alarms`, masterKey: this.alarmKey, enforceSSL: true });
    this.alarmTopic.addToResourcePolicy(
      new PolicyStatement({
        sid: 'CloudWatchAlarmsPublish',
        principals: [new ServicePrincipal('cloudwatch.amazonaws.com')],
        actions: ['sns:Publish'],
        resources: [this.alarmTopic.topicArn],
        conditions: alarmsOfThisAccount,
      }),
    );
    if (props.alarmEmail) this.alarmTopic.addSubscription(new EmailSubscription(props.alarmEmail));
    const action = new SnsAction(this.alarmTopic);

    const alarm = (alarmId: string, metric: IMetric, threshold: number, description: string, comparisonOperator = ComparisonOperator.GREATER_THAN_OR_EQUAL_TO_THRESHOLD) => {
      const a = new Alarm(this, alarmId, {
        metric,
        threshold,
        evaluationPeriods: 1,
        comparisonOperator,
        treatMissingData: TreatMissingData.NOT_BREACHING,
        alarmDescription: `shudi ${stage} ${districtId}: ${description}`,
      });
      a.addAlarmAction(action);
      this.alarms.push(a);
      return a;
    };

    // Failed executions, per state machine.
    const failed: IMetric[] = [];
    for (const [name, sm] of Object.entries(props.stateMachines)) {
      const m = sm.metricFailed({ period: Duration.minutes(5), statistic: 'Sum' });
      failed.push(m.with({ label: name }));
      alarm(`${pascal(name)}ExecutionsFailed`, m, 1, `an execution of ${name} failed`);
    }

    // Dead-letter queues.
    const dlqDepth: IMetric[] = [];
    props.deadLetterQueues.forEach(({ queue, label, description }, i) => {
      const m = queue.metricApproximateNumberOfMessagesVisible({ period: Duration.minutes(5), statistic: 'Maximum' });
      dlqDepth.push(m.with({ label: `dead-letter queue: ${label}` }));
      alarm(`DeadLetterQueue${i + 1}Depth`, m, 1, description);
    });

    // Overdue handovers, per street (the custom metric; its emitter is a later issue).
    const overdue = district.streets.map(
      (s) =>
        new Metric({
          namespace: METRICS_NAMESPACE,
          metricName: OVERDUE_HANDOVERS_METRIC,
          dimensionsMap: { district: districtId, street: s.id },
          statistic: 'Maximum',
          period: Duration.hours(1),
        }),
    );
    const overdueLabelled = overdue.map((m, i) => m.with({ label: `${district.streets[i]!.name.zh} ${district.streets[i]!.name.en}` }));
    district.streets.forEach((s, i) => {
      alarm(
        `OverdueHandovers${pascal(s.id)}`,
        overdue[i]!,
        props.overdueHandoverThreshold,
        `more than ${props.overdueHandoverThreshold} overdue handovers in ${s.name.en} (${s.id})`,
        ComparisonOperator.GREATER_THAN_THRESHOLD,
      );
    });

    // Reminder publisher errors: it runs every minute, so 3 failed runs in 5 minutes is a publisher that
    // is down (a single failure, a throttled read, is retried by the next tick).
    const publisherErrors = props.publisher.fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum' });
    alarm('PublisherErrors', publisherErrors, 3, 'the reminder publisher failed in 3 of its runs in 5 minutes');
    const remindersFailed = new Metric({
      namespace: METRICS_NAMESPACE,
      metricName: REMINDERS_FAILED_METRIC,
      dimensionsMap: { district: districtId, service: 'shudi-publishDue' },
      statistic: 'Sum',
      period: Duration.minutes(5),
    });
    alarm('RemindersFailed', remindersFailed, 1, 'the reminder publisher gave up on a reminder after its last attempt');

    const lambdaErrors = Object.entries(props.functions).map(([name, f]) => f.fn.metricErrors({ period: Duration.minutes(5), statistic: 'Sum', label: name }));

    this.dashboard = new Dashboard(this, 'Dashboard', {
      dashboardName: `shudi-${stage}-${districtId}`,
      defaultInterval: Duration.days(7),
      widgets: [
        [new TextWidget({ markdown: `# shudi ${district.name.zh} ${district.name.en} (${stage})`, width: 24, height: 1 })],
        [
          new GraphWidget({ title: 'Overdue handovers by street', left: overdueLabelled, width: 16, height: 8, leftYAxis: { min: 0 } }),
          new SingleValueWidget({ title: 'Overdue handovers now', metrics: overdueLabelled, width: 8, height: 8 }),
        ],
        [
          new GraphWidget({ title: 'Failed executions', left: failed, width: 8, height: 6, leftYAxis: { min: 0 } }),
          new GraphWidget({ title: 'Lambda errors', left: lambdaErrors, width: 8, height: 6, leftYAxis: { min: 0 } }),
          new GraphWidget({ title: 'Dead-letter queue depth and publisher errors', left: dlqDepth, right: [publisherErrors.with({ label: 'publisher errors' }), remindersFailed.with({ label: 'reminders given up' })], width: 8, height: 6 }),
        ],
        [new AlarmStatusWidget({ title: 'Alarms', alarms: this.alarms, width: 24, height: 4 })],
      ],
    });
  }
}
