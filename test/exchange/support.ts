// Two small districts that exchange with each other, on the test run's DynamoDB Local, one table each, one clock.
import { ExchangeDispatcher, type DispatcherDeps } from '../../functions/app/exchange-dispatcher';
import type { ExchangeParts } from '../../functions/app/compose';
import { VirtualClock } from '../../functions/domain/clock';
import { districtConfig, type DistrictConfig } from '../../functions/domain/district-config';
import type { Subject } from '../../functions/domain/people';
import { subjectItem } from '../../functions/store/keys';
import { LocalBus } from '../../dev/local/local-bus';
import { LocalRuntime } from '../../dev/local/runtime';
import { dynamoEndpoint, uniqueTableName } from '../support/dynamodb';
import { tinyDistrict } from '../support/tiny-district';

export const CHUANHUI = '411602';
export const YILING = '420506';

const partner = (code: string, en: string) => ({ code, name: { zh: en, en }, account: code === CHUANHUI ? '111111111111' : '222222222222', region: 'cn-north-1', bus: 'shudi-exchange' });

/** The tiny district under another id, with a division code and the other as its partner. */
export function exchangeDistrict(id: string, code: string, partners: string[]): DistrictConfig {
  return districtConfig.parse({
    ...tinyDistrict,
    id,
    staff: tinyDistrict.staff.map((s) => (s.orgUnitId === tinyDistrict.id ? { ...s, id: `dm-${id}`, orgUnitId: id } : s)),
    exchange: { divisionCode: code, partners: partners.map((p) => partner(p, p === CHUANHUI ? 'Chuanhui' : 'Yiling')) },
  });
}

export interface Node {
  rt: LocalRuntime;
  x: ExchangeParts;
  dispatcher: ExchangeDispatcher;
}

export async function twoDistricts(start: string, opts: { fault?: DispatcherDeps['fault'] } = {}) {
  const clock = new VirtualClock(start);
  const bus = new LocalBus();
  const make = async (config: DistrictConfig): Promise<Node> => {
    const rt = await LocalRuntime.create({ endpoint: dynamoEndpoint(), config, clock, tableName: uniqueTableName(`x-${config.id}`), fastRetries: true, reminders: false });
    await rt.seed();
    const x = rt.parts.exchange!;
    bus.join(x.planner.own, (raw) => x.receiver.receive(raw));
    return { rt, x, dispatcher: new ExchangeDispatcher({ store: x.store, bus, clock, ...(opts.fault ? { fault: opts.fault } : {}) }) };
  };
  const chuanhui = await make(exchangeDistrict('chuanhui', CHUANHUI, [YILING]));
  const yiling = await make(exchangeDistrict('yiling', YILING, [CHUANHUI]));
  return { clock, bus, chuanhui, yiling };
}

/** Puts a subject straight on a district's register (a mobile woman with her region of origin, say). */
export async function putSubject(rt: LocalRuntime, s: Subject): Promise<void> {
  const { territory } = rt.district;
  await rt.register.putMany([subjectItem(s, territory)]);
}
