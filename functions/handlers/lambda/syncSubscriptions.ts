// Lambda entry point of the subscription sync: makes the reminder topic's per-staff subscriptions match the register
// (./subscription-sync.ts over planSubscriptions / syncSubscriptions in functions/adapters/sns-subscriptions.ts). Run
// by EventBridge Scheduler every hour, and invoked by hand after a staff import. Staff subscriptions are made here, at
// run time, never by CloudFormation (the register changes without a deployment); the SMS gateway's Lambda
// subscription is the stack's own (infra/district-stack.ts) and stays out of the plan.
// Environment: TABLE_NAME, DISTRICT_ID, SHUDI_TOPIC_ARN, SHUDI_SMS_VIA (sns | gateway | direct: SMS sent by a provider,
// not through the topic), SHUDI_SMS_GATEWAY_FUNCTION_ARN (gateway only), SHUDI_EMAIL_VIA (sns | direct: e-mail sent by
// the district's mail server, not through the topic).
import { SNSClient } from '@aws-sdk/client-sns';
import { DailyDigest } from '../../app/digest';
import { districtContext } from '../../app/district-context';
import { systemClock } from '../../domain/clock';
import { CaseStore } from '../../store/case-store';
import { createDynamoClient, documentClient } from '../../store/client';
import { OutboxStore } from '../../store/outbox-store';
import { RegisterStore } from '../../store/register-store';
import { bundledDistrictConfig } from './district';
import { requiredEnv } from './env';
import { wrapJobHandler } from './job-handler';
import { observability } from './observability';
import { runSubscriptionSync } from './subscription-sync';

const district = districtContext(bundledDistrictConfig());
const o = observability({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'shudi-syncSubscriptions', districtId: district.config.id });
const tableName = requiredEnv('TABLE_NAME');
const doc = documentClient(createDynamoClient());
const register = new RegisterStore(doc, tableName, district.config.id);
const outbox = new OutboxStore(doc, tableName, district.config.id);
const cases = new CaseStore(doc, tableName, district.config.id);
const smsVia = smsViaOf(requiredEnv('SHUDI_SMS_VIA'));
const deps = {
  // The digest's staff listing (each org unit's staff from the register).
  digest: new DailyDigest({ outbox, cases, register, district, clock: systemClock }),
  outbox,
  sns: new SNSClient({}),
  topicArn: requiredEnv('SHUDI_TOPIC_ARN'),
  smsVia,
  ...(smsVia === 'gateway' ? { gatewayFunctionArn: requiredEnv('SHUDI_SMS_GATEWAY_FUNCTION_ARN') } : {}),
  emailVia: emailViaOf(requiredEnv('SHUDI_EMAIL_VIA')),
  clock: systemClock,
} as const;

function smsViaOf(value: string): 'sns' | 'gateway' | 'direct' {
  if (value === 'sns' || value === 'gateway' || value === 'direct') return value;
  throw new Error(`SHUDI_SMS_VIA is ${JSON.stringify(value)}: expected sns, gateway or direct`);
}

function emailViaOf(value: string): 'sns' | 'direct' {
  if (value === 'sns' || value === 'direct') return value;
  throw new Error(`SHUDI_EMAIL_VIA is ${JSON.stringify(value)}: expected sns or direct`);
}

export const handler = wrapJobHandler('syncSubscriptions', () => runSubscriptionSync(deps), o, {
  metricsOf: (r) => ({ SubscriptionsAdded: r.subscribed, SubscriptionsRemoved: r.removed, AddressesFlagged: r.flagged }),
});
