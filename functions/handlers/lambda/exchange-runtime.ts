// What an exchange Lambda (exchangeDispatch, exchangeReceive) builds once per cold start: the district composed on the
// DynamoDB client (functions/app/compose.ts), and for the dispatcher the EventBridge bus adapter.
// Environment: TABLE_NAME, DISTRICT_ID; SHUDI_EXCHANGE_BUS (exchangeDispatch: the district's own bus).
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { EventBridgeBus } from '../../adapters/eventbridge-bus';
import { composeDistrict, type ExchangeParts } from '../../app/compose';
import { districtContext } from '../../app/district-context';
import { ExchangeDispatcher } from '../../app/exchange-dispatcher';
import { systemClock } from '../../domain/clock';
import { createDynamoClient, documentClient } from '../../store/client';
import { bundledDistrictConfig } from './district';
import { requiredEnv } from './env';

export function exchangeParts(): ExchangeParts {
  const district = districtContext(bundledDistrictConfig());
  const doc = documentClient(createDynamoClient());
  const parts = composeDistrict({ doc, tableName: requiredEnv('TABLE_NAME'), district, clock: systemClock });
  if (!parts.exchange) throw new Error(`district ${district.config.id} has no exchange config`);
  return parts.exchange;
}

export function exchangeDispatcher(): ExchangeDispatcher {
  const { store } = exchangeParts();
  const bus = new EventBridgeBus(new EventBridgeClient({}), requiredEnv('SHUDI_EXCHANGE_BUS'));
  return new ExchangeDispatcher({ store, bus, clock: systemClock });
}
