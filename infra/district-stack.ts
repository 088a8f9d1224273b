// A district's stack: everything one district runs on AWS, composed of one construct per concern:
//
//   DistrictData   the key and the table (./district-data.ts)
//   Workflows      the workflow Task Lambdas and the state machines from workflows/*.asl.json (./workflows.ts)
//   Identity       the OpenID provider staff sign in at: the district's own, or a Cognito user pool (./identity.ts)
//   DashboardSite  the dashboard's files behind CloudFront (./dashboard-site.ts)
//   Reminders      the reminder topic and the job Lambdas (./reminders.ts)
//   Schedules      EventBridge Scheduler: job workflows and job Lambdas (./schedules.ts)
//   DistrictApi    the HTTP API, its Lambda and JWT authorizer, routes from the API's route table (./http-api.ts)
//   Monitoring     alarms, their topic and key, the operations dashboard (./monitoring.ts)
//
// The deploy target follows from the region (./target.ts): in the aws-cn partition (the China regions) the
// stack uses only what exists there (docs/deploy-china.md).
import { Annotations, CfnOutput, Duration, Stack, Tags, type StackProps } from 'aws-cdk-lib';
import type { HttpApi, HttpStage } from 'aws-cdk-lib/aws-apigatewayv2';
import type { UserPool, UserPoolClient, UserPoolDomain } from 'aws-cdk-lib/aws-cognito';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import type { Key } from 'aws-cdk-lib/aws-kms';
import type { Schedule } from 'aws-cdk-lib/aws-scheduler';
import type { ISecret } from 'aws-cdk-lib/aws-secretsmanager';
import type { Topic } from 'aws-cdk-lib/aws-sns';
import type { Queue } from 'aws-cdk-lib/aws-sqs';
import type { StateMachine } from 'aws-cdk-lib/aws-stepfunctions';
import type { Construct } from 'constructs';
import type { DistrictConfig } from '../functions/domain/district-config';
import type { FunctionKey, WorkflowName } from '../functions/workflows/catalog';
import { writeDeployedDistrictConfig } from './bundling';
import { CursorKey } from './cursor-key';
import { DepartmentKeys } from './department-keys';
import { DashboardSite, type DashboardDomain } from './dashboard-site';
import { DistrictData } from './district-data';
import { ExchangeBus } from './exchange-bus';
import { DistrictApi } from './http-api';
import { Identity } from './identity';
import { ContextError, type OidcSettings } from './identity-settings';
import type { ShudiFunction } from './lambda-function';
import { Monitoring } from './monitoring';
import { paths } from './paths';
import type { SmsVia } from './reminder-wiring';
import { ReminderDelivery } from './reminder-delivery';
import { Reminders, type JobFunctions } from './reminders';
import { Schedules, type ScheduleName } from './schedules';
import { deployTarget, type DeployTarget } from './target';
import { Workflows } from './workflows';

export interface DistrictStackSettings {
  /** Overdue handovers in one street above which its alarm fires (default 10). */
  overdueHandoverThreshold?: number;
  /** HTTP API default route throttling (default 50 requests/s, burst 100). */
  apiRateLimit?: number;
  apiBurstLimit?: number;
  /** The district's OpenID provider (./identity-settings.ts); absent: a Cognito user pool (global partition only). */
  oidc?: OidcSettings;
  /** Cognito hosted UI domain prefix, unique in the region (default `shudi-<stage>-<district>`). */
  authDomainPrefix?: string;
  /** Countries (ISO 3166-1 alpha-2) allowed to load the dashboard (default CN). */
  dashboardCountries?: string[];
  /** The dashboard's custom domain and certificate: TLS 1.2 minimum; required in China and for stage prod. */
  dashboardDomain?: DashboardDomain;
  /** Where the built dashboard is (default functions/dashboard/dist); absent: not deployed. */
  dashboardDist?: string;
  /** An address that receives alarm notifications (optional). */
  alarmEmail?: string;
  /** How SMS reach staff (default `gateway`; the only choice in China): infra/reminder-wiring.ts. */
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

export class DistrictStack extends Stack {
  readonly target: DeployTarget;
  readonly data: DistrictData;
  readonly workflows: Workflows;
  readonly identity: Identity;
  /** Absent in China without a dashboardDomain (CloudFront there serves no default domain). */
  readonly site?: DashboardSite;
  readonly reminders: Reminders;
  /** The exchange with partner districts, when the config names a division code. */
  readonly exchange?: ExchangeBus;
  readonly delivery: ReminderDelivery;
  readonly scheduling: Schedules;
  readonly httpApi: DistrictApi;
  readonly monitoring: Monitoring;

  constructor(scope: Construct, id: string, props: DistrictStackProps) {
    super(scope, id, props);
    const { district, stage } = props;
    const settings = props.settings ?? {};
    const districtId = district.id;
    this.target = deployTarget(props.env?.region);
    const { features } = this.target;
    checkSettings(this.target, stage, districtId, settings);
    Tags.of(this).add('shudi:district', districtId);
    Tags.of(this).add('shudi:stage', stage);

    // What every function bundles: the district without its staff roster (./bundling.ts).
    writeDeployedDistrictConfig(this, district);
    this.data = new DistrictData(this, 'Data', { districtId, stage });
    const { table, key } = this.data;
    this.workflows = new Workflows(this, 'Workflows', { districtId, stage, table, key });
    this.identity = new Identity(this, 'Identity', {
      districtId,
      stage,
      ...(settings.oidc ? { oidc: settings.oidc } : {}),
      ...(settings.authDomainPrefix ? { authDomainPrefix: settings.authDomainPrefix } : {}),
    });

    if (features.cloudFrontDefaultDomain || settings.dashboardDomain)
      this.site = new DashboardSite(this, 'Dashboard', {
        target: this.target,
        countries: settings.dashboardCountries ?? ['CN'],
        distDir: settings.dashboardDist ?? paths.dashboardDist,
        connectOrigins: this.identity.origins,
        ...(settings.dashboardDomain ? { domain: settings.dashboardDomain } : {}),
      });
    const siteUrl = this.site?.url;
    const client = this.identity.dashboardClient(siteUrl);

    this.reminders = new Reminders(this, 'Reminders', {
      districtId,
      stage,
      table,
      key,
      dashboardUrl: siteUrl ?? '',
      smsVia: settings.smsVia ?? 'gateway',
      ...(settings.smsGatewayUrl ? { smsGatewayUrl: settings.smsGatewayUrl } : {}),
      ...(settings.smsGatewaySecret ? { smsGatewaySecret: settings.smsGatewaySecret } : {}),
      smsThroughTopic: district.delivery.sms.provider === 'sns',
      emailThroughTopic: district.delivery.email.provider === 'sns',
    });
    // SMS providers and the mail server of the delivery config: infra/reminder-delivery.ts.
    this.delivery = new ReminderDelivery(this, 'ReminderDelivery', { district, stage, table, key, publisher: this.reminders.jobFunctions.publishDue });
    this.scheduling = new Schedules(this, 'Schedules', { districtId, stage, stateMachines: this.workflows.stateMachines, jobFunctions: this.reminders.jobFunctions });
    // The exchange with partner districts (infra/exchange-bus.ts), when the config names a division code.
    if (district.exchange)
      this.exchange = new ExchangeBus(this, 'Exchange', {
        config: district.exchange,
        districtId,
        stage,
        table,
        key,
        deadLetterQueue: this.reminders.jobDeadLetterQueue,
        scheduleTarget: (fn) => this.scheduling.invokeTarget(fn, { retryAttempts: 0, maxEventAge: Duration.minutes(1) }),
      });

    this.httpApi = new DistrictApi(this, 'Api', {
      districtId,
      stage,
      table,
      key,
      issuer: this.identity.issuer,
      audience: client.audience,
      claims: this.identity.claims,
      allowOrigins: siteUrl ? [siteUrl.replace(/\/$/, '')] : [],
      rateLimit: settings.apiRateLimit ?? 50,
      burstLimit: settings.apiBurstLimit ?? 100,
    });
    // Page cursors are sealed with a per-district key (infra/cursor-key.ts; docs/security.md "Cursors").
    new CursorKey(this, 'CursorKey', { key, districtId, stage }).grantTo(this.httpApi.fn);
    // The signing keys of the department systems that post events (infra/department-keys.ts; docs/exchange.md).
    const departments = district.exchange?.departments ?? [];
    if (departments.length > 0) new DepartmentKeys(this, 'DepartmentKeys', { key, districtId, stage, departments }).grantTo(this.httpApi.fn);

    // The dashboard's runtime configuration (window.SHUDI_CONFIG), deployed with its files: one OpenID
    // Connect sign-in (authorization code + PKCE) whoever the issuer is.
    // functions/dashboard/src/config.ts reads it. Cognito puts custom attributes in the ID token only, and its
    // discovery names no end_session endpoint: the dashboard sends the ID token and signs out at the hosted UI.
    const cognitoDomain = this.identity.userPoolDomain?.baseUrl();
    this.site?.deploy({
      apiBase: this.httpApi.stage.url,
      oidc: {
        issuer: this.identity.issuer,
        clientId: client.clientId,
        redirectUri: siteUrl,
        scope: 'openid profile email',
        apiToken: cognitoDomain ? 'id_token' : 'access_token',
        ...(cognitoDomain ? { endSessionEndpoint: `${cognitoDomain}/logout` } : {}),
      },
    });

    const { jobFunctions, jobDeadLetterQueue, smsGatewayDeadLetterQueue } = this.reminders;
    this.monitoring = new Monitoring(this, 'Monitoring', {
      district,
      stage,
      stateMachines: this.workflows.stateMachines,
      functions: { ...this.workflows.functions, api: this.httpApi.fn, ...jobFunctions, ...(this.delivery.deliverFunction ? { deliverMessage: this.delivery.deliverFunction } : {}) },
      publisher: jobFunctions.publishDue,
      deadLetterQueues: [
        { queue: this.scheduling.deadLetterQueue, label: 'scheduler', description: 'a scheduled workflow start or job invocation failed after its retries (see the scheduler dead-letter queue)' },
        { queue: jobDeadLetterQueue, label: 'jobs', description: 'a digest, retention or subscription-sync run failed after its retries (see the job dead-letter queue)' },
        ...(smsGatewayDeadLetterQueue
          ? [{ queue: smsGatewayDeadLetterQueue, label: 'SMS gateway', description: 'an SMS could not be handed to the gateway after its retries (see the SMS-gateway dead-letter queue)' }]
          : []),
      ],
      overdueHandoverThreshold: settings.overdueHandoverThreshold ?? 10,
      ...(settings.alarmEmail ? { alarmEmail: settings.alarmEmail } : {}),
    });

    new CfnOutput(this, 'ApiUrl', { value: this.httpApi.stage.url });
    if (siteUrl) new CfnOutput(this, 'DashboardUrl', { value: siteUrl });
    if (this.site && settings.dashboardDomain)
      new CfnOutput(this, 'DashboardCname', { value: this.site.distribution.distributionDomainName, description: `point ${settings.dashboardDomain.name} here (CNAME)` });
    new CfnOutput(this, 'OidcIssuer', { value: this.identity.issuer });
    new CfnOutput(this, 'DashboardClientId', { value: client.clientId });
    if (this.identity.userPool) new CfnOutput(this, 'UserPoolId', { value: this.identity.userPool.userPoolId });
    if (this.identity.userPoolDomain) new CfnOutput(this, 'HostedUiDomain', { value: this.identity.userPoolDomain.baseUrl() });
    new CfnOutput(this, 'TableName', { value: table.tableName });
    new CfnOutput(this, 'ReminderTopicArn', { value: this.reminders.topic.topicArn });
    new CfnOutput(this, 'SchedulerDeadLetterQueueUrl', { value: this.scheduling.deadLetterQueue.queueUrl });

    if (!this.site)
      Annotations.of(this).addWarningV2(
        'shudi:dashboardNotHosted',
        `${this.target.region ?? 'this region'} is in the aws-cn partition, where CloudFront serves only an ICP-recorded domain with an IAM server certificate: without -c dashboardDomain=<host> -c dashboardCertificate=<IAM server certificate ID> the stack hosts no dashboard (docs/deploy-china.md).`,
      );
    else if (!this.site.deployed)
      Annotations.of(this).addWarningV2(
        'shudi:dashboardNotBuilt',
        `${settings.dashboardDist ?? 'functions/dashboard/dist'} does not exist: the dashboard bucket and CloudFront are created, its files are not deployed (build the dashboard, then deploy again).`,
      );
    if (this.site && !settings.dashboardDomain)
      Annotations.of(this).addWarningV2(
        'shudi:dashboardTls',
        'no dashboardDomain: the dashboard is served on its *.cloudfront.net domain, where CloudFront accepts TLS 1.0; set -c dashboardDomain and -c dashboardCertificate for TLS 1.2 (required for stage prod).',
      );
  }

  // Shorthands for what tests, the bench and the README name most.
  get table(): TableV2 {
    return this.data.table;
  }
  get key(): Key {
    return this.data.key;
  }
  get functions(): Record<FunctionKey, ShudiFunction> {
    return this.workflows.functions;
  }
  get stateMachines(): Record<WorkflowName, StateMachine> {
    return this.workflows.stateMachines;
  }
  get apiFunction(): ShudiFunction {
    return this.httpApi.fn;
  }
  get api(): HttpApi {
    return this.httpApi.api;
  }
  get apiStage(): HttpStage {
    return this.httpApi.stage;
  }
  get userPool(): UserPool | undefined {
    return this.identity.userPool;
  }
  get userPoolClient(): UserPoolClient | undefined {
    return this.identity.userPoolClient;
  }
  get userPoolDomain(): UserPoolDomain | undefined {
    return this.identity.userPoolDomain;
  }
  get reminderTopic(): Topic {
    return this.reminders.topic;
  }
  get jobFunctions(): JobFunctions {
    return this.reminders.jobFunctions;
  }
  get jobDeadLetterQueue(): Queue {
    return this.reminders.jobDeadLetterQueue;
  }
  get smsGatewayDeadLetterQueue(): Queue | undefined {
    return this.reminders.smsGatewayDeadLetterQueue;
  }
  get smsGatewaySecret(): ISecret | undefined {
    return this.reminders.smsGatewaySecret;
  }
  get schedulerDeadLetterQueue(): Queue {
    return this.scheduling.deadLetterQueue;
  }
  get schedules(): Record<ScheduleName, Schedule> {
    return this.scheduling.schedules;
  }
}

/** What a target cannot do with these settings stops synth, naming the context key. */
function checkSettings(target: DeployTarget, stage: string, districtId: string, settings: DistrictStackSettings): void {
  // The region is where the district's personal data lives (mainland China for a Chinese district): a
  // choice someone makes, never the CLI's default. (A region-agnostic template is no way out either: the
  // table's customer-managed key is per region and cannot be rendered without one.)
  if (!target.region)
    throw new ContextError(
      'region',
      `required for district ${districtId}: it decides the partition and where the district's data lives; e.g. -c region=cn-northwest-1 (Ningxia) or cn-north-1 (Beijing) for a Chinese district, a global region such as ap-east-1 otherwise (AWS_REGION is read too; the CLI's own default region never is)`,
    );
  if (!target.features.cognitoUserPools && !settings.oidc)
    throw new ContextError(
      'oidcIssuer',
      `required for district ${districtId} in ${target.region ?? target.partition}: the ${target.partition} partition has no Cognito user pools, so the HTTP API's JWT authorizer needs the district's own OpenID provider (docs/deploy-china.md)`,
    );
  if (!target.features.snsSms && settings.smsVia === 'sns')
    throw new ContextError('smsVia', `"sns" is not available in ${target.region ?? target.partition}: SNS sends no SMS in the ${target.partition} partition; use smsVia=gateway`);
  if (stage === 'prod' && !settings.dashboardDomain)
    throw new ContextError(
      'dashboardDomain',
      `required for stage prod (district ${districtId}): only on its own domain, with dashboardCertificate, does the dashboard refuse TLS below 1.2`,
    );
}
