// Lambda entry point of the SMS-gateway subscriber: the reminder topic's Lambda subscription (filter
// {"channel": ["sms"]}, the value SnsNotifier sends) forwards each SMS to SHUDI_SMS_GATEWAY_URL, once per dedupe key.
// The gateway's bearer secret is read from Secrets Manager (SHUDI_SMS_GATEWAY_SECRET_ID: its name or ARN; the
// SecretString is the secret) on the first invocation of an execution environment and kept in memory; never from
// an environment variable, never logged. A failure to read it fails the invocation (Lambda retries, then the
// dead-letter queue keeps the message).
import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import type { SNSEvent } from 'aws-lambda';
import type { SmsGateway } from '../../adapters/sms-gateway';
import { gatewayFromEnv } from '../reminder-handlers';
import { requiredEnv } from './env';
import { wrapJobHandler } from './job-handler';
import { observability } from './observability';
import { reminderHandlers } from './reminder-runtime';

const o = observability({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'shudi-smsGateway', districtId: requiredEnv('DISTRICT_ID') });
const secrets = new SecretsManagerClient({});
const secretId = requiredEnv('SHUDI_SMS_GATEWAY_SECRET_ID');

let gateway: Promise<SmsGateway> | undefined;
function loadGateway(): Promise<SmsGateway> {
  gateway ??= secrets.send(new GetSecretValueCommand({ SecretId: secretId })).then(
    (out) => {
      if (!out.SecretString) throw new Error(`secret ${secretId} has no SecretString`);
      return gatewayFromEnv(out.SecretString);
    },
    (err: unknown) => {
      gateway = undefined;
      throw err;
    },
  );
  return gateway;
}

/** The gateway, once its secret is read: every call goes through the secret read on first use. */
const lazyGateway: SmsGateway = { send: async (req) => (await loadGateway()).send(req) };
const handlers = reminderHandlers({ gateway: lazyGateway, dedupe: true });

export const handler = wrapJobHandler('smsGateway', (event) => handlers.smsGateway(event as SNSEvent), o, {
  // Outcomes only: the report's message ids are SNS's, but nothing more of a record is logged.
  summaryOf: (r) => countOutcomes(r.outcomes),
  metricsOf: (r) => {
    const c = countOutcomes(r.outcomes);
    return { SmsSent: c.sent ?? 0, SmsDuplicates: c.duplicate ?? 0, SmsRejected: (c.rejected ?? 0) + (c.no_phone ?? 0) };
  },
});

function countOutcomes(outcomes: { outcome: string }[]): Record<string, number> {
  const c: Record<string, number> = {};
  for (const x of outcomes) c[x.outcome] = (c[x.outcome] ?? 0) + 1;
  return c;
}
