// What a reminder Lambda (publishDue, dailyDigest, smsGateway, deliveryFailure) builds once per cold start: the
// stores on the DynamoDB client, and the reminder handlers of functions/handlers/reminder-handlers.ts with
// only the parts that function uses: the notifier for publishDue (made from the district's delivery config), the gateway and its dedupe store for
// smsGateway. A part a function does not get throws if it is ever reached (it is a wiring bug, not a retry).
// Environment: TABLE_NAME, DISTRICT_ID; SHUDI_TOPIC_ARN (publishDue); SHUDI_DASHBOARD_URL (links in messages);
// SHUDI_SMS_GATEWAY_URL and SHUDI_SMS_GATEWAY_SECRET_ID (smsGateway).
import { DynamoDedupeStore, type DedupeStore } from '../../adapters/dedupe-store';
import type { Notifier } from '../../adapters/notifier';
import type { SmsGateway } from '../../adapters/sms-gateway';
import { DailyDigest } from '../../app/digest';
import { districtContext } from '../../app/district-context';
import { Publisher } from '../../app/publisher';
import { systemClock } from '../../domain/clock';
import { CaseStore } from '../../store/case-store';
import { createDynamoClient, documentClient } from '../../store/client';
import { OutboxStore } from '../../store/outbox-store';
import { RegisterStore } from '../../store/register-store';
import { createReminderHandlers, type ReminderHandlers } from '../reminder-handlers';
import type { DeployedDistrictConfig } from '../../domain/district-config';
import { bundledDistrictConfig } from './district';
import { requiredEnv } from './env';

/** A dependency this function was not given: reaching it is a wiring bug. */
function notWired<T extends object>(what: string): T {
  return new Proxy({} as T, {
    get(_, prop) {
      if (prop === 'then') return undefined;
      throw new Error(`${what} is not wired into this function (${String(prop)})`);
    },
  });
}

export interface ReminderWiring {
  /** The notifier, or a maker of it given the district's config and the dedupe store on its table (publishDue). */
  notifier?: Notifier | ((parts: { config: DeployedDistrictConfig }) => Notifier);
  gateway?: SmsGateway;
  /** The dedupe store on the district table (smsGateway). */
  dedupe?: boolean;
}

export function reminderHandlers(wiring: ReminderWiring = {}): ReminderHandlers {
  const district = districtContext(bundledDistrictConfig());
  const tableName = requiredEnv('TABLE_NAME');
  const doc = documentClient(createDynamoClient());
  const cases = new CaseStore(doc, tableName, district.config.id);
  const register = new RegisterStore(doc, tableName, district.config.id);
  const outbox = new OutboxStore(doc, tableName, district.config.id);
  const clock = systemClock;
  const notifier = typeof wiring.notifier === 'function' ? wiring.notifier({ config: district.config }) : wiring.notifier;
  const publisher = new Publisher({ outbox, cases, register, notifier: notifier ?? notWired<Notifier>('the notifier'), clock });
  const digest = new DailyDigest({ outbox, cases, register, district, clock });
  const dedupe: DedupeStore | undefined = wiring.dedupe ? new DynamoDedupeStore(doc, tableName) : undefined;
  return createReminderHandlers({
    publisher,
    digest,
    outbox,
    register,
    clock,
    ...(wiring.gateway ? { gateway: wiring.gateway } : {}),
    ...(dedupe ? { dedupe } : {}),
  });
}
