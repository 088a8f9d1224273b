// A local runtime for reminder tests: the tiny district on a virtual clock with a notifier of the test's choosing.
import { VirtualClock } from '../../functions/domain/clock';
import type { DistrictConfig } from '../../functions/domain/district-config';
import type { Staff } from '../../functions/domain/people';
import { LocalRuntime, type LocalRuntimeOptions } from '../../dev/local/runtime';
import { staffItem } from '../../functions/store/keys';
import { dynamoEndpoint, uniqueTableName } from '../support/dynamodb';
import { tinyDistrict } from '../support/tiny-district';

export async function reminderRuntime(
  start: string,
  opts: Partial<Pick<LocalRuntimeOptions, 'notifier' | 'dashboardUrl' | 'publisherFault' | 'digestFault' | 'reminders' | 'wrapHandler'>> & { config?: DistrictConfig } = {},
): Promise<LocalRuntime> {
  const { config = tinyDistrict, ...rest } = opts;
  const rt = await LocalRuntime.create({
    endpoint: dynamoEndpoint(),
    config,
    clock: new VirtualClock(start),
    tableName: uniqueTableName(`rem-${config.id}`),
    fastRetries: true,
    ...rest,
  });
  await rt.seed();
  return rt;
}

/** Changes staff preferences (channel, language, quiet hours, contacts) as a manager would. */
export async function updateStaff(rt: LocalRuntime, staffId: string, change: Partial<Staff>): Promise<Staff> {
  const s = await rt.register.getStaff(staffId);
  if (!s) throw new Error(`no staff ${staffId}`);
  const next = { ...s, ...change };
  await rt.register.putMany([staffItem(next)]);
  return next;
}
