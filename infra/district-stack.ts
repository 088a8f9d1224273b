// A district's stack: everything one district runs on AWS. The table comes from the one table
// design the local runtime uses too; the state machines are the very ASL files in workflows/; the
// Lambda code is functions/handlers/lambda/* (workflow Tasks) and functions/api/lambda.ts (HTTP API).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Annotations, Aws, CfnOutput, Duration, RemovalPolicy, Stack, Tags, TimeZone, Token, type StackProps } from 'aws-cdk-lib';
import { AccessLogFormat } from 'aws-cdk-lib/aws-apigateway';
import { CorsHttpMethod, HttpApi, HttpMethod, HttpStage, LogGroupLogDestination } from 'aws-cdk-lib/aws-apigatewayv2';
import { HttpJwtAuthorizer } from 'aws-cdk-lib/aws-apigatewayv2-authorizers';
import { HttpLambdaIntegration } from 'aws-cdk-lib/aws-apigatewayv2-integrations';
import {
  AccountRecovery,
  ClientAttributes,
  FeaturePlan,
  Mfa,
  OAuthScope,
  StringAttribute,
  UserPool,
  UserPoolClientIdentityProvider,
  type UserPoolClient,
  type UserPoolDomain,
} from 'aws-cdk-lib/aws-cognito';
import { AttributeType, Billing, TableEncryptionV2, TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement, type IRole } from 'aws-cdk-lib/aws-iam';
import type { IFunction } from 'aws-cdk-lib/aws-lambda';
import { Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { ScheduleExpression, Schedule, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { StepFunctionsStartExecution } from 'aws-cdk-lib/aws-scheduler-targets';
import { LambdaInvoke, type ScheduleTargetBaseProps } from 'aws-cdk-lib/aws-scheduler-targets';
import { Secret, type ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import { SubscriptionFilter, Topic } from 'aws-cdk-lib/aws-sns';
import { LambdaSubscription } from 'aws-cdk-lib/aws-sns-subscriptions';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { jobTimes, publisherTick } from '../functions/app/schedule';
import type { DistrictConfig } from '../functions/domain/district-config';
import { INDEXES, TABLE_KEYS, TTL_ATTRIBUTE, tableNameFor } from '../functions/store/table-design';
import { definitionSubstitutions, functionKeys, workflowNames, workflows, type FunctionKey, type WorkflowName } from '../functions/workflows/catalog';
import { apiAccess, jobAccess, workflowAccess, type JobFunctionKey } from './access';
import { apiRoutes } from './api-routes';
import { DashboardSite } from './dashboard-site';
import { ExchangeBus } from './exchange-bus';
import { ShudiFunction, type ShudiFunctionProps } from './lambda-function';
import { Monitoring } from './monitoring';
import { reasons, suppress } from './nag';
import { paths } from './paths';
import { defaultSmsGatewaySecretName, SMS_GATEWAY_FILTER_POLICY, type SmsVia } from './reminder-wiring';

export interface DistrictStackSettings {
  /** Overdue handovers in one street above which its alarm fires (default 10). */
  overdueHandoverThreshold?: number;
  /** HTTP API default route throttling (default 50 requests/s, burst 100). */
  apiRateLimit?: number;
  apiBurstLimit?: number;
  /** Cognito hosted UI domain prefix, unique in the region (default `shudi-<stage>-<district>`). */
  authDomainPrefix?: string;
  /** Countries (ISO 3166-1 alpha-2) allowed to load the dashboard (default CN). */
  dashboardCountries?: string[];
  /** Where the built dashboard is (default functions/dashboard/dist); absent: not deployed. */
  dashboardDist?: string;
  /** An address that receives alarm notifications (optional). */
  alarmEmail?: string;
  /** How SMS reach staff (default `gateway`): infra/reminder-wiring.ts. */
  smsVia?: SmsVia;
  /** The SMS gateway's URL (smsVia gateway): HttpSmsGateway POSTs each SMS there. Unset: synth warns. */
  smsGatewayUrl?: string;
  /**
   * The gateway's bearer secret in Secrets Manager, by name or complete ARN (default
   * `shudi/<stage>/<district>/sms-gateway`). Only its name goes into the template; the value is read at run time.
   */
  smsGatewaySecret?: string;
}

export interface DistrictStackProps extends StackProps {
  district: DistrictConfig;
  stage: string;
  settings?: DistrictStackSettings;
}

/** Timeouts stay under the ASL's Task TimeoutSeconds (60 s). */
const functionSizing: Record<FunctionKey, { timeoutSeconds: number; memorySize: number }> = {
  openCase: { timeoutSeconds: 30, memorySize: 512 },
  applyAction: { timeoutSeconds: 30, memorySize: 512 },
  listDueTimers: { timeoutSeconds: 30, memorySize: 512 },
  fireTimer: { timeoutSeconds: 30, memorySize: 512 },
  planHealthChecks: { timeoutSeconds: 30, memorySize: 512 },
  // One page of 100 subjects: up to 100 case opens, each a read and a transaction.
  generateHealthChecksPage: { timeoutSeconds: 50, memorySize: 1024 },
  planObligations: { timeoutSeconds: 30, memorySize: 512 },
  // A unit's notices: its subjects in pages of 500, then one open per residence community.
  openObligations: { timeoutSeconds: 50, memorySize: 512 },
};

const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);

/**
 * EventBridge Scheduler invoking a Lambda, allowed to invoke exactly the unqualified function ARN
 * (the schedule targets it; LambdaInvoke would also grant every version and alias, `<arn>:*`).
 */
class InvokeFunction extends LambdaInvoke {
  constructor(
    private readonly invoked: IFunction,
    props: ScheduleTargetBaseProps,
  ) {
    super(invoked, props);
  }

  protected override addTargetActionToRole(role: IRole): void {
    role.addToPrincipalPolicy(new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: [this.invoked.functionArn] }));
  }
}

export class DistrictStack extends Stack {
  readonly table: TableV2;
  readonly key: Key;
  readonly functions: Record<FunctionKey, ShudiFunction>;
  readonly apiFunction: ShudiFunction;
  readonly stateMachines: Record<WorkflowName, StateMachine>;
  readonly api: HttpApi;
  readonly apiStage: HttpStage;
  readonly userPool: UserPool;
  readonly userPoolClient: UserPoolClient;
  readonly userPoolDomain: UserPoolDomain;
  readonly reminderTopic: Topic;
  readonly schedulerDeadLetterQueue: Queue;
  readonly schedules: Record<'sweeper' | 'healthChecks' | 'changeReports' | 'unitNotices' | 'publishDue' | 'dailyDigest' | 'retention' | 'syncSubscriptions', Schedule>;
  /** The job Lambdas (infra/access.ts jobFunctionKeys); smsGateway only when SMS go through the gateway. */
  readonly jobFunctions: Partial<Record<JobFunctionKey, ShudiFunction>> & Record<Exclude<JobFunctionKey, 'smsGateway'>, ShudiFunction>;
  /** Asynchronous invocations of the scheduled jobs (digest, retention, subscription sync) that failed for good. */
  readonly jobDeadLetterQueue: Queue;
  /** SMS the gateway subscriber could not deliver after Lambda's retries (and SNS deliveries that failed). */
  readonly smsGatewayDeadLetterQueue?: Queue;
  readonly smsGatewaySecret?: ISecret;
  readonly site: DashboardSite;
  readonly monitoring: Monitoring;
  /** The exchange with partner districts (infra/exchange-bus.ts), when the config names a division code. */
  readonly exchange?: ExchangeBus;

  constructor(scope: Construct, id: string, props: DistrictStackProps) {
    super(scope, id, props);
    const { district, stage } = props;
    const settings = props.settings ?? {};
    const districtId = district.id;
    Tags.of(this).add('shudi:district', districtId);
    Tags.of(this).add('shudi:stage', stage);

    // ------------------------------------------------------------------------------------------
    // Data: the key and the table.
    this.key = new Key(this, 'DataKey', {
      description: `shudi ${districtId}: table and messages`,
      enableKeyRotation: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });

    this.table = new TableV2(this, 'Table', {
      tableName: tableNameFor(districtId, stage),
      partitionKey: { name: TABLE_KEYS.partitionKey, type: AttributeType.STRING },
      sortKey: { name: TABLE_KEYS.sortKey, type: AttributeType.STRING },
      billing: Billing.onDemand(),
      encryption: TableEncryptionV2.customerManagedKey(this.key),
      pointInTimeRecoverySpecification: { pointInTimeRecoveryEnabled: true },
      deletionProtection: true,
      timeToLiveAttribute: TTL_ATTRIBUTE,
      removalPolicy: RemovalPolicy.RETAIN,
      globalSecondaryIndexes: Object.values(INDEXES).map((i) => ({
        indexName: i.name,
        partitionKey: { name: i.pk, type: AttributeType.STRING },
        sortKey: { name: i.sk, type: AttributeType.STRING },
      })),
    });

    // ------------------------------------------------------------------------------------------
    // The workflow Task functions, one per function key of the catalog.
    const fns = {} as Record<FunctionKey, ShudiFunction>;
    for (const key of functionKeys) {
      const sizing = functionSizing[key];
      fns[key] = new ShudiFunction(this, `${pascal(key)}Fn`, {
        districtId,
        stage,
        entry: join(paths.lambdaEntries, `${key}.ts`),
        serviceName: `shudi-${key}`,
        description: `shudi ${stage} ${districtId}: workflow task ${key}`,
        table: this.table,
        key: this.key,
        access: workflowAccess[key],
        timeout: Duration.seconds(sizing.timeoutSeconds),
        memorySize: sizing.memorySize,
      });
    }
    this.functions = fns;

    // ------------------------------------------------------------------------------------------
    // The state machines: workflows/<file>.asl.json as written, the function ARNs substituted.
    const machines = {} as Record<WorkflowName, StateMachine>;
    for (const name of workflowNames) {
      const spec = workflows[name];
      const logGroup = new LogGroup(this, `${pascal(name)}StateMachineLogs`, {
        logGroupName: `/aws/vendedlogs/states/shudi-${stage}-${districtId}-${spec.file}`,
        retention: RetentionDays.SIX_MONTHS,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      const sm = new StateMachine(this, `${pascal(name)}StateMachine`, {
        comment: `shudi ${stage} ${districtId}: workflows/${spec.file}.asl.json`,
        stateMachineType: StateMachineType.STANDARD,
        definitionBody: DefinitionBody.fromString(readFileSync(join(paths.workflows, `${spec.file}.asl.json`), 'utf8')),
        definitionSubstitutions: definitionSubstitutions(name, (key) => fns[key].fn.functionArn),
        tracingEnabled: true,
        // Every event, without execution data: inputs and outputs name subjects and staff.
        logs: { destination: logGroup, level: LogLevel.ALL, includeExecutionData: false },
      });
      // The Task states call the unqualified function ARN: exactly that, no `:*` qualifiers.
      sm.addToRolePolicy(new PolicyStatement({ actions: ['lambda:InvokeFunction'], resources: spec.functions.map((key) => fns[key].fn.functionArn) }));
      suppress(sm, [{ id: 'AwsSolutions-IAM5[Resource::*]', reason: `${reasons.logDelivery} ${reasons.xray}` }]);
      machines[name] = sm;
    }
    this.stateMachines = machines;

    // ------------------------------------------------------------------------------------------
    // Messages: the reminder topic. Its publisher and the other job Lambdas are wired below, once the
    // dashboard's URL (the links in messages) is known.
    this.reminderTopic = new Topic(this, 'ReminderTopic', {
      displayName: `shudi ${stage} ${districtId} reminders`,
      masterKey: this.key,
      enforceSSL: true,
    });

    // ------------------------------------------------------------------------------------------
    // Schedules: EventBridge Scheduler starts the job workflows; a start that still fails after
    // its retries goes to the dead-letter queue (alarmed). These are the stack's only asynchronous
    // invocations: Step Functions and API Gateway invoke the Lambdas synchronously (a failure goes
    // back to the ASL's Retry/Catch or to the caller). The job Lambdas below are invoked
    // asynchronously (Scheduler, SNS) and have dead-letter queues of their own.
    this.schedulerDeadLetterQueue = new Queue(this, 'SchedulerDeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    suppress(this.schedulerDeadLetterQueue, [
      { id: 'AwsSolutions-SQS3', reason: 'This queue is itself the dead-letter queue of the EventBridge Scheduler targets; a dead-letter queue has no dead-letter queue of its own.' },
    ]);
    const start = (machine: StateMachine, input: Record<string, unknown>, maxEventAge: Duration) =>
      new StepFunctionsStartExecution(machine, {
        input: ScheduleTargetInput.fromObject(input),
        deadLetterQueue: this.schedulerDeadLetterQueue,
        retryAttempts: 3,
        maxEventAge,
      });
    const shanghai = TimeZone.ASIA_SHANGHAI;
    this.schedules = {
      // Every 15 minutes; a sweep that cannot start within that is replaced by the next one.
      sweeper: new Schedule(this, 'SweeperSchedule', {
        description: `shudi ${stage} ${districtId}: fire due deadline timers`,
        schedule: ScheduleExpression.rate(Duration.minutes(15)),
        target: start(machines.sweeper, {}, Duration.minutes(15)),
      }),
      // The period is the one of today in Asia/Shanghai (PlanHealthChecks' default): the scheduled
      // time attribute is a UTC instant, and 00:30 on the 1st is still the previous day in UTC.
      healthChecks: new Schedule(this, 'HealthChecksSchedule', {
        description: `shudi ${stage} ${districtId}: open the health checks of a new period`,
        schedule: ScheduleExpression.expression(jobTimes.health_checks.cron, shanghai),
        target: start(machines.healthChecks, {}, Duration.hours(6)),
      }),
      // The period (this month; the half-year just ended) is PlanObligations' default for today.
      changeReports: new Schedule(this, 'ChangeReportsSchedule', {
        description: `shudi ${stage} ${districtId}: open this month's change reports`,
        schedule: ScheduleExpression.expression(jobTimes.change_report.cron, shanghai),
        target: start(machines.recurringObligations, { kind: 'change_report' }, Duration.hours(6)),
      }),
      unitNotices: new Schedule(this, 'UnitNoticesSchedule', {
        description: `shudi ${stage} ${districtId}: open the unit notices of the half-year just ended`,
        schedule: ScheduleExpression.expression(jobTimes.unit_notice.cron, shanghai),
        target: start(machines.recurringObligations, { kind: 'unit_notice' }, Duration.hours(6)),
      }),
    } as DistrictStack['schedules'];

    // ------------------------------------------------------------------------------------------
    // Identity: staff sign in to a Cognito user pool; ID tokens carry custom:staffId,
    // custom:orgUnitId, custom:role and custom:district (docs/api.md). Staff cannot write these
    // attributes themselves: only an administrator sets them.
    this.userPool = new UserPool(this, 'UserPool', {
      userPoolName: `shudi-${stage}-${districtId}`,
      selfSignUpEnabled: false,
      signInAliases: { username: true, email: true },
      signInCaseSensitive: false,
      autoVerify: { email: true },
      standardAttributes: { email: { required: true, mutable: true } },
      customAttributes: {
        staffId: new StringAttribute({ minLen: 1, maxLen: 80, mutable: false }),
        orgUnitId: new StringAttribute({ minLen: 1, maxLen: 63, mutable: true }),
        role: new StringAttribute({ minLen: 1, maxLen: 40, mutable: true }),
        district: new StringAttribute({ minLen: 1, maxLen: 63, mutable: false }),
      },
      passwordPolicy: {
        minLength: 12,
        requireLowercase: true,
        requireUppercase: true,
        requireDigits: true,
        requireSymbols: true,
        tempPasswordValidity: Duration.days(3),
      },
      // Staff see personal data: a second factor always (an authenticator app; no SMS).
      mfa: Mfa.REQUIRED,
      mfaSecondFactor: { otp: true, sms: false },
      // Plus: threat protection (compromised credentials, risky sign-ins).
      featurePlan: FeaturePlan.PLUS,
      accountRecovery: AccountRecovery.EMAIL_ONLY,
      deletionProtection: true,
      removalPolicy: RemovalPolicy.RETAIN,
    });
    this.userPoolDomain = this.userPool.addDomain('HostedUi', {
      cognitoDomain: { domainPrefix: settings.authDomainPrefix ?? `shudi-${stage}-${districtId}` },
    });

    // ------------------------------------------------------------------------------------------
    // The dashboard's static files: a private bucket behind CloudFront (origin access control).
    this.site = new DashboardSite(this, 'Dashboard', {
      countries: settings.dashboardCountries ?? ['CN'],
      distDir: settings.dashboardDist ?? paths.dashboardDist,
    });
    const siteUrl = `https://${this.site.distribution.distributionDomainName}/`;

    this.userPoolClient = this.userPool.addClient('DashboardClient', {
      userPoolClientName: 'dashboard',
      generateSecret: false,
      authFlows: { userSrp: true },
      oAuth: {
        flows: { authorizationCodeGrant: true },
        scopes: [OAuthScope.OPENID, OAuthScope.EMAIL, OAuthScope.PROFILE],
        callbackUrls: [siteUrl],
        logoutUrls: [siteUrl],
      },
      supportedIdentityProviders: [UserPoolClientIdentityProvider.COGNITO],
      preventUserExistenceErrors: true,
      idTokenValidity: Duration.hours(1),
      accessTokenValidity: Duration.hours(1),
      refreshTokenValidity: Duration.hours(12),
      readAttributes: new ClientAttributes()
        .withStandardAttributes({ email: true, emailVerified: true, fullname: true, locale: true })
        .withCustomAttributes('staffId', 'orgUnitId', 'role', 'district'),
      // Staff may set their UI language; never their staff id, org unit, role or district.
      writeAttributes: new ClientAttributes().withStandardAttributes({ locale: true }),
    });

    // ------------------------------------------------------------------------------------------
    // The job Lambdas: reminders (docs/reminders.md), the subscription sync and retention. Each is
    // invoked asynchronously; its events that fail for good go to a dead-letter queue (alarmed).
    this.jobDeadLetterQueue = new Queue(this, 'JobDeadLetterQueue', {
      encryption: QueueEncryption.SQS_MANAGED,
      enforceSSL: true,
      retentionPeriod: Duration.days(14),
    });
    suppress(this.jobDeadLetterQueue, [
      { id: 'AwsSolutions-SQS3', reason: 'This queue is itself the dead-letter queue of the scheduled job Lambdas (asynchronous invocations); a dead-letter queue has no dead-letter queue of its own.' },
    ]);
    const smsVia: SmsVia = settings.smsVia ?? 'gateway';
    const jobFn = (key: JobFunctionKey, opts: Pick<ShudiFunctionProps, 'timeout' | 'memorySize'> & Partial<ShudiFunctionProps>, description: string) =>
      new ShudiFunction(this, `${pascal(key)}Fn`, {
        districtId,
        stage,
        entry: join(paths.lambdaEntries, `${key}.ts`),
        serviceName: `shudi-${key}`,
        description: `shudi ${stage} ${districtId}: ${description}`,
        table: this.table,
        key: this.key,
        access: jobAccess[key],
        ...opts,
      });
    const messageEnv = { SHUDI_DASHBOARD_URL: siteUrl };
    const jobs = {
      // Every minute (publisherTick); a failed run is not retried: the next tick is a minute away, and
      // an item it was sending is claimed again when its lease ends. Failures alarm on the Errors metric.
      publishDue: jobFn(
        'publishDue',
        { timeout: Duration.seconds(50), memorySize: 512, retryAttempts: 0, maxEventAge: Duration.minutes(1), environment: { ...messageEnv, SHUDI_TOPIC_ARN: this.reminderTopic.topicArn } },
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
    } as DistrictStack['jobFunctions'];

    // The publisher publishes to the reminder topic only, through its key (SNS encrypts with it).
    jobs.publishDue.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['sns:Publish'], resources: [this.reminderTopic.topicArn] }));
    jobs.publishDue.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['kms:Decrypt', 'kms:GenerateDataKey'],
        resources: [this.key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `sns.${Aws.REGION}.${Aws.URL_SUFFIX}` } },
      }),
    );
    // Staff subscriptions are made at run time from the register (docs/reminders.md, "SNS fan-out"), not by
    // CloudFormation: the sync manages subscriptions of this topic only (SNS authorizes the subscription
    // actions against the topic's ARN).
    jobs.syncSubscriptions.role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: ['sns:ListSubscriptionsByTopic', 'sns:Subscribe', 'sns:Unsubscribe', 'sns:GetSubscriptionAttributes', 'sns:SetSubscriptionAttributes'],
        resources: [this.reminderTopic.topicArn],
      }),
    );
    jobs.syncSubscriptions.fn.addEnvironment('SHUDI_TOPIC_ARN', this.reminderTopic.topicArn);
    jobs.syncSubscriptions.fn.addEnvironment('SHUDI_SMS_VIA', smsVia);

    if (smsVia === 'gateway') {
      // The SMS gateway: the topic's one Lambda subscription, on channel "sms" (SnsNotifier's value).
      const dlq = new Queue(this, 'SmsGatewayDeadLetterQueue', {
        encryption: QueueEncryption.SQS_MANAGED,
        enforceSSL: true,
        retentionPeriod: Duration.days(14),
      });
      suppress(dlq, [
        { id: 'AwsSolutions-SQS3', reason: 'This queue is itself the dead-letter queue of the SMS-gateway subscriber (its failed asynchronous invocations and failed SNS deliveries); it has no dead-letter queue of its own.' },
      ]);
      const secretRef = settings.smsGatewaySecret ?? defaultSmsGatewaySecretName(stage, districtId);
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
          environment: { SHUDI_SMS_GATEWAY_URL: settings.smsGatewayUrl ?? '', SHUDI_SMS_GATEWAY_SECRET_ID: secretRef },
        },
        'SMS gateway subscriber',
      );
      secret.grantRead(gateway.role);
      this.reminderTopic.addSubscription(
        new LambdaSubscription(gateway.fn, {
          filterPolicy: Object.fromEntries(Object.entries(SMS_GATEWAY_FILTER_POLICY).map(([k, v]) => [k, SubscriptionFilter.stringFilter({ allowlist: [...v] })])),
          deadLetterQueue: dlq,
        }),
      );
      jobs.syncSubscriptions.fn.addEnvironment('SHUDI_SMS_GATEWAY_FUNCTION_ARN', gateway.fn.functionArn);
      jobs.smsGateway = gateway;
      this.smsGatewayDeadLetterQueue = dlq;
      this.smsGatewaySecret = secret;
      if (!settings.smsGatewayUrl)
        Annotations.of(this).addWarningV2(
          'shudi:smsGatewayUrl',
          'smsGatewayUrl is not set: the SMS-gateway subscriber fails every SMS (kept in its dead-letter queue) until it is (-c smsGatewayUrl=https://…, README "Deploy to AWS").',
        );
    }
    this.jobFunctions = jobs;

    const invoke = (fn: ShudiFunction, opts: { retryAttempts: number; maxEventAge: Duration; input?: Record<string, unknown> }) =>
      new InvokeFunction(fn.fn, {
        input: ScheduleTargetInput.fromObject(opts.input ?? {}),
        deadLetterQueue: this.schedulerDeadLetterQueue,
        retryAttempts: opts.retryAttempts,
        maxEventAge: opts.maxEventAge,
      });
    // Every minute (publisherTick.rate): an urgent notice waits at most that long. At 43,200 runs a
    // month the schedule, the invocations and the due-index queries cost well under a dollar a month
    // per district, so a slower tick would save nothing worth a late overdue notice.
    this.schedules.publishDue = new Schedule(this, 'PublishDueSchedule', {
      description: `shudi ${stage} ${districtId}: deliver due reminders`,
      schedule: ScheduleExpression.expression(publisherTick.rate),
      target: invoke(jobs.publishDue, { retryAttempts: 0, maxEventAge: Duration.minutes(1) }),
    });
    this.schedules.dailyDigest = new Schedule(this, 'DailyDigestSchedule', {
      description: `shudi ${stage} ${districtId}: each staff member's daily digest`,
      schedule: ScheduleExpression.expression(jobTimes.daily_digest.cron, shanghai),
      target: invoke(jobs.dailyDigest, { retryAttempts: 3, maxEventAge: Duration.hours(2) }),
    });
    this.schedules.retention = new Schedule(this, 'RetentionSchedule', {
      description: `shudi ${stage} ${districtId}: erase subjects who left the register long enough ago`,
      schedule: ScheduleExpression.expression(jobTimes.retention.cron, shanghai),
      target: invoke(jobs.retention, { retryAttempts: 3, maxEventAge: Duration.hours(6) }),
    });
    this.schedules.syncSubscriptions = new Schedule(this, 'SyncSubscriptionsSchedule', {
      description: `shudi ${stage} ${districtId}: subscribe staff to the reminder topic as the register says`,
      schedule: ScheduleExpression.rate(Duration.hours(1)),
      target: invoke(jobs.syncSubscriptions, { retryAttempts: 1, maxEventAge: Duration.hours(1) }),
    });

    if (district.exchange)
      this.exchange = new ExchangeBus(this, 'Exchange', {
        config: district.exchange,
        districtId,
        stage,
        table: this.table,
        key: this.key,
        deadLetterQueue: this.jobDeadLetterQueue,
        scheduleTarget: (fn) => invoke(fn, { retryAttempts: 0, maxEventAge: Duration.minutes(1) }),
      });

    // ------------------------------------------------------------------------------------------
    // The HTTP API: one Lambda (functions/api/lambda.ts) behind API Gateway v2, JWT-authorized.
    this.apiFunction = new ShudiFunction(this, 'ApiFn', {
      districtId,
      stage,
      entry: paths.apiEntry,
      serviceName: 'shudi-api',
      description: `shudi ${stage} ${districtId}: HTTP API`,
      table: this.table,
      key: this.key,
      access: apiAccess,
      // API Gateway waits at most 30 s for an integration.
      timeout: Duration.seconds(29),
      memorySize: 1024,
      environment: { USER_POOL_ID: this.userPool.userPoolId, USER_POOL_CLIENT_ID: this.userPoolClient.userPoolClientId },
    });

    this.api = new HttpApi(this, 'HttpApi', {
      apiName: `shudi-${stage}-${districtId}`,
      description: `shudi ${stage} ${districtId}: case routing API`,
      createDefaultStage: false,
      corsPreflight: {
        allowOrigins: [`https://${this.site.distribution.distributionDomainName}`],
        allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST, CorsHttpMethod.PATCH, CorsHttpMethod.OPTIONS],
        allowHeaders: ['authorization', 'content-type', 'idempotency-key'],
        maxAge: Duration.hours(1),
      },
    });
    const accessLogs = new LogGroup(this, 'HttpApiAccessLogs', { retention: RetentionDays.SIX_MONTHS, removalPolicy: RemovalPolicy.RETAIN });
    this.apiStage = new HttpStage(this, 'HttpApiStage', {
      httpApi: this.api,
      stageName: '$default',
      autoDeploy: true,
      throttle: { rateLimit: settings.apiRateLimit ?? 50, burstLimit: settings.apiBurstLimit ?? 100 },
      // No caller identity or address: who did what is in the API's own audit log.
      accessLogSettings: {
        destination: new LogGroupLogDestination(accessLogs),
        format: AccessLogFormat.custom(
          JSON.stringify({
            requestId: '$context.requestId',
            requestTime: '$context.requestTime',
            routeKey: '$context.routeKey',
            status: '$context.status',
            responseLength: '$context.responseLength',
            integrationLatency: '$context.integrationLatency',
            integrationError: '$context.integrationErrorMessage',
            authorizerError: '$context.authorizer.error',
          }),
        ),
      },
    });
    const authorizer = new HttpJwtAuthorizer('CognitoJwt', `https://${this.userPool.userPoolProviderUrl}`, {
      authorizerName: 'cognito',
      jwtAudience: [this.userPoolClient.userPoolClientId],
      identitySource: ['$request.header.Authorization'],
    });
    const integration = new HttpLambdaIntegration('ApiIntegration', this.apiFunction.fn);
    for (const r of apiRoutes) {
      const [route] = this.api.addRoutes({
        path: r.path,
        methods: [HttpMethod[r.method]],
        integration,
        ...(r.auth === 'staff' ? { authorizer } : {}),
      });
      if (r.auth === 'public')
        suppress(route!, [{ id: 'AwsSolutions-APIG4', reason: `${r.method} ${r.path} is public by design (docs/api.md): a health probe and the OpenAPI document, no data.` }]);
    }

    // The dashboard's runtime configuration (window.SHUDI_CONFIG), deployed with its files.
    this.site.deploy({
      authMode: 'cognito',
      apiBase: this.apiStage.url,
      cognito: { domain: this.userPoolDomain.baseUrl(), clientId: this.userPoolClient.userPoolClientId, redirectUri: siteUrl },
    });

    // ------------------------------------------------------------------------------------------
    // Alarms and the operations dashboard.
    this.monitoring = new Monitoring(this, 'Monitoring', {
      district,
      stage,
      key: this.key,
      stateMachines: machines,
      functions: { ...fns, api: this.apiFunction, ...this.jobFunctions },
      publisher: this.jobFunctions.publishDue,
      deadLetterQueues: [
        { queue: this.schedulerDeadLetterQueue, label: 'scheduler', description: 'a scheduled workflow start or job invocation failed after its retries (see the scheduler dead-letter queue)' },
        { queue: this.jobDeadLetterQueue, label: 'jobs', description: 'a digest, retention or subscription-sync run failed after its retries (see the job dead-letter queue)' },
        ...(this.smsGatewayDeadLetterQueue
          ? [{ queue: this.smsGatewayDeadLetterQueue, label: 'SMS gateway', description: 'an SMS could not be handed to the gateway after its retries (see the SMS-gateway dead-letter queue)' }]
          : []),
      ],
      overdueHandoverThreshold: settings.overdueHandoverThreshold ?? 10,
      ...(settings.alarmEmail ? { alarmEmail: settings.alarmEmail } : {}),
    });

    // ------------------------------------------------------------------------------------------
    new CfnOutput(this, 'ApiUrl', { value: this.apiStage.url });
    new CfnOutput(this, 'DashboardUrl', { value: siteUrl });
    new CfnOutput(this, 'UserPoolId', { value: this.userPool.userPoolId });
    new CfnOutput(this, 'UserPoolClientId', { value: this.userPoolClient.userPoolClientId });
    new CfnOutput(this, 'HostedUiDomain', { value: this.userPoolDomain.baseUrl() });
    new CfnOutput(this, 'TableName', { value: this.table.tableName });
    new CfnOutput(this, 'ReminderTopicArn', { value: this.reminderTopic.topicArn });
    new CfnOutput(this, 'SchedulerDeadLetterQueueUrl', { value: this.schedulerDeadLetterQueue.queueUrl });
    if (!Token.isUnresolved(this.region) && this.region.startsWith('cn-'))
      Annotations.of(this).addWarningV2(
        'shudi:chinaRegion',
        `${this.region} is in the aws-cn partition, which has no Cognito user pools and no CloudFront origin access control: this stack does not deploy there yet (README, "China regions").`,
      );
    if (!this.site.deployed)
      Annotations.of(this).addWarningV2(
        'shudi:dashboardNotBuilt',
        `${settings.dashboardDist ?? 'functions/dashboard/dist'} does not exist: the dashboard bucket and CloudFront are created, its files are not deployed (build the dashboard, then deploy again).`,
      );
  }
}

