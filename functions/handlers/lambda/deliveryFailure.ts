// Lambda entry point of deliveryFailure: a bounce or a dead number reported back ({staffId, channel, reason}, e.g.
// mapped from an SES bounce notification or a provider's delivery receipt) is recorded on the staff member.
// Invoked directly (aws lambda invoke, or a relay of one's own); the stack wires no trigger.
import { requiredEnv } from './env';
import { wrapJobHandler } from './job-handler';
import { observability } from './observability';
import { reminderHandlers } from './reminder-runtime';

const o = observability({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? 'shudi-deliveryFailure', districtId: requiredEnv('DISTRICT_ID') });
const handlers = reminderHandlers();

export const handler = wrapJobHandler('deliveryFailure', (event) => handlers.deliveryFailure(event), o, {
  metricsOf: (r) => ({ ChannelsFlagged: r.flagged ? 1 : 0 }),
});
