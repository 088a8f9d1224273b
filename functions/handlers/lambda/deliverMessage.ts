// Lambda entry point of deliverMessage: invoked synchronously by the publisher (LambdaNotifier) for each SMS or
// e-mail of a channel the district's delivery config sends directly (Aliyun / Tencent Cloud SMS, SMTP). It alone
// holds the provider SDKs and may read the delivery secrets (by the names in the config, at first use); it claims
// each message's dedupe key on the district table before it calls the provider.
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { DynamoDedupeStore } from '../../adapters/dedupe-store';
import { directNotifier } from '../../adapters/delivery';
import { secretReader } from '../../adapters/secrets';
import { createDynamoClient, documentClient } from '../../store/client';
import { createDeliverMessage } from '../deliver-message';
import { bundledDistrictConfig } from './district';
import { requiredEnv } from './env';
import { wrapJobHandler } from './job-handler';
import { observability } from './observability';

const o = observability({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'shudi-deliverMessage', districtId: requiredEnv('DISTRICT_ID') });
const notifier = directNotifier({
  delivery: bundledDistrictConfig().delivery,
  secret: secretReader(new SecretsManagerClient({})),
  dedupe: new DynamoDedupeStore(documentClient(createDynamoClient()), requiredEnv('TABLE_NAME')),
});

export const handler = wrapJobHandler('deliverMessage', createDeliverMessage(notifier), o, {
  // The outcome only: never the address, the text or the params.
  summaryOf: (r) => ({ status: r.status, ...('reason' in r ? { reason: r.reason } : {}) }),
  metricsOf: (r) => ({ [`Delivery_${r.status}`]: 1 }),
});
