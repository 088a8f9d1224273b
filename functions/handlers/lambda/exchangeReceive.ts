// Lambda entry point of the exchange receiver: the target of the bus rule that admits messages from partner
// districts. The event's source must be the sending district's own (the bus policy admits each partner account with
// its source only); the envelope is validated, deduplicated and applied in one transaction.
import { eventSourceOf } from '../../adapters/exchange-bus';
import { requiredEnv } from './env';
import { exchangeParts } from './exchange-runtime';
import { wrapJobHandler } from './job-handler';
import { observability } from './observability';

const o = observability({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'shudi-exchangeReceive', districtId: requiredEnv('DISTRICT_ID') });
const { receiver } = exchangeParts();

interface BusEvent {
  source?: string;
  detail?: { from?: unknown };
}

export const handler = wrapJobHandler(
  'exchangeReceive',
  async (event: unknown) => {
    const e = event as BusEvent;
    if (typeof e.detail?.from !== 'string' || e.source !== eventSourceOf(e.detail.from)) return { outcome: 'refused' as const, reason: 'source does not match the sender' };
    return receiver.receive(e.detail);
  },
  o,
  // The result holds ids and reason codes only (a zod issue names the field, never its value).
  { metricsOf: (r) => ({ [`Exchange_${r.outcome}`]: 1 }) },
);
