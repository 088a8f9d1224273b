// The workflows as deployed: one Lambda per function key of the catalog, and one Standard state
// machine per workflows/<file>.asl.json, as written, with its function ARNs substituted.
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Duration, RemovalPolicy } from 'aws-cdk-lib';
import type { TableV2 } from 'aws-cdk-lib/aws-dynamodb';
import { PolicyStatement } from 'aws-cdk-lib/aws-iam';
import type { Key } from 'aws-cdk-lib/aws-kms';
import { LogGroup, RetentionDays } from 'aws-cdk-lib/aws-logs';
import { DefinitionBody, LogLevel, StateMachine, StateMachineType } from 'aws-cdk-lib/aws-stepfunctions';
import { Construct } from 'constructs';
import { definitionSubstitutions, functionKeys, workflowNames, workflows, type FunctionKey, type WorkflowName } from '../functions/workflows/catalog';
import { workflowAccess } from './access';
import { ShudiFunction } from './lambda-function';
import { FORMER_LOGICAL_IDS, keepLogicalId } from './logical-ids';
import { reasons, suppress } from './nag';
import { pascal, paths } from './paths';

/** Timeouts stay under the ASL's Task TimeoutSeconds (60 s). */
const functionSizing: Record<FunctionKey, { timeoutSeconds: number; memorySize: number }> = {
  listDueTimers: { timeoutSeconds: 30, memorySize: 512 },
  fireTimer: { timeoutSeconds: 30, memorySize: 512 },
  planHealthChecks: { timeoutSeconds: 30, memorySize: 512 },
  // One page of 100 subjects: up to 100 case opens, each a read and a transaction.
  generateHealthChecksPage: { timeoutSeconds: 50, memorySize: 1024 },
  planObligations: { timeoutSeconds: 30, memorySize: 512 },
  // A unit's notices: its subjects in pages of 500, then one open per residence community.
  openObligations: { timeoutSeconds: 50, memorySize: 512 },
};

export interface WorkflowsProps {
  districtId: string;
  stage: string;
  table: TableV2;
  key: Key;
}

export class Workflows extends Construct {
  readonly functions: Record<FunctionKey, ShudiFunction>;
  readonly stateMachines: Record<WorkflowName, StateMachine>;

  constructor(scope: Construct, id: string, props: WorkflowsProps) {
    super(scope, id);
    const { districtId, stage } = props;
    const fns = {} as Record<FunctionKey, ShudiFunction>;
    for (const key of functionKeys) {
      const sizing = functionSizing[key];
      fns[key] = new ShudiFunction(this, `${pascal(key)}Fn`, {
        districtId,
        stage,
        entry: join(paths.lambdaEntries, `${key}.ts`),
        serviceName: `shudi-${key}`,
        description: `shudi ${stage} ${districtId}: workflow task ${key}`,
        table: props.table,
        key: props.key,
        access: workflowAccess[key],
        timeout: Duration.seconds(sizing.timeoutSeconds),
        memorySize: sizing.memorySize,
      });
    }
    this.functions = fns;

    const machines = {} as Record<WorkflowName, StateMachine>;
    for (const name of workflowNames) {
      const spec = workflows[name];
      const logGroup = new LogGroup(this, `${pascal(name)}StateMachineLogs`, {
        logGroupName: `/aws/vendedlogs/states/shudi-${stage}-${districtId}-${spec.file}`,
        retention: RetentionDays.SIX_MONTHS,
        removalPolicy: RemovalPolicy.RETAIN,
      });
      keepLogicalId(logGroup, FORMER_LOGICAL_IDS.stateMachineLogs[name]);
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
  }
}
