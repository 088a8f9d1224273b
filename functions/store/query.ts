// Query helpers shared by the stores.
import { BatchGetCommand, QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import type { Instant } from '../domain/time';
import { DUE_SHARDS, upTo, type Item } from './keys';
import { INDEXES } from './table-design';

/** Every item a Query matches, following its pages. */
export async function queryAll(doc: DynamoDBDocumentClient, input: QueryCommandInput): Promise<Item[]> {
  const items: Item[] = [];
  let start: Record<string, unknown> | undefined;
  do {
    const out = await doc.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
    items.push(...((out.Items ?? []) as Item[]));
    start = out.LastEvaluatedKey;
  } while (start);
  return items;
}

/**
 * Items by key (BatchGetItem, 100 keys a request, consistent), unprocessed keys retried with backoff; absent ones are
 * left out. `projection`: only these attributes.
 */
export async function batchGetAll(doc: DynamoDBDocumentClient, tableName: string, keys: readonly Record<string, unknown>[], projection?: readonly string[]): Promise<Item[]> {
  const found: Item[] = [];
  const names = projection ? Object.fromEntries(projection.map((a, i) => [`#p${i}`, a])) : undefined;
  for (let i = 0; i < keys.length; i += 100) {
    let pending: Record<string, unknown>[] | undefined = keys.slice(i, i + 100);
    for (let attempt = 0; pending && pending.length > 0; attempt++) {
      if (attempt > 8) throw new Error(`${pending.length} keys stayed unprocessed after ${attempt} attempts`);
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(50 * 2 ** attempt, 2000)));
      const out = await doc.send(
        new BatchGetCommand({
          RequestItems: { [tableName]: { Keys: pending, ConsistentRead: true, ...(names ? { ProjectionExpression: Object.keys(names).join(', '), ExpressionAttributeNames: names } : {}) } },
        }),
      );
      found.push(...((out.Responses?.[tableName] ?? []) as Item[]));
      pending = out.UnprocessedKeys?.[tableName]?.Keys as Record<string, unknown>[] | undefined;
    }
  }
  return found;
}

/** Items of the due index at or before `now`, across its shards, soonest first (timers, outbox). */
export async function queryDue(
  doc: DynamoDBDocumentClient,
  tableName: string,
  partitionOf: (shard: number) => string,
  now: Instant,
  limitPerShard: number,
): Promise<Item[]> {
  const idx = INDEXES.due;
  const pages = await Promise.all(
    Array.from({ length: DUE_SHARDS }, (_, shard) =>
      doc.send(
        new QueryCommand({
          TableName: tableName,
          IndexName: idx.name,
          KeyConditionExpression: `${idx.pk} = :pk AND ${idx.sk} < :upTo`,
          ExpressionAttributeValues: { ':pk': partitionOf(shard), ':upTo': upTo(now) },
          Limit: limitPerShard,
        }),
      ),
    ),
  );
  return pages
    .flatMap((p) => (p.Items ?? []) as Item[])
    .sort((a, b) => {
      const x = String(a[idx.sk]);
      const y = String(b[idx.sk]);
      return x < y ? -1 : x > y ? 1 : 0;
    });
}
