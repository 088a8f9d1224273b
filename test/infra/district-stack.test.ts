// The district stacks, as synthesized: each district's stack once (bundling skipped: the code
// assets are checked by bundles.test.ts), then its resources, IAM, state machine definitions,
// cdk-nag findings and a snapshot.
import { mkdirSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Stack, type CfnElement } from 'aws-cdk-lib';
import { Annotations, Match } from 'aws-cdk-lib/assertions';
import type { IConstruct } from 'constructs';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { jobTimes } from '../../functions/app/schedule';
import { INDEXES, TTL_ATTRIBUTE } from '../../functions/store/table-design';
import { functionKeys, substitutionVariable, workflowNames, workflows } from '../../functions/workflows/catalog';
import { apiAccess, jobAccess, jobFunctionKeys, kmsActionsFor, workflowAccess, type TableAccess } from '../../infra/access';
import { defaultSmsGatewaySecretName, SMS_GATEWAY_FILTER_POLICY } from '../../infra/reminder-wiring';
import { publishInput } from '../../functions/adapters/sns-notifier';
import { gatewayRoutes } from '../../infra/http-api';
import { FORMER_LOGICAL_IDS } from '../../infra/logical-ids';
import { ROOT } from '../../infra/paths';
import { asList, cfnText, districts, type IamStatement, nagFindings, normalizedTemplate, resourcesOfType, roleStatements, synthDistrict, type CfnTemplate, type Synthesized } from './synth';

const logicalId = (c: IConstruct): string => {
  const stack = Stack.of(c);
  const el = (c.node.defaultChild ?? c) as CfnElement;
  // The element's own logical ID (overrides included: infra/logical-ids.ts).
  return stack.resolve(el.logicalId) as string;
};

/** A dashboard build stand-in, so the deployment path is tested without building the dashboard. */
function fakeDashboardDist(): string {
  const dir = mkdtempSync(join(tmpdir(), 'shudi-dashboard-dist-'));
  mkdirSync(join(dir, 'assets'));
  writeFileSync(join(dir, 'index.html'), '<!doctype html><title>shudi</title><script src="./config.js"></script>\n');
  writeFileSync(join(dir, 'assets', 'index.js'), 'console.log("shudi");\n');
  return dir;
}

// chuanhui: the dashboard not built (its deployment is skipped with a warning);
// yiling: a stand-in build (the deployment and its nag acknowledgements are exercised).
const cases = [
  { districtId: 'chuanhui', dashboard: 'absent' as const },
  { districtId: 'yiling', dashboard: 'built' as const },
];

describe.each(cases)('district stack $districtId', ({ districtId, dashboard }) => {
  let s: Synthesized;
  let t: CfnTemplate;
  beforeAll(() => {
    const dashboardDist = dashboard === 'built' ? fakeDashboardDist() : join(tmpdir(), 'shudi-no-such-dashboard-dist');
    // Reminders through the topic (SNS e-mail, SMS through the gateway), as a district in the global partition may
    // keep them; SMS providers and SMTP sent directly are test/reminders/delivery-stack.test.ts.
    s = synthDistrict(districtId, { settings: { dashboardDist }, config: (d) => ({ ...d, delivery: { sms: { provider: 'sns' }, email: { provider: 'sns' } } }) });
    t = s.json;
  });
  afterAll(() => rmSync(s.outdir, { recursive: true, force: true }));

  const tableId = () => logicalId(s.stack.table);
  const keyId = () => logicalId(s.stack.key);

  it('has the table: on demand, point-in-time recovery, deletion protection, the district key, TTL, every index; retained', () => {
    s.template.resourceCountIs('AWS::DynamoDB::GlobalTable', 1);
    const [, table] = resourcesOfType(t, 'AWS::DynamoDB::GlobalTable')[0]!;
    const p = table.Properties!;
    expect(p.TableName).toBe(`shudi-test-${districtId}`);
    expect(p.BillingMode).toBe('PAY_PER_REQUEST');
    expect(p.TimeToLiveSpecification).toEqual({ AttributeName: TTL_ATTRIBUTE, Enabled: true });
    expect(p.SSESpecification).toEqual({ SSEEnabled: true, SSEType: 'KMS' });
    expect(p.Replicas).toHaveLength(1);
    const replica = p.Replicas[0];
    expect(replica.PointInTimeRecoverySpecification).toEqual({ PointInTimeRecoveryEnabled: true });
    expect(replica.DeletionProtectionEnabled).toBe(true);
    expect(cfnText(replica.SSESpecification.KMSMasterKeyId)).toBe(`${keyId()}.Arn`);
    expect(p.GlobalSecondaryIndexes.map((i: { IndexName: string }) => i.IndexName).sort()).toEqual(Object.values(INDEXES).map((i) => i.name).sort());
    expect(table.DeletionPolicy).toBe('Retain');
    s.template.hasResource('AWS::KMS::Key', { DeletionPolicy: 'Retain', Properties: { EnableKeyRotation: true } });
  });

  it('has one Lambda per catalog function key and the API Lambda: Node 22 on arm64, traced, Powertools, timeouts under the Task timeout', () => {
    const lambdas = resourcesOfType(t, 'AWS::Lambda::Function');
    const ours = lambdas.filter(([, r]) => r.Properties?.Environment?.Variables?.DISTRICT_ID === districtId);
    // + the exchange's dispatcher and receiver when the district has partners (test/exchange/exchange-stack.test.ts).
    expect(ours).toHaveLength(functionKeys.length + 1 + jobFunctionKeys.length + (s.stack.exchange ? 2 : 0));
    const all = [...functionKeys.map((key) => [key, s.stack.functions[key]] as const), ...jobFunctionKeys.map((key) => [key, s.stack.jobFunctions[key]!] as const)];
    for (const [key, f] of all) {
      const fn = f.fn;
      const r = t.Resources[logicalId(fn)]!.Properties!;
      expect(r.Runtime).toBe('nodejs22.x');
      expect(r.Architectures).toEqual(['arm64']);
      expect(r.Handler).toBe('index.handler');
      expect(r.TracingConfig).toEqual({ Mode: 'Active' });
      if ((functionKeys as readonly string[]).includes(key)) expect(r.Timeout).toBeLessThan(60);
      else expect(r.Timeout).toBeLessThanOrEqual(900);
      expect(r.Environment.Variables).toMatchObject({
        DISTRICT_ID: districtId,
        POWERTOOLS_SERVICE_NAME: `shudi-${key}`,
        POWERTOOLS_METRICS_NAMESPACE: 'shudi',
        POWERTOOLS_LOGGER_LOG_EVENT: 'false',
        NODE_OPTIONS: '--enable-source-maps',
      });
      expect(cfnText(r.Environment.Variables.TABLE_NAME)).toBe(tableId());
      // No staff names or phones in the console: the district config is bundled, not in env.
      expect(Object.keys(r.Environment.Variables)).not.toContain('DISTRICT_CONFIG');
      expect(JSON.stringify(r.Environment.Variables)).not.toMatch(/\+86\d{6,}/);
      expect(cfnText(r.LoggingConfig.LogGroup)).toBe(logicalId(f.logGroup));
    }
    const api = t.Resources[logicalId(s.stack.apiFunction.fn)]!.Properties!;
    expect(api).toMatchObject({ Runtime: 'nodejs22.x', Architectures: ['arm64'], TracingConfig: { Mode: 'Active' } });
    expect(api.Timeout).toBeLessThanOrEqual(29);
  });

  it('deploys each workflows/*.asl.json as written, with its function ARNs substituted; logging every event without execution data, and tracing', () => {
    s.template.resourceCountIs('AWS::StepFunctions::StateMachine', workflowNames.length);
    for (const name of workflowNames) {
      const spec = workflows[name];
      const sm = t.Resources[logicalId(s.stack.stateMachines[name])]!.Properties!;
      const file = readFileSync(join(ROOT, 'workflows', `${spec.file}.asl.json`), 'utf8');
      expect(sm.DefinitionString).toBe(file);
      // Each substitution variable is the ARN of the function of that key, and nothing else.
      const subs = sm.DefinitionSubstitutions as Record<string, unknown>;
      expect(Object.keys(subs).sort()).toEqual(spec.functions.map(substitutionVariable).sort());
      const arnOf: Record<string, string> = {};
      for (const key of spec.functions) {
        expect(cfnText(subs[substitutionVariable(key)])).toBe(`${logicalId(s.stack.functions[key].fn)}.Arn`);
        arnOf[substitutionVariable(key)] = `arn:aws:lambda:ap-east-1:123456789012:function:${logicalId(s.stack.functions[key].fn)}`;
      }
      // What Step Functions runs: DefinitionString after DefinitionSubstitutions.
      const deployed = JSON.parse(String(sm.DefinitionString).replace(/\$\{(\w+)\}/g, (_, v: string) => arnOf[v] ?? `<unresolved ${v}>`));
      const expected = JSON.parse(file.replace(/\$\{(\w+)\}/g, (_, v: string) => arnOf[v] ?? `<unresolved ${v}>`));
      expect(deployed).toEqual(expected);
      expect(JSON.stringify(deployed)).not.toContain('<unresolved');
      expect(sm.StateMachineType).toBe('STANDARD');
      expect(sm.TracingConfiguration).toEqual({ Enabled: true });
      expect(sm.LoggingConfiguration).toMatchObject({ Level: 'ALL', IncludeExecutionData: false });
      expect(sm.LoggingConfiguration.Destinations).toHaveLength(1);
    }
  });

  it('has the HTTP API: throttled, access-logged, explicit routes, the Cognito JWT authorizer on every staff route and no /dev route', () => {
    const apiRoutes = gatewayRoutes();
    s.template.resourceCountIs('AWS::ApiGatewayV2::Api', 1);
    s.template.hasResourceProperties('AWS::ApiGatewayV2::Api', { ProtocolType: 'HTTP' });
    s.template.hasResourceProperties('AWS::ApiGatewayV2::Stage', {
      StageName: '$default',
      AutoDeploy: true,
      DefaultRouteSettings: { ThrottlingRateLimit: 50, ThrottlingBurstLimit: 100 },
      AccessLogSettings: { DestinationArn: Match.anyValue(), Format: Match.stringLikeRegexp('requestId') },
    });
    const [authorizerId, authorizer] = resourcesOfType(t, 'AWS::ApiGatewayV2::Authorizer')[0] as [string, { Properties: Record<string, any> }];
    expect(authorizer.Properties.AuthorizerType).toBe('JWT');
    expect(authorizer.Properties.IdentitySource).toEqual(['$request.header.Authorization']);
    expect(cfnText(authorizer.Properties.JwtConfiguration.Issuer)).toBe(`https://${logicalId(s.stack.userPool!)}.ProviderURL`);
    expect(asList(authorizer.Properties.JwtConfiguration.Audience).map(cfnText)).toEqual([logicalId(s.stack.userPoolClient!)]);

    const routes = resourcesOfType(t, 'AWS::ApiGatewayV2::Route').map(([, r]) => ({
      key: r.Properties!.RouteKey as string,
      auth: r.Properties!.AuthorizationType as string | undefined,
      authorizer: r.Properties!.AuthorizerId ? cfnText(r.Properties!.AuthorizerId) : undefined,
    }));
    expect(routes.map((r) => r.key).sort()).toEqual(apiRoutes.map((r) => `${r.method} ${r.path}`).sort());
    expect(routes.some((r) => r.key.includes('/dev'))).toBe(false);
    expect(routes.some((r) => r.key.includes('{proxy+}') || r.key.startsWith('ANY'))).toBe(false);
    for (const r of apiRoutes) {
      const route = routes.find((x) => x.key === `${r.method} ${r.path}`)!;
      if (r.auth === 'public') expect(route.auth ?? 'NONE').toBe('NONE');
      else expect(route).toMatchObject({ auth: 'JWT', authorizer: authorizerId });
    }
  });

  it('has the user pool: ID tokens with custom staffId, orgUnitId, role and district that staff cannot write; MFA required; Plus', () => {
    const pool = t.Resources[logicalId(s.stack.userPool!)]!.Properties!;
    expect(pool.Schema.filter((a: { Name: string }) => ['staffId', 'orgUnitId', 'role', 'district'].includes(a.Name)).map((a: { Name: string }) => a.Name).sort()).toEqual([
      'district',
      'orgUnitId',
      'role',
      'staffId',
    ]);
    expect(pool.MfaConfiguration).toBe('ON');
    expect(pool.UserPoolTier).toBe('PLUS');
    // Threat protection enforcing (full function), not audit only.
    expect(pool.UserPoolAddOns).toEqual({ AdvancedSecurityMode: 'ENFORCED' });
    expect(pool.AdminCreateUserConfig).toMatchObject({ AllowAdminCreateUserOnly: true });
    expect(pool.Policies.PasswordPolicy).toMatchObject({ MinimumLength: 12, RequireSymbols: true, RequireUppercase: true, RequireNumbers: true });
    const client = t.Resources[logicalId(s.stack.userPoolClient!)]!.Properties!;
    for (const a of ['custom:staffId', 'custom:orgUnitId', 'custom:role', 'custom:district']) {
      expect(client.ReadAttributes).toContain(a);
      expect(client.WriteAttributes).not.toContain(a);
    }
    expect(client.AllowedOAuthFlows).toEqual(['code']);
    expect(client.GenerateSecret).toBe(false);
  });

  it('starts the job workflows from EventBridge Scheduler, with a dead-letter queue', () => {
    const schedules = resourcesOfType(t, 'AWS::Scheduler::Schedule').map(([, r]) => r.Properties!);
    expect(schedules).toHaveLength(8 + (s.stack.exchange ? 1 : 0)); // + the exchange dispatcher's
    const dlq = logicalId(s.stack.schedulerDeadLetterQueue);
    const byExpr = (expr: string) => schedules.find((x) => x.ScheduleExpression === expr)!;
    const sweeper = byExpr('rate(15 minutes)');
    expect(cfnText(sweeper.Target.Arn)).toBe(logicalId(s.stack.stateMachines.sweeper));
    expect(JSON.parse(sweeper.Target.Input)).toEqual({});
    const expectations = [
      { cron: jobTimes.health_checks.cron, sm: 'healthChecks' as const, input: {} },
      { cron: jobTimes.change_report.cron, sm: 'recurringObligations' as const, input: { kind: 'change_report' } },
      { cron: jobTimes.unit_notice.cron, sm: 'recurringObligations' as const, input: { kind: 'unit_notice' } },
    ];
    for (const e of expectations) {
      const sch = byExpr(e.cron);
      expect(sch.ScheduleExpressionTimezone).toBe('Asia/Shanghai');
      expect(cfnText(sch.Target.Arn)).toBe(logicalId(s.stack.stateMachines[e.sm]));
      expect(JSON.parse(sch.Target.Input)).toEqual(e.input);
    }
    // The job Lambdas: the publisher every minute (not retried: the next tick is a minute away), the digest
    // and retention at their Asia/Shanghai times, the subscription sync every hour.
    const jobSchedules = [
      { expr: 'rate(1 minute)', fn: 'publishDue' as const, tz: 'Etc/UTC', retries: 0 },
      { expr: jobTimes.daily_digest.cron, fn: 'dailyDigest' as const, tz: 'Asia/Shanghai', retries: 3 },
      { expr: jobTimes.retention.cron, fn: 'retention' as const, tz: 'Asia/Shanghai', retries: 3 },
      { expr: 'rate(1 hour)', fn: 'syncSubscriptions' as const, tz: 'Etc/UTC', retries: 1 },
    ];
    expect(jobTimes.daily_digest.cron).toBe('cron(30 8 * * ? *)');
    for (const e of jobSchedules) {
      const sch = byExpr(e.expr);
      expect(sch, e.expr).toBeDefined();
      expect(sch.ScheduleExpressionTimezone).toBe(e.tz);
      expect(cfnText(sch.Target.Arn)).toBe(`${logicalId(s.stack.jobFunctions[e.fn].fn)}.Arn`);
      expect(sch.Target.RetryPolicy.MaximumRetryAttempts, e.expr).toBe(e.retries);
    }
    for (const sch of schedules) {
      expect(cfnText(sch.Target.DeadLetterConfig.Arn)).toBe(`${dlq}.Arn`);
      if (!jobSchedules.some((j) => j.expr === sch.ScheduleExpression)) expect(sch.Target.RetryPolicy.MaximumRetryAttempts).toBe(3);
      expect(sch.State).toBe('ENABLED');
    }
    // Scheduler may invoke exactly the function it targets, unqualified (no `:*`).
    const invoked = roleStatements(t)
      .filter((x) => asList(x.statement.Action).includes('lambda:InvokeFunction') && x.role.startsWith('SchedulerRoleForTarget'))
      .flatMap((x) => asList(x.statement.Resource).map(cfnText));
    const exchangeDispatch = s.stack.exchange ? [`${logicalId(s.stack.exchange.dispatch.fn)}.Arn`] : [];
    expect(invoked.sort()).toEqual([...jobSchedules.map((j) => `${logicalId(s.stack.jobFunctions[j.fn].fn)}.Arn`), ...exchangeDispatch].sort());
    // The dead-letter queue: encrypted, TLS only.
    expect(t.Resources[dlq]!.Properties).toMatchObject({ SqsManagedSseEnabled: true, MessageRetentionPeriod: 14 * 24 * 3600 });
    s.template.hasResourceProperties('AWS::SQS::QueuePolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
  });

  it('has the reminder topic encrypted with the district key and the alarm topic with its own key, both TLS only; CloudWatch alarms of this account may publish to the alarm topic', () => {
    expect(cfnText(t.Resources[logicalId(s.stack.reminderTopic)]!.Properties!.KmsMasterKeyId)).toBe(`${keyId()}.Arn`);
    const alarmTopic = logicalId(s.stack.monitoring.alarmTopic);
    const alarmKey = logicalId(s.stack.monitoring.alarmKey);
    expect(alarmKey).not.toBe(keyId());
    expect(cfnText(t.Resources[alarmTopic]!.Properties!.KmsMasterKeyId)).toBe(`${alarmKey}.Arn`);
    expect(t.Resources[alarmKey]!.Properties!.EnableKeyRotation).toBe(true);
    s.template.hasResourceProperties('AWS::SNS::TopicPolicy', {
      PolicyDocument: { Statement: Match.arrayWith([Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } })]) },
    });
    // The alarm topic's policy: CloudWatch may publish, for alarms of this account only.
    const policies = resourcesOfType(t, 'AWS::SNS::TopicPolicy').filter(([, r]) => asList(r.Properties!.Topics).map(cfnText).includes(alarmTopic));
    expect(policies).toHaveLength(1);
    const publish = (policies[0]![1].Properties!.PolicyDocument.Statement as IamStatement[]).find((x) => x.Effect === 'Allow' && asList(x.Action).includes('sns:Publish'))!;
    expect(publish.Principal).toEqual({ Service: 'cloudwatch.amazonaws.com' });
    expect(asList(publish.Resource).map(cfnText)).toEqual([alarmTopic]);
    expect(cfnText((publish.Condition as any).StringEquals['aws:SourceAccount'])).toBe('<AWS::AccountId>');
    expect(cfnText((publish.Condition as any).ArnLike['aws:SourceArn'])).toBe('arn:aws:cloudwatch:ap-east-1:<AWS::AccountId>:alarm:*');
    // Its key lets CloudWatch encrypt for the topic; the data key trusts no CloudWatch at all.
    const keyStatements = (k: string) => t.Resources[k]!.Properties!.KeyPolicy.Statement as IamStatement[];
    expect(keyStatements(alarmKey).some((x) => JSON.stringify(x.Principal).includes('cloudwatch.amazonaws.com') && asList(x.Action).includes('kms:GenerateDataKey*'))).toBe(true);
    expect(JSON.stringify(keyStatements(keyId()))).not.toContain('cloudwatch');
  });

  it('alarms on failed executions, dead letters, overdue handovers per street and publisher errors; the dashboard shows overdue handovers by street', () => {
    const alarms = resourcesOfType(t, 'AWS::CloudWatch::Alarm').map(([, r]) => r.Properties!);
    for (const name of workflowNames) {
      const sm = logicalId(s.stack.stateMachines[name]);
      expect(alarms.some((a) => a.MetricName === 'ExecutionsFailed' && cfnText(a.Dimensions?.[0]?.Value) === sm && a.Threshold === 1)).toBe(true);
    }
    expect(alarms.some((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible' && cfnText(a.Dimensions[0].Value) === `${logicalId(s.stack.schedulerDeadLetterQueue)}.QueueName`)).toBe(true);
    const streets = districts[districtId]!.streets.map((x) => x.id);
    expect(streets.length).toBeGreaterThan(0);
    for (const street of streets) {
      const a = alarms.find((x) => x.MetricName === 'OverdueHandovers' && x.Dimensions.some((d: { Name: string; Value: string }) => d.Name === 'street' && d.Value === street));
      expect(a, street).toMatchObject({ Namespace: 'shudi', ComparisonOperator: 'GreaterThanThreshold', Threshold: 10, TreatMissingData: 'notBreaching' });
      expect(a!.Dimensions).toContainEqual({ Name: 'district', Value: districtId });
    }
    // The publisher: its function's Errors, and reminders it gave up on (emitted by publishDue with Powertools).
    const publishFn = logicalId(s.stack.jobFunctions.publishDue.fn);
    expect(alarms.some((a) => a.Namespace === 'AWS/Lambda' && a.MetricName === 'Errors' && cfnText(a.Dimensions[0].Value) === publishFn && a.Threshold === 3)).toBe(true);
    expect(alarms.find((a) => a.MetricName === 'RemindersFailed')).toMatchObject({
      Namespace: 'shudi',
      Threshold: 1,
      Dimensions: expect.arrayContaining([{ Name: 'district', Value: districtId }, { Name: 'service', Value: 'shudi-publishDue' }]),
    });
    // One depth alarm per dead-letter queue: the scheduler's, the jobs', the SMS gateway's.
    for (const q of [s.stack.schedulerDeadLetterQueue, s.stack.jobDeadLetterQueue, s.stack.smsGatewayDeadLetterQueue!])
      expect(alarms.some((a) => a.MetricName === 'ApproximateNumberOfMessagesVisible' && cfnText(a.Dimensions[0].Value) === `${logicalId(q)}.QueueName`)).toBe(true);
    for (const a of alarms) expect(asList(a.AlarmActions).map(cfnText)).toEqual([logicalId(s.stack.monitoring.alarmTopic)]);

    const [, dash] = resourcesOfType(t, 'AWS::CloudWatch::Dashboard')[0]!;
    const body = cfnText(dash.Properties!.DashboardBody);
    expect(body).toContain('Overdue handovers by street');
    for (const street of streets) expect(body).toContain(`"shudi","OverdueHandovers","district","${districtId}","street","${street}"`);
  });

  it('serves the dashboard from a private, encrypted, TLS-only bucket through CloudFront with origin access control', () => {
    const bucket = t.Resources[logicalId(s.stack.site!.bucket)]!.Properties!;
    expect(bucket.PublicAccessBlockConfiguration).toEqual({ BlockPublicAcls: true, BlockPublicPolicy: true, IgnorePublicAcls: true, RestrictPublicBuckets: true });
    expect(bucket.BucketEncryption.ServerSideEncryptionConfiguration[0].ServerSideEncryptionByDefault.SSEAlgorithm).toBe('AES256');
    expect(bucket.LoggingConfiguration).toBeDefined();
    s.template.hasResourceProperties('AWS::S3::BucketPolicy', {
      Bucket: { Ref: logicalId(s.stack.site!.bucket) },
      PolicyDocument: {
        Statement: Match.arrayWith([
          Match.objectLike({ Effect: 'Deny', Condition: { Bool: { 'aws:SecureTransport': 'false' } } }),
          Match.objectLike({ Effect: 'Allow', Principal: { Service: 'cloudfront.amazonaws.com' }, Action: 's3:GetObject' }),
        ]),
      },
    });
    s.template.resourceCountIs('AWS::CloudFront::OriginAccessControl', 1);
    const dist = t.Resources[logicalId(s.stack.site!.distribution)]!.Properties!.DistributionConfig;
    expect(dist.Origins[0].OriginAccessControlId).toBeDefined();
    expect(dist.Origins[0].S3OriginConfig.OriginAccessIdentity).toBe('');
    expect(dist.DefaultCacheBehavior.ViewerProtocolPolicy).toBe('redirect-to-https');
    expect(dist.Restrictions.GeoRestriction).toEqual({ Locations: ['CN'], RestrictionType: 'whitelist' });
    expect(dist.Logging).toBeDefined();

    const deployments = resourcesOfType(t, 'Custom::CDKBucketDeployment');
    const warnings = Annotations.fromStack(s.stack).findWarning('*', Match.stringLikeRegexp('does not exist: the dashboard bucket'));
    if (dashboard === 'built') {
      expect(deployments).toHaveLength(1);
      expect(warnings).toHaveLength(0);
    } else {
      expect(deployments).toHaveLength(0);
      expect(warnings).toHaveLength(1);
    }
  });

  it('grants each function exactly its table profile: named table and index ARNs, the key through DynamoDB only', () => {
    const statements = roleStatements(t);
    const expectFor = (fn: { role: IConstruct }, access: TableAccess) => {
      const role = logicalId(fn.role);
      const pairs = new Set<string>();
      let kmsStatement: (typeof statements)[number]['statement'] | undefined;
      // Allow statements: the Denies that keep the audit log append-only are test/security/audit-append-only.test.ts's.
      for (const { statement } of statements.filter((x) => x.role === role && x.statement.Effect === 'Allow')) {
        for (const action of asList(statement.Action)) {
          if (action.startsWith('kms:')) kmsStatement = statement;
          if (!action.startsWith('dynamodb:') && !action.startsWith('kms:')) continue;
          for (const res of asList(statement.Resource)) pairs.add(`${action} ${cfnText(res).replace(`${tableId()}.Arn`, 'TABLE').replace(`${keyId()}.Arn`, 'KEY')}`);
        }
      }
      const expected = new Set<string>([
        ...access.table.map((a) => `dynamodb:${a} TABLE`),
        ...access.indexes.map((i) => `dynamodb:Query TABLE/index/${i}`),
        ...kmsActionsFor(access).map((a) => `${a} KEY`),
      ]);
      expect([...pairs].sort()).toEqual([...expected].sort());
      if (kmsStatement) expect(JSON.stringify(kmsStatement.Condition)).toContain('kms:ViaService');
    };
    for (const key of functionKeys) expectFor(s.stack.functions[key], workflowAccess[key]);
    expectFor(s.stack.apiFunction, apiAccess);
    for (const key of jobFunctionKeys) expectFor(s.stack.jobFunctions[key]!, jobAccess[key]);
    // The job functions and the plans: listDueTimers queries the due index only; plans touch no table.
    expect(workflowAccess.listDueTimers).toEqual({ table: [], indexes: ['GSI6'] });
    expect(workflowAccess.planHealthChecks).toEqual({ table: [], indexes: [] });
  });

  it('scopes every IAM statement with data actions to named resources: no "*", no wildcard in an ARN', () => {
    const data = /^(dynamodb:|kms:|sns:|states:StartExecution|lambda:InvokeFunction|sqs:SendMessage|secretsmanager:)/;
    const offenders: string[] = [];
    let checked = 0;
    for (const { policy, statement } of roleStatements(t)) {
      const actions = asList(statement.Action);
      if (statement.Effect !== 'Allow' || !actions.some((a) => data.test(a))) continue;
      checked++;
      for (const a of actions) if (a.includes('*') && data.test(a.replace('*', ''))) offenders.push(`${policy}: action ${a}`);
      for (const r of asList(statement.Resource)) {
        const text = cfnText(r);
        if (text.includes('*')) offenders.push(`${policy}: ${actions.join(',')} on ${text}`);
      }
    }
    expect(offenders).toEqual([]);
    expect(checked).toBeGreaterThan(functionKeys.length);
    // Step Functions invokes exactly the functions of its workflow, unqualified.
    for (const name of workflowNames) {
      const sm = s.stack.stateMachines[name];
      const role = logicalId(sm.role);
      const invoked = roleStatements(t)
        .filter((x) => x.role === role && asList(x.statement.Action).includes('lambda:InvokeFunction'))
        .flatMap((x) => asList(x.statement.Resource).map(cfnText));
      expect(invoked.sort()).toEqual(workflows[name].functions.map((k) => `${logicalId(s.stack.functions[k].fn)}.Arn`).sort());
    }
  });

  it('wires the reminders: sns:Publish and the topic key for the publisher only, subscription management for the sync only, the SMS gateway subscribed on channel sms', () => {
    const topic = logicalId(s.stack.reminderTopic);
    const statements = roleStatements(t);
    const withAction = (prefix: string) => statements.filter((x) => x.statement.Effect === 'Allow' && asList(x.statement.Action).some((a) => a.startsWith(prefix)));
    // sns:Publish: the publisher's role, on the reminder topic, nothing else.
    const publish = withAction('sns:Publish');
    expect([...new Set(publish.map((x) => x.role))]).toEqual([logicalId(s.stack.jobFunctions.publishDue.role)]);
    for (const x of publish) expect(asList(x.statement.Resource).map(cfnText)).toEqual([topic]);
    // Its KMS use for SNS goes through SNS only.
    const snsKms = statements.filter((x) => x.role === logicalId(s.stack.jobFunctions.publishDue.role) && JSON.stringify(x.statement.Condition ?? {}).includes('sns.'));
    expect(snsKms).toHaveLength(1);
    expect(asList(snsKms[0]!.statement.Action).sort()).toEqual(['kms:Decrypt', 'kms:GenerateDataKey']);
    expect(asList(snsKms[0]!.statement.Resource).map(cfnText)).toEqual([`${keyId()}.Arn`]);
    // Subscriptions: staff ones are made at run time by the sync, which manages this topic's subscriptions only.
    const manage = statements.filter((x) => asList(x.statement.Action).some((a) => /^sns:(Subscribe|Unsubscribe|ListSubscriptionsByTopic|SetSubscriptionAttributes)$/.test(a)));
    expect([...new Set(manage.map((x) => x.role))]).toEqual([logicalId(s.stack.jobFunctions.syncSubscriptions.role)]);
    for (const x of manage) expect(asList(x.statement.Resource).map(cfnText)).toEqual([topic]);
    const sync = t.Resources[logicalId(s.stack.jobFunctions.syncSubscriptions.fn)]!.Properties!.Environment.Variables;
    expect(cfnText(sync.SHUDI_TOPIC_ARN)).toBe(topic);
    expect(sync.SHUDI_SMS_VIA).toBe('gateway');
    expect(cfnText(sync.SHUDI_SMS_GATEWAY_FUNCTION_ARN)).toBe(`${logicalId(s.stack.jobFunctions.smsGateway!.fn)}.Arn`);
    const pub = t.Resources[logicalId(s.stack.jobFunctions.publishDue.fn)]!.Properties!;
    expect(cfnText(pub.Environment.Variables.SHUDI_TOPIC_ARN)).toBe(topic);

    // CloudFormation makes exactly one subscription: the gateway's, filtered on the channel attribute the notifier sends.
    const subs = resourcesOfType(t, 'AWS::SNS::Subscription').map(([, r]) => r.Properties!);
    expect(subs).toHaveLength(1);
    const gw = s.stack.jobFunctions.smsGateway!;
    expect(subs[0]).toMatchObject({ Protocol: 'lambda', FilterPolicy: { channel: ['sms'] } });
    expect(subs[0]!.FilterPolicy).toEqual(SMS_GATEWAY_FILTER_POLICY);
    expect(cfnText(subs[0]!.TopicArn)).toBe(topic);
    expect(cfnText(subs[0]!.Endpoint)).toBe(`${logicalId(gw.fn)}.Arn`);
    expect(cfnText(subs[0]!.RedrivePolicy.deadLetterTargetArn)).toBe(`${logicalId(s.stack.smsGatewayDeadLetterQueue!)}.Arn`);
    // What SnsNotifier sends: an SMS matches the policy, an e-mail does not.
    const msg = { dedupeKey: 'outbox:x', staffId: 'sm-east', orgUnitId: 'east', kind: 'handover.overdue', language: 'zh-CN' as const, to: '+8613900000000', text: 't', at: '2026-03-10T00:00:00.000Z' };
    const channelOf = (channel: 'sms' | 'email') => publishInput('arn:topic', { ...msg, channel }).MessageAttributes!.channel!.StringValue!;
    expect(SMS_GATEWAY_FILTER_POLICY.channel).toContain(channelOf('sms'));
    expect(SMS_GATEWAY_FILTER_POLICY.channel).not.toContain(channelOf('email'));
    // SNS may invoke the gateway from this topic only.
    s.template.hasResourceProperties('AWS::Lambda::Permission', { Action: 'lambda:InvokeFunction', Principal: 'sns.amazonaws.com', SourceArn: { Ref: topic } });

    // The gateway: its async failures to its dead-letter queue, its URL from the environment, its secret by name only.
    const g = t.Resources[logicalId(gw.fn)]!.Properties!;
    expect(cfnText(g.DeadLetterConfig.TargetArn)).toBe(`${logicalId(s.stack.smsGatewayDeadLetterQueue!)}.Arn`);
    expect(g.Environment.Variables.SHUDI_SMS_GATEWAY_SECRET_ID).toBe(defaultSmsGatewaySecretName('test', districtId));
    expect(Object.keys(g.Environment.Variables)).toContain('SHUDI_SMS_GATEWAY_URL');
    expect(Object.keys(g.Environment.Variables).some((k) => /TOKEN|PASSWORD|SECRET$/.test(k))).toBe(false);
    // The secrets the stack creates: the cursor key and one signing key per department of the config, each generated
    // at deploy (no value in the template), encrypted with the district key, read by the API only, which may read
    // exactly these and no other secret.
    const departments = districts[districtId]!.exchange?.departments ?? [];
    const secrets = resourcesOfType(t, 'AWS::SecretsManager::Secret');
    const cursorSecret = logicalId(s.stack.node.findChild('CursorKey').node.findChild('Secret'));
    const departmentSecrets = departments.map((d) => logicalId(s.stack.node.findChild('DepartmentKeys').node.findChild(`Secret-${d.id}`)));
    expect(secrets.map(([id]) => id).sort()).toEqual([cursorSecret, ...departmentSecrets].sort());
    for (const [, r] of secrets) expect(r.Properties!.SecretString).toBeUndefined();
    for (const [, r] of secrets) expect(cfnText(r.Properties!.KmsKeyId)).toBe(`${keyId()}.Arn`);
    const secretRead = statements.filter((x) => asList(x.statement.Action).some((a) => a.startsWith('secretsmanager:')));
    expect([...new Set(secretRead.map((x) => x.role))].sort()).toEqual([logicalId(gw.role), logicalId(s.stack.apiFunction.role)].sort());
    for (const x of secretRead.filter((x) => x.role === logicalId(gw.role))) for (const r of asList(x.statement.Resource)) expect(cfnText(r)).toContain(`:secret:${defaultSmsGatewaySecretName('test', districtId)}-`);
    const apiReads = secretRead.filter((x) => x.role === logicalId(s.stack.apiFunction.role));
    expect(apiReads.flatMap((x) => asList(x.statement.Action)).every((a) => a === 'secretsmanager:GetSecretValue' || a === 'secretsmanager:DescribeSecret')).toBe(true);
    expect([...new Set(apiReads.flatMap((x) => asList(x.statement.Resource).map(cfnText)))].sort()).toEqual([cursorSecret, ...departmentSecrets].sort());
    // The API is told which secret is whose; with no department, no such variable.
    const apiEnv = t.Resources[logicalId(s.stack.apiFunction.fn)]!.Properties!.Environment.Variables;
    if (departments.length === 0) expect(apiEnv.SHUDI_DEPARTMENT_SECRETS).toBeUndefined();
    else expect(cfnText(apiEnv.SHUDI_DEPARTMENT_SECRETS)).toBe(JSON.stringify(Object.fromEntries(departments.map((d, i) => [d.id, departmentSecrets[i]]))));
    // The scheduled jobs keep their failed events in the job dead-letter queue; the publisher's are not retried.
    for (const key of ['dailyDigest', 'retention', 'syncSubscriptions'] as const)
      expect(cfnText(t.Resources[logicalId(s.stack.jobFunctions[key].fn)]!.Properties!.DeadLetterConfig.TargetArn)).toBe(`${logicalId(s.stack.jobDeadLetterQueue)}.Arn`);
    s.template.hasResourceProperties('AWS::Lambda::EventInvokeConfig', { FunctionName: { Ref: logicalId(s.stack.jobFunctions.publishDue.fn) }, MaximumRetryAttempts: 0 });
  });

  it('keeps the logical IDs of what must never be replaced: the key, the table, the user pool, its domain and client, the state machine log groups', () => {
    expect(keyId()).toBe(FORMER_LOGICAL_IDS.dataKey);
    expect(tableId()).toBe(FORMER_LOGICAL_IDS.table);
    expect(logicalId(s.stack.userPool!)).toBe(FORMER_LOGICAL_IDS.userPool);
    expect(logicalId(s.stack.userPoolDomain!)).toBe(FORMER_LOGICAL_IDS.userPoolDomain);
    expect(logicalId(s.stack.userPoolClient!)).toBe(FORMER_LOGICAL_IDS.userPoolClient);
    const logGroups = resourcesOfType(t, 'AWS::Logs::LogGroup').filter(([, r]) => String(r.Properties?.LogGroupName ?? '').startsWith('/aws/vendedlogs/states/'));
    expect(logGroups).toHaveLength(workflowNames.length);
    for (const name of workflowNames) {
      const former = FORMER_LOGICAL_IDS.stateMachineLogs[name];
      if (former) expect(logGroups.map(([id]) => id)).toContain(former);
    }
  });

  it('passes cdk-nag AwsSolutions with no unacknowledged finding', () => {
    expect(nagFindings(s)).toEqual([]);
  });

  it('every acknowledged cdk-nag rule carries its reason', () => {
    const acks = s.stack.node
      .findAll()
      .flatMap((c) => c.node.metadata.filter((m) => m.type === 'aws:cdk:acknowledged-rules').map((m) => ({ path: c.node.path, data: m.data as Record<string, string> })));
    expect(acks.length).toBeGreaterThan(0);
    for (const a of acks) for (const [id, reason] of Object.entries(a.data)) expect(reason.length, `${a.path} ${id}`).toBeGreaterThanOrEqual(40);
  });

  it('matches its snapshot (asset hashes normalized)', () => {
    expect(normalizedTemplate(t)).toMatchSnapshot();
  });
});

describe('the route table', () => {
  it('is the API’s own (functions/api/routes.ts): one API Gateway route per entry, same method, path and auth', async () => {
    const { apiRoutes: productRoutes } = await import('../../functions/api/routes');
    const served = productRoutes(() => ({})).map((r: { method: string; path: string; auth: string }) => `${r.method} ${r.path} ${r.auth}`);
    expect(served.length).toBeGreaterThan(10);
    expect(gatewayRoutes().map((r) => `${r.method} ${r.path} ${r.auth}`)).toEqual(served);
  });
});

describe('SMS by SNS (smsVia sns)', () => {
  it('has no gateway function, no CloudFormation subscription, and the sync plans SMS subscriptions per staff phone', () => {
    // SMS through the topic (the seeded delivery config sends them to a provider directly: SHUDI_SMS_VIA direct, targets.test.ts).
    const s = synthDistrict('yiling', {
      settings: { smsVia: 'sns', dashboardDist: join(tmpdir(), 'shudi-no-such-dashboard-dist') },
      config: (d) => ({ ...d, delivery: { sms: { provider: 'sns' }, email: { provider: 'sns' } } }),
    });
    expect(s.stack.jobFunctions.smsGateway).toBeUndefined();
    expect(s.stack.smsGatewayDeadLetterQueue).toBeUndefined();
    s.template.resourceCountIs('AWS::SNS::Subscription', 0);
    const sync = s.json.Resources[logicalId(s.stack.jobFunctions.syncSubscriptions.fn)]!.Properties!.Environment.Variables;
    expect(sync.SHUDI_SMS_VIA).toBe('sns');
    expect(sync.SHUDI_SMS_GATEWAY_FUNCTION_ARN).toBeUndefined();
    expect(sync.SHUDI_EMAIL_VIA).toBe('sns');
    expect(nagFindings(s)).toEqual([]);
    rmSync(s.outdir, { recursive: true, force: true });
  });
});

