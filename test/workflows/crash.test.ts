// A crash after every write: for each Task state in turn, the step fails once right after its
// handler has written, the engine retries it, and the table ends exactly as in a run without
// faults: no duplicate history entry, timer, outbox item or case. The same for a command (`api`,
// the case service as the API calls it): the caller sees an error after the write and sends the
// same command again, as an API client retries with its Idempotency-Key.
import { ScanCommand } from '@aws-sdk/lib-dynamodb';
import { describe, expect, it } from 'vitest';
import { businessInstant } from '../../functions/domain/time';
import type { LocalRuntime } from '../../dev/local/runtime';
import { functionKeys } from '../../functions/workflows/catalog';
import { CaseRejected } from '../../functions/app/case-service';
import { testDocumentClient } from '../support/dynamodb';
import { allSubjects, testRuntime } from '../support/runtime';

const START = businessInstant('2026-04-28', '10:00');

/** A caller's retry: a command that failed for any reason but a refusal is sent again, unchanged. */
async function retried<T>(send: () => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await send();
    } catch (err) {
      if (err instanceof CaseRejected || attempt >= 3) throw err;
    }
  }
}

/** One run through every command, every workflow and every Task state. */
async function scenario(rt: LocalRuntime) {
  const subjects = await allSubjects(rt);
  const w = subjects.find((s) => s.class === 'co_managed')!;
  const p = subjects.find((s) => s.class === 'primary')!;
  await retried(() => rt.openCase({ type: 'handover', caseId: 'ho-a', subjectId: w.subjectId, reason: 'resigned', separationDate: '2026-04-27' }));
  await retried(() => rt.act('ho-a', { action: 'reject', reason: 'not ours' }, { kind: 'staff', staffId: `co-${w.communityId}-1` }, 'reject-1', w.communityId));
  await retried(() => rt.openCase({ type: 'follow_up', caseId: 'fu-a', subjectId: p.subjectId, trigger: 'service', eventDate: '2026-04-28' }));
  // Into May: the reroute deadline, reminders, the overdue follow-up, health checks (1 May) and
  // the May change reports all fall due on the way.
  await rt.advanceTo(businessInstant('2026-05-16', '12:00'));
}

async function dump(rt: LocalRuntime) {
  const doc = testDocumentClient();
  const items: Record<string, unknown>[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await doc.send(new ScanCommand({ TableName: rt.tableName, ExclusiveStartKey: start, ConsistentRead: true }));
    items.push(...((out.Items ?? []) as Record<string, unknown>[]));
    start = out.LastEvaluatedKey;
  } while (start);
  return items.sort((a, b) => `${a.PK}|${a.SK}`.localeCompare(`${b.PK}|${b.SK}`));
}

describe('a step that fails after its write is retried without a duplicate', () => {
  let baseline: Record<string, unknown>[];
  const crashes: Record<string, number> = {};

  it('baseline run without faults', async () => {
    const rt = await testRuntime(START);
    await scenario(rt);
    baseline = await dump(rt);
    const count = (prefix: string) => baseline.filter((i) => String(i.SK).startsWith(prefix)).length;
    console.log(`baseline: ${baseline.length} items, ${count('H#')} history entries, ${baseline.reduce((n, i) => n + ((i.timers as unknown[] | undefined)?.length ?? 0), 0)} timers, ${count('OUTBOX')} outbox items`);
    expect(count('H#')).toBeGreaterThan(10);
  });

  for (const key of [...functionKeys, 'api']) {
    it(`crash once after ${key}`, async () => {
      let crashed = 0;
      const rt = await testRuntime(START, {
        wrapHandler: (k, fn) =>
          k !== key
            ? fn
            : async (event) => {
                const out = await fn(event);
                if (crashed++ === 0) throw Object.assign(new Error(`injected crash after ${key} wrote`), { name: 'Lambda.ServiceException' });
                return out;
              },
      });
      await scenario(rt);
      crashes[key] = crashed;
      expect(crashed, `${key} was never called by the scenario`).toBeGreaterThan(1);
      const got = await dump(rt);
      expect(got.length).toBe(baseline.length);
      expect(got).toEqual(baseline);
    });
  }

  it('reports the faults injected', () => {
    console.log(`injected one crash after the write of each of ${Object.keys(crashes).length} Task handlers and commands: ${JSON.stringify(crashes)}`);
  });
});
