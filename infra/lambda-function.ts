// One Lambda of a district stack: its own log group and role (no AWS managed policy), bundled with
// esbuild (infra/bundling.ts), traced, and given table access exactly as its profile in
// infra/access.ts says: the table ARN and `<table ARN>/index/<name>`, never a wildcard.
import { Aws, Duration, RemovalPolicy, Stack } from 'aws-cdk-lib';
import type { ITableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { Effect, PolicyStatement, Role, ServicePrincipal } from 'aws-cdk-lib/aws-iam';
import type { IKey } from 'aws-cdk-lib/aws-kms';
import { Tracing } from 'aws-cdk-lib/aws-lambda';
import type { IQueue } from 'aws-cdk-lib/aws-sqs';
import { NodejsFunction } from 'aws-cdk-lib/aws-lambda-nodejs';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { Construct } from 'constructs';
import { kmsActionsFor, tableStatements, type TableAccess } from './access';
import { BUNDLE_METAFILE_CONTEXT, bundlingOptions, commonLambdaEnvironment, deployedDistrictConfigOf, LAMBDA_ARCHITECTURE, LAMBDA_RUNTIME } from './bundling';
import { reasons, suppress } from './nag';
import { ROOT, paths } from './paths';
import { deployTarget } from './target';

export interface ShudiFunctionProps {
  districtId: string;
  stage: string;
  /** The TypeScript entry exporting `handler`. */
  entry: string;
  /** Powertools service name, e.g. `shudi-openCase`. */
  serviceName: string;
  description: string;
  table: ITableV2;
  key: IKey;
  access: TableAccess;
  timeout: Duration;
  memorySize: number;
  environment?: Record<string, string>;
  /**
   * Asynchronous invocations (EventBridge Scheduler, SNS): how often Lambda retries a failed event (default 2), how
   * old an event may get (default 6 h), and the queue that keeps an event that still fails.
   */
  retryAttempts?: number;
  maxEventAge?: Duration;
  deadLetterQueue?: IQueue;
}

export class ShudiFunction extends Construct {
  readonly fn: NodejsFunction;
  readonly role: Role;
  readonly logGroup: LogGroup;

  constructor(scope: Construct, id: string, props: ShudiFunctionProps) {
    super(scope, id);
    // Lambda's own active tracing where Lambda has X-Ray (not in the China regions): each invocation and its
    // initialization, no tracing code in the bundle (functions/handlers/lambda/observability.ts).
    const { lambdaXRay } = deployTarget(Stack.of(this).region).features;
    this.logGroup = new LogGroup(this, 'Logs', { retention: RetentionDays.SIX_MONTHS, removalPolicy: RemovalPolicy.RETAIN });
    this.role = new Role(this, 'Role', {
      assumedBy: new ServicePrincipal('lambda.amazonaws.com'),
      description: `shudi ${props.stage} ${props.districtId}: ${props.serviceName}`,
    });
    // What AWSLambdaBasicExecutionRole grants, on this function's own log group only.
    this.role.addToPrincipalPolicy(new PolicyStatement({ actions: ['logs:CreateLogStream', 'logs:PutLogEvents'], resources: [this.logGroup.logGroupArn] }));
    grantTableAccess(this.role, props.table, props.key, props.access);

    this.fn = new NodejsFunction(this, 'Function', {
      entry: props.entry,
      handler: 'handler',
      projectRoot: ROOT,
      depsLockFilePath: paths.lockFile,
      runtime: LAMBDA_RUNTIME,
      architecture: LAMBDA_ARCHITECTURE,
      memorySize: props.memorySize,
      timeout: props.timeout,
      description: props.description,
      role: this.role,
      logGroup: this.logGroup,
      tracing: lambdaXRay ? Tracing.ACTIVE : Tracing.DISABLED,
      bundling: bundlingOptions(deployedDistrictConfigOf(Stack.of(this)), { metafile: this.node.tryGetContext(BUNDLE_METAFILE_CONTEXT) === true }),
      ...(props.retryAttempts !== undefined ? { retryAttempts: props.retryAttempts } : {}),
      ...(props.maxEventAge ? { maxEventAge: props.maxEventAge } : {}),
      ...(props.deadLetterQueue ? { deadLetterQueue: props.deadLetterQueue } : {}),
      environment: {
        ...commonLambdaEnvironment(props.serviceName),
        TABLE_NAME: props.table.tableName,
        DISTRICT_ID: props.districtId,
        SHUDI_STAGE: props.stage,
        ...props.environment,
      },
    });

    if (lambdaXRay) suppress(this.role, [{ id: 'AwsSolutions-IAM5[Resource::*]', reason: reasons.xray }]);
    suppress(this.fn, [{ id: 'AwsSolutions-L1', reason: reasons.nodeRuntime }]);
  }
}

/** The IAM statements of a table access profile (infra/access.ts tableStatements: the audit log is append-only). */
export function grantTableAccess(role: Role, table: ITableV2, key: IKey, access: TableAccess): void {
  for (const st of tableStatements(access)) {
    role.addToPrincipalPolicy(
      new PolicyStatement({
        effect: st.effect === 'Deny' ? Effect.DENY : Effect.ALLOW,
        actions: st.actions,
        resources: st.on === 'table' ? [table.tableArn] : access.indexes.map((i) => `${table.tableArn}/index/${i}`),
        ...(st.condition ? { conditions: st.condition } : {}),
      }),
    );
  }
  const kms = kmsActionsFor(access);
  if (kms.length > 0) {
    role.addToPrincipalPolicy(
      new PolicyStatement({
        actions: kms,
        resources: [key.keyArn],
        conditions: { StringEquals: { 'kms:ViaService': `dynamodb.${Aws.REGION}.${Aws.URL_SUFFIX}` } },
      }),
    );
  }
}
