// The table's keys and indexes, written once: the local runtime, tests and the CDK stack build from it.
import type { CreateTableCommandInput } from '@aws-sdk/client-dynamodb';

export const TABLE_KEYS = { partitionKey: 'PK', sortKey: 'SK' } as const;

export const INDEXES = {
  queue: { name: 'GSI1', pk: 'GSI1PK', sk: 'GSI1SK' },
  owner: { name: 'GSI2', pk: 'GSI2PK', sk: 'GSI2SK' },
  street: { name: 'GSI3', pk: 'GSI3PK', sk: 'GSI3SK' },
  district: { name: 'GSI4', pk: 'GSI4PK', sk: 'GSI4SK' },
  /** A person's items by status: a subject's cases, a staff member's reminders. */
  person: { name: 'GSI5', pk: 'GSI5PK', sk: 'GSI5SK' },
  due: { name: 'GSI6', pk: 'GSI6PK', sk: 'GSI6SK' },
  sendingStreet: { name: 'GSI7', pk: 'GSI7PK', sk: 'GSI7SK' },
} as const;

export type IndexName = keyof typeof INDEXES;

/** Items past this epoch-seconds attribute are deleted by DynamoDB TTL (sent outbox items). */
export const TTL_ATTRIBUTE = 'expiresAt';

export function tableNameFor(districtId: string, stage?: string): string {
  return stage ? `shudi-${stage}-${districtId}` : `shudi-${districtId}`;
}

export function createTableInput(tableName: string): CreateTableCommandInput {
  const keyAttrs = [TABLE_KEYS.partitionKey, TABLE_KEYS.sortKey, ...Object.values(INDEXES).flatMap((i) => [i.pk, i.sk])];
  return {
    TableName: tableName,
    BillingMode: 'PAY_PER_REQUEST',
    AttributeDefinitions: keyAttrs.map((name) => ({ AttributeName: name, AttributeType: 'S' })),
    KeySchema: [
      { AttributeName: TABLE_KEYS.partitionKey, KeyType: 'HASH' },
      { AttributeName: TABLE_KEYS.sortKey, KeyType: 'RANGE' },
    ],
    GlobalSecondaryIndexes: Object.values(INDEXES).map((i) => ({
      IndexName: i.name,
      KeySchema: [
        { AttributeName: i.pk, KeyType: 'HASH' },
        { AttributeName: i.sk, KeyType: 'RANGE' },
      ],
      Projection: { ProjectionType: 'ALL' },
    })),
  };
}
