// The resources that must never be replaced keep the logical IDs they had when the stack was one
// constructor: a new logical ID makes CloudFormation create the resource anew, and for these that
// fails (a fixed name that already exists: the table, the state machines' log groups, the hosted UI
// domain) or strands data (the key, the user pool and its staff accounts; all are retained).
// test/infra/district-stack.test.ts checks that each still has its ID.
import type { CfnElement } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

export const FORMER_LOGICAL_IDS = {
  dataKey: 'DataKey17AFBB84',
  table: 'TableCD117FA1',
  userPool: 'UserPool6BA7E5F2',
  userPoolDomain: 'UserPoolHostedUi3A76E499',
  /** A new client would be a new client id: every signed-in dashboard signed out. */
  userPoolClient: 'UserPoolDashboardClient5D273132',
  stateMachineLogs: {
    openCase: 'OpenCaseStateMachineLogsA77A7441',
    caseAction: 'CaseActionStateMachineLogs60B818E2',
    healthChecks: 'HealthChecksStateMachineLogsC31C3F05',
    recurringObligations: 'RecurringObligationsStateMachineLogsA128F539',
    sweeper: 'SweeperStateMachineLogs02E39B19',
  } as Record<string, string | undefined>,
} as const;

/** Gives the construct's CloudFormation resource the logical ID it had before. */
export function keepLogicalId(construct: IConstruct, logicalId: string | undefined): void {
  if (!logicalId) return;
  const resource = (construct.node.defaultChild ?? construct) as CfnElement;
  resource.overrideLogicalId(logicalId);
}
