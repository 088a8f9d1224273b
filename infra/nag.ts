// cdk-nag (v3: a CDK policy-validation plugin) acknowledgements, each with its reason. Prefer
// fixing a finding; an acknowledgement here is a finding that cannot be fixed in this stack,
// scoped to the one construct it is about (it covers that construct's children) and, for the
// granular rules (IAM4, IAM5), to the one finding: `AwsSolutions-IAM5[Resource::*]`.
import { Validations } from 'aws-cdk-lib';
import type { IConstruct } from 'constructs';

export interface Suppression {
  /** `AwsSolutions-XX`, or `AwsSolutions-IAM5[Resource::*]` for one finding of a granular rule. */
  id: string;
  reason: string;
}

export function suppress(construct: IConstruct, suppressions: Suppression[]): void {
  for (const s of suppressions) {
    if (!/^AwsSolutions-[A-Z]+\d+(\[.+\])?$/.test(s.id)) throw new Error(`nag suppression id "${s.id}" is not an AwsSolutions rule`);
    if (s.reason.trim().length < 40) throw new Error(`nag suppression ${s.id} on ${construct.node.path} needs a reason`);
  }
  Validations.of(construct).acknowledge(...suppressions.map((s) => ({ id: s.id, reason: s.reason })));
}

export const reasons = {
  xray:
    'X-Ray PutTraceSegments/PutTelemetryRecords (and GetSampling* for Step Functions) support no resource-level permissions: Resource "*" is the only form IAM accepts (https://docs.aws.amazon.com/service-authorization/latest/reference/list_awsx-ray.html).',
  logDelivery:
    'Step Functions log delivery to CloudWatch Logs uses logs:CreateLogDelivery, GetLogDelivery, UpdateLogDelivery, DeleteLogDelivery, ListLogDeliveries, PutResourcePolicy, DescribeResourcePolicies and DescribeLogGroups, which support no resource-level permissions (https://docs.aws.amazon.com/step-functions/latest/dg/cw-logs.html#cloudwatch-iam-policy).',
  nodeRuntime:
    'Issue 6 pins Node.js 22 (Node 20 or 22): the local runtime, tests and bundles are built and measured for Node 22; moving to nodejs24.x is a separate, tested change.',
} as const;
