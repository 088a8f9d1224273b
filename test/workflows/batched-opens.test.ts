// A page of openings (CaseService.openMany, the health-check generator's path) writes exactly what opening the
// cases one by one writes, in fewer transactions; a re-run writes nothing; a case opened meanwhile by someone else
// cancels only its group, which is redone case by case; a refused opening is that input's result alone.
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { CaseRejected, subjectRefOf, type OpenResult } from '../../functions/app/case-service';
import { businessInstant } from '../../functions/domain/time';
import { createDynamoClient } from '../../functions/store/client';
import type { LocalRuntime } from '../../dev/local/runtime';
import { dynamoEndpoint, testDocumentClient } from '../support/dynamodb';
import { allSubjects, testRuntime } from '../support/runtime';

const START = businessInstant('2026-04-28', '10:00');
const SYSTEM = { kind: 'system', process: 'health-checks' } as const;

/** A client that counts TransactWriteItems calls and can run something just before one is sent. */
function countingClient() {
  const client: DynamoDBClient = createDynamoClient({ endpoint: dynamoEndpoint() });
  const seen = { transactions: 0, before: undefined as undefined | (() => Promise<void>) };
  client.middlewareStack.add(
    (next, context) => async (args) => {
      if (context.commandName === 'TransactWriteItemsCommand') {
        seen.transactions++;
        const before = seen.before;
        seen.before = undefined;
        if (before) await before();
      }
      return next(args);
    },
    { step: 'initialize', name: 'countTransactions' },
  );
  return { client, seen };
}

async function caseItems(rt: LocalRuntime) {
  const out = await testDocumentClient().send(new ScanCommand({ TableName: rt.tableName }));
  return (out.Items ?? []).filter((i) => String(i.PK).startsWith('CASE#')).sort((a, b) => `${a.PK}|${a.SK}`.localeCompare(`${b.PK}|${b.SK}`));
}

const inputs = async (rt: LocalRuntime) =>
  (await allSubjects(rt)).map((s) => ({ type: 'health_check' as const, subject: subjectRefOf(s), periodOf: '2026-05-01' }));

describe('opening a page of cases at once', () => {
  it('writes what one-by-one opening writes, in fewer transactions, and nothing on a re-run', async () => {
    const one = await testRuntime(START);
    for (const input of await inputs(one)) await one.service.open(input, SYSTEM);

    const { client, seen } = countingClient();
    const many = await testRuntime(START, { client });
    const all = await inputs(many);
    expect(all.length).toBeGreaterThan(10);
    seen.transactions = 0;
    const results = await many.service.openMany(all, SYSTEM);
    expect(results.every((r) => !(r instanceof Error) && r.created)).toBe(true);
    expect(seen.transactions).toBeGreaterThan(0);
    expect(seen.transactions).toBeLessThan(all.length / 4);
    expect(await caseItems(many)).toEqual(await caseItems(one));

    seen.transactions = 0;
    const again = await many.service.openMany(all, SYSTEM);
    expect(again.map((r) => (r instanceof Error ? r.message : r.created))).toEqual(all.map(() => false));
    expect(seen.transactions).toBe(0);
  });

  it('a case opened meanwhile cancels its group, which is redone case by case with exact results', async () => {
    const { client, seen } = countingClient();
    const rt = await testRuntime(START, { client });
    const all = await inputs(rt);
    const taken = 3;
    // Another opener (a retried page, a second execution) writes one of the cases just before the batch's transaction.
    seen.before = async () => {
      await rt.service.open(all[taken]!, SYSTEM);
    };
    const results = await rt.service.openMany(all, SYSTEM);
    const created = results.map((r) => (r as OpenResult).created);
    expect(created).toEqual(all.map((_, i) => i !== taken));
    const cases = (await caseItems(rt)).filter((i) => i.SK === 'CASE');
    expect(cases).toHaveLength(all.length);
    expect(new Set(cases.map((c) => c.subjectId)).size).toBe(all.length);
    // Each case has its first history entry once.
    expect((await caseItems(rt)).filter((i) => i.SK === 'H#000001')).toHaveLength(all.length);
  });

  it('a refused opening is that input’s result; the others open', async () => {
    const rt = await testRuntime(START);
    const all = await inputs(rt);
    const ended = { ...all[0]!, periodOf: '2025-01-01' };
    const results = await rt.service.openMany([all[1]!, ended, all[2]!], SYSTEM);
    expect(results[1]).toBeInstanceOf(CaseRejected);
    expect((results[0] as OpenResult).created).toBe(true);
    expect((results[2] as OpenResult).created).toBe(true);
    expect((await caseItems(rt)).filter((i) => i.SK === 'CASE')).toHaveLength(2);
  });

  it('the same case twice in one page opens once', async () => {
    const rt = await testRuntime(START);
    const all = await inputs(rt);
    const results = (await rt.service.openMany([all[0]!, all[1]!, all[0]!], SYSTEM)) as OpenResult[];
    expect(results.map((r) => r.created)).toEqual([true, true, false]);
    expect(results[2]!.case.caseId).toBe(results[0]!.case.caseId);
  });
});
