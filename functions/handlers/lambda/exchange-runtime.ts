// What an exchange Lambda (exchangeDispatch, exchangeReceive) builds once per cold start: the district composed on the
// traced DynamoDB client (functions/app/compose.ts), and for the dispatcher the EventBridge bus adapter.
// Environment: TABLE_NAME, DISTRICT_ID; SHUDI_EXCHANGE_BUS (exchangeDispatch: the district's own bus).
import { EventBridgeClient } from '@aws-sdk/client-eventbridge';
import { EventBridgeBus } from '../../adapters/eventbridge-bus';
import { composeDistrict, type ExchangeParts } from '../../app/compose';
import { districtContext } from '../../app/district-context';
import { ExchangeDispatcher } from '../../app/exchange-dispatcher';
import { systemClock } from '../../domain/clock';
import { createDynamoClient, documentClient } from '../../store/client';
import { bundledDistrictConfig, requiredEnv } from './district';
import type { Observability } from './observability';

export function exchangeParts(o: Pick<Observability, 'tracer'>): ExchangeParts {
  const district = districtContext(bundledDistrictConfig());
  const doc = documentClient(o.tracer.captureAWSv3Client(createDynamoClient()));
  const parts = composeDistrict({ doc, tableName: requiredEnv('TABLE_NAME'), district, clock: systemClock });
  if (!parts.exchange) throw new Error(`district ${district.config.id} has no exchange config`);
  return parts.exchange;
}

export function exchangeDispatcher(o: Pick<Observability, 'tracer'>): ExchangeDispatcher {
  const { store } = exchangeParts(o);
  const bus = new EventBridgeBus(o.tracer.captureAWSv3Client(new EventBridgeClient({})), requiredEnv('SHUDI_EXCHANGE_BUS'));
  return new ExchangeDispatcher({ store, bus, clock: systemClock });
}
