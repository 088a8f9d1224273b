// Lambda entry point of the exchange dispatcher (EventBridge Scheduler, every minute): sends the due messages to other
// districts through the district's own bus, and re-sends those not acknowledged after their back-off.
import { requiredEnv } from './env';
import { exchangeDispatcher } from './exchange-runtime';
import { wrapJobHandler } from './job-handler';
import { observability } from './observability';

const o = observability({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'shudi-exchangeDispatch', districtId: requiredEnv('DISTRICT_ID') });
const dispatcher = exchangeDispatcher();

export const handler = wrapJobHandler('exchangeDispatch', () => dispatcher.dispatchDue(), o, {
  metricsOf: (r) => ({ ExchangeDue: r.due, ExchangeSent: r.sent, ExchangeSendFailed: r.failedSends, ExchangeGaveUp: r.gaveUp }),
});
