// The subscription sync's logic (the Lambda entry is ./syncSubscriptions.ts): the topic's per-staff subscriptions
// made to match the register, the gateway's Lambda subscription left to the stack, bad addresses flagged.
import { GetSubscriptionAttributesCommand, type SNSClient } from '@aws-sdk/client-sns';
import { planSubscriptions, syncSubscriptions } from '../../adapters/sns-subscriptions';
import type { Clock } from '../../domain/clock';
import type { Staff } from '../../domain/people';
import type { OutboxStore } from '../../store/outbox-store';

export interface SubscriptionSyncDeps {
  /** Every staff member of the district (DailyDigest.allStaff: one read of the register's district-wide staff list). */
  digest: { allStaff(): Promise<Staff[]> };
  outbox: Pick<OutboxStore, 'flagUndeliverable'>;
  sns: SNSClient;
  topicArn: string;
  smsVia: 'sns' | 'gateway' | 'direct';
  gatewayFunctionArn?: string;
  emailVia: 'sns' | 'direct';
  clock: Clock;
}

/** Counts only: no address, no staff id (safe to log). */
export interface SubscriptionSyncReport {
  staff: number;
  subscribed: number;
  updated: number;
  unchanged: number;
  removed: number;
  invalid: number;
  rejected: number;
  flagged: number;
}

export async function runSubscriptionSync(deps: SubscriptionSyncDeps): Promise<SubscriptionSyncReport> {
  const staff = await deps.digest.allStaff();
  const plan = planSubscriptions(staff, { smsVia: deps.smsVia, emailVia: deps.emailVia, ...(deps.gatewayFunctionArn ? { gatewayFunctionArn: deps.gatewayFunctionArn } : {}) });
  // The gateway's Lambda subscription is the stack's (CloudFormation), not the register's.
  const staffSubscriptions = plan.subscriptions.filter((s) => s.protocol !== 'lambda');
  const getPolicy = async (arn: string) => (await deps.sns.send(new GetSubscriptionAttributesCommand({ SubscriptionArn: arn }))).Attributes?.FilterPolicy;
  const result = await syncSubscriptions(deps.sns, deps.topicArn, staffSubscriptions, getPolicy);
  const at = deps.clock.now().toISOString();
  let flagged = 0;
  for (const x of [...plan.invalid, ...result.rejected]) if (await deps.outbox.flagUndeliverable(x.staffId, { ...x.flag, at })) flagged++;
  return {
    staff: staff.length,
    subscribed: result.subscribed,
    updated: result.updated,
    unchanged: result.unchanged,
    removed: result.removed,
    invalid: plan.invalid.length,
    rejected: result.rejected.length,
    flagged,
  };
}
