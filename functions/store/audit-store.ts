// The audit log: who read which subject data through the API, and when. One partition per
// Asia/Shanghai day (`AUDIT#<date>`), entries ordered by instant; appended, never changed.
import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { auditItem, keys, strip, type AuditEntry } from './keys';
import { BadCursorError, decodeCursor, encodeCursor, type Page } from './paging';

export class AuditStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    readonly tableName: string,
  ) {}

  /** Appends one entry (its key is new: `<at>#<auditId>`, so nothing is ever overwritten). */
  async append(entry: AuditEntry): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: auditItem(entry), ConditionExpression: 'attribute_not_exists(PK)' }));
  }

  /** A day's entries in time order. */
  async list(date: string, page: { limit?: number; cursor?: string } = {}): Promise<Page<AuditEntry>> {
    const start = decodeCursor(page.cursor);
    if (start && (start.PK !== keys.auditDay(date) || Object.keys(start).sort().join() !== 'PK,SK')) throw new BadCursorError();
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        KeyConditionExpression: 'PK = :pk',
        ExpressionAttributeValues: { ':pk': keys.auditDay(date) },
        Limit: Math.min(Math.max(page.limit ?? 100, 1), 500),
        ExclusiveStartKey: start,
      }),
    );
    const cursor = encodeCursor(out.LastEvaluatedKey);
    return { items: (out.Items ?? []).map((i) => strip<AuditEntry>(i)), ...(cursor ? { cursor } : {}) };
  }
}
