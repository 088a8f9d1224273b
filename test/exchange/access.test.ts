// Least privilege for the exchange Lambdas, checked against what their code does: the dispatcher and the receiver of
// both districts run a move out with its receipt and a verification with its answer (with a lost delivery and a
// duplicate) on DynamoDB Local, each on its own recording client; every request must be in its profile
// (infra/exchange-bus.ts exchangeAccess), which is what the stack grants.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import { composeDistrict } from '../../functions/app/compose';
import { ExchangeDispatcher } from '../../functions/app/exchange-dispatcher';
import { createDynamoClient, documentClient } from '../../functions/store/client';
import { pumpExchange } from '../../dev/local/local-bus';
import { exchangeAccess } from '../../infra/exchange-bus';
import { dynamoEndpoint } from '../support/dynamodb';
import { putSubject, twoDistricts, YILING } from './support';

function permissionsOf(command: string, input: Record<string, any>): string[] {
  const action = command.replace(/Command$/, '');
  if (action === 'Query' || action === 'Scan') return [`${action} ${input.IndexName ?? 'table'}`];
  if (action === 'TransactWriteItems')
    return (input.TransactItems as Record<string, unknown>[]).map((item) => `${{ Put: 'PutItem', Delete: 'DeleteItem', Update: 'UpdateItem', ConditionCheck: 'ConditionCheckItem' }[Object.keys(item)[0]!]} table`);
  return [`${action} table`];
}

function recording(): { client: DynamoDBClient; seen: Set<string> } {
  const client = createDynamoClient({ endpoint: dynamoEndpoint() });
  const seen = new Set<string>();
  client.middlewareStack.add(
    (next, context) => async (args) => {
      for (const p of permissionsOf(context.commandName ?? '', args.input as Record<string, any>)) seen.add(p);
      return next(args);
    },
    { step: 'initialize', name: 'recordPermissions' },
  );
  return { client, seen };
}

const allowed = (key: keyof typeof exchangeAccess) => new Set([...exchangeAccess[key].table.map((a) => `${a} table`), ...exchangeAccess[key].indexes.map((i) => `Query ${i}`)]);

describe('the exchange Lambdas’ table profiles', () => {
  it('cover every request the dispatcher and the receiver send', async () => {
    const { clock, bus, chuanhui, yiling } = await twoDistricts('2026-03-02T02:00:00.000Z');
    const dispatchRec = recording();
    const receiveRec = recording();
    const dispatchers = [chuanhui, yiling].map((n) => {
      const parts = composeDistrict({ doc: documentClient(dispatchRec.client), tableName: n.rt.tableName, district: n.rt.district, clock });
      return new ExchangeDispatcher({ store: parts.exchange!.store, bus, clock });
    });
    for (const n of [chuanhui, yiling]) {
      const parts = composeDistrict({ doc: documentClient(receiveRec.client), tableName: n.rt.tableName, district: n.rt.district, clock });
      bus.join(parts.exchange!.planner.own, (raw) => parts.exchange!.receiver.receive(raw));
    }
    let dropped = false;
    bus.faults = { drop: (m) => m.type === 'verification_request' && !dropped && (dropped = true), duplicate: (m) => m.type === 'handover_out' };
    await putSubject(chuanhui.rt, { subjectId: 'm-1', class: 'primary', communityId: 'east-a', registeredOn: '2024-01-01' });
    await putSubject(chuanhui.rt, { subjectId: 'v-1', class: 'mobile', communityId: 'east-b', registeredOn: '2026-03-01', originRegion: YILING });
    await chuanhui.x.service.handoverOut({ caseId: 'ho-1', subjectId: 'm-1', toRegion: YILING, toCommunityId: 'west-a', moveDate: '2026-03-01' }, { kind: 'system', process: 'test' });
    await chuanhui.rt.service.open({ type: 'certificate_check', caseId: 'cc-1', subject: { subjectId: 'v-1', class: 'mobile', communityId: 'east-b' }, task: 'verify', startDate: '2026-03-01' }, { kind: 'system', process: 'test' });
    await pumpExchange(dispatchers);
    clock.advance(10 * 60_000);
    await pumpExchange(dispatchers);
    const inbound = (await yiling.rt.cases.listQueue('west-a', 'open')).items[0]!;
    await yiling.rt.service.act(inbound.caseId, { action: 'acknowledge' }, { kind: 'staff', staffId: 'co-west-a-1' }, 'a-1', 'west-a');
    const request = (await yiling.rt.cases.listQueue('yiling', 'open')).items.find((c) => c.data.task === 'answer')!;
    await yiling.x.service.answer(request.caseId, 'valid', '2026-03-02', { kind: 'staff', staffId: 'dm-yiling' }, 'yiling');
    await pumpExchange(dispatchers);
    expect((await chuanhui.rt.cases.get('ho-1'))?.state).toBe('acknowledged');
    expect((await chuanhui.rt.cases.get('cc-1.origin'))?.state).toBe('valid');

    const d = [...dispatchRec.seen].filter((p) => !allowed('exchangeDispatch').has(p));
    const r = [...receiveRec.seen].filter((p) => !allowed('exchangeReceive').has(p));
    expect(d).toEqual([]);
    expect(r).toEqual([]);
    // And the profiles are what the code needs: no grant the run never used (the dispatcher's are all exercised).
    expect([...allowed('exchangeDispatch')].filter((p) => !dispatchRec.seen.has(p))).toEqual([]);
  });
});
