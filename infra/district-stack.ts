// A district's stack: everything one district runs on AWS. The table comes from the one table
// design the local runtime uses too; the state machines are the very ASL files in workflows/; the
// Lambda code is functions/handlers/lambda/* (workflow Tasks) and functions/api/lambda.ts (HTTP API).
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Annotations, CfnOutput, Duration, RemovalPolicy, Stack, Tags, TimeZone, Token, type StackProps } from 'aws-cdk-lib';
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
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import { Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { ScheduleExpression, Schedule, ScheduleTargetInput } from 'aws-cdk-lib/aws-scheduler';
import { StepFunctionsStartExecution } from 'aws-cdk-lib/aws-scheduler-targets';
import { Topic } from 'aws-cdk-lib/aws-sns';
import { Queue, QueueEncryption } from 'aws-cdk-lib/aws-sqs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import { jobTimes } from '../functions/app/schedule';
import type { DistrictConfig } from '../functions/domain/district-config';
import { INDEXES, TABLE_KEYS, TTL_ATTRIBUTE, tableNameFor } from '../functions/store/table-design';
import { definitionSubstitutions, functionKeys, workflowNames, workflows, type FunctionKey, type WorkflowName } from '../functions/workflows/catalog';
import { apiAccess, workflowAccess } from './access';
import { apiRoutes } from './api-routes';
import { DashboardSite } from './dashboard-site';
import { ShudiFunction } from './lambda-function';
import { Monitoring } from './monitoring';
import { reasons, suppress } from './nag';
import { paths } from './paths';

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
  readonly schedules: Record<'sweeper' | 'healthChecks' | 'changeReports' | 'unitNotices', Schedule>;
  readonly site: DashboardSite;
  readonly monitoring: Monitoring;

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
    // Messages: the reminder topic (its publisher is a later issue).
    this.reminderTopic = new Topic(this, 'ReminderTopic', {
      displayName: `shudi ${stage} ${districtId} reminders`,
      masterKey: this.key,
      enforceSSL: true,
    });

    // ------------------------------------------------------------------------------------------
    // Schedules: EventBridge Scheduler starts the job workflows; a start that still fails after
    // its retries goes to the dead-letter queue (alarmed). These are the stack's only asynchronous
    // invocations: Step Functions and API Gateway invoke the Lambdas synchronously (a failure goes
    // back to the ASL's Retry/Catch or to the caller), so no Lambda needs an async-invoke DLQ; the
    // reminder topic's subscriptions (a later issue) bring their own.
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
      // Seams (later issues): the daily digest at 08:30 Asia/Shanghai, the retention job at 02:00
      // and the reminder publisher every minute (jobTimes.daily_digest, jobTimes.retention,
      // publisherTick in functions/app/schedule.ts), each with its Lambda and this dead-letter queue:
      // digest: new Schedule(this, 'DailyDigestSchedule', {
      //   schedule: ScheduleExpression.expression(jobTimes.daily_digest.cron, shanghai),
      //   target: new LambdaInvoke(digestFn, { deadLetterQueue: this.schedulerDeadLetterQueue, retryAttempts: 3, maxEventAge: Duration.hours(2) }),
      // }),
    };

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
        allowMethods: [CorsHttpMethod.GET, CorsHttpMethod.POST, CorsHttpMethod.OPTIONS],
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
      functions: { ...fns, api: this.apiFunction },
      deadLetterQueues: [this.schedulerDeadLetterQueue],
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

