// Query helpers shared by the stores.
import { QueryCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
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
