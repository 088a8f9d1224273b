// A local runtime on a virtual clock against the test run's DynamoDB Local, one table per call.
import type { DistrictConfig } from '../../functions/domain/district-config';
import { VirtualClock } from '../../functions/domain/clock';
import type { Subject } from '../../functions/domain/people';
import { LocalRuntime, type LocalRuntimeOptions } from '../../dev/local/runtime';
import { dynamoEndpoint, uniqueTableName } from './dynamodb';
import { tinyDistrict } from './tiny-district';

export async function testRuntime(
  start: string,
  opts: Partial<Pick<LocalRuntimeOptions, 'wrapHandler' | 'client'>> & { config?: DistrictConfig } = {},
): Promise<LocalRuntime> {
  const config = opts.config ?? tinyDistrict;
  const rt = await LocalRuntime.create({
    endpoint: dynamoEndpoint(),
    config,
    clock: new VirtualClock(start),
    tableName: uniqueTableName(`rt-${config.id}`),
    fastRetries: true,
    ...(opts.wrapHandler ? { wrapHandler: opts.wrapHandler } : {}),
    ...(opts.client ? { client: opts.client } : {}),
  });
  await rt.seed();
  return rt;
}

/** All subjects of the runtime's district, in id order. */
export async function allSubjects(rt: LocalRuntime): Promise<Subject[]> {
  const out: Subject[] = [];
  let cursor: string | undefined;
  do {
    const page = await rt.register.listSubjects({ id: rt.district.territory.districtId, kind: 'district' }, { limit: 500, cursor });
    out.push(...page.items);
    cursor = page.cursor;
  } while (cursor);
  return out.sort((a, b) => a.subjectId.localeCompare(b.subjectId));
}
