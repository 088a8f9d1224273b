// A local runtime for the reliability tests: like test/support/runtime.ts, with the reminder
// publisher and digest switchable (off by default: these tests are about cases, timers and
// outbox items, and the publisher's own crash tests live with it in test/reminders/).
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { VirtualClock } from '../../../functions/domain/clock';
import type { DistrictConfig } from '../../../functions/domain/district-config';
import { LocalRuntime, type LocalRuntimeOptions } from '../../../dev/local/runtime';
import { dynamoEndpoint, uniqueTableName } from '../../support/dynamodb';
import { tinyDistrict } from '../../support/tiny-district';

export async function reliabilityRuntime(
  start: string,
  opts: { config?: DistrictConfig; client?: DynamoDBClient; wrapHandler?: LocalRuntimeOptions['wrapHandler']; reminders?: boolean } = {},
): Promise<LocalRuntime> {
  const config = opts.config ?? tinyDistrict;
  const rt = await LocalRuntime.create({
    endpoint: dynamoEndpoint(),
    config,
    clock: new VirtualClock(start),
    tableName: uniqueTableName(`rel-${config.id}`),
    fastRetries: true,
    reminders: opts.reminders ?? false,
    ...(opts.client ? { client: opts.client } : {}),
    ...(opts.wrapHandler ? { wrapHandler: opts.wrapHandler } : {}),
  });
  await rt.seed();
  return rt;
}
