// The audit log: who read which subject data through the API, and which requests were refused,
// when. One partition per Asia/Shanghai day (`AUDIT#<date>`), entries ordered by instant; appended,
// never changed: the code writes each entry only if absent, and IAM grants no role an update or a
// delete of AUDIT# items (infra/access.ts). Entries expire by TTL after the district's retention.
import { PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { auditItem, keys, strip, type AuditEntry, type Item } from './keys';
import { BadCursorError, decodeCursor, encodeCursor, type Page } from './paging';

/** The source keeps files at least 2 years; an audit entry is never kept less. */
export const MIN_AUDIT_RETENTION_YEARS = 2;
/** Subject ids per entry: 1,000 ids of at most 80 characters stay far below DynamoDB's 400 KB item limit. */
export const AUDIT_IDS_PER_ENTRY = 1000;

/** `at` plus whole calendar years (UTC), as epoch seconds; 29 February → 28 February. */
export function auditExpiresAt(at: string, years: number): number {
  const d = new Date(at);
  const y = d.getUTCFullYear() + years;
  const m = d.getUTCMonth();
  const day = Math.min(d.getUTCDate(), new Date(Date.UTC(y, m + 1, 0)).getUTCDate());
  return Math.floor(Date.UTC(y, m, day, d.getUTCHours(), d.getUTCMinutes(), d.getUTCSeconds()) / 1000);
}

export class AuditStore {
  /** How many years an entry is kept: the district's retention of the files of people who left, at least 2. */
  readonly retentionYears: number;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    readonly tableName: string,
    opts: { retentionYears?: number } = {},
  ) {
    this.retentionYears = Math.max(MIN_AUDIT_RETENTION_YEARS, opts.retentionYears ?? MIN_AUDIT_RETENTION_YEARS);
  }

  /**
   * Appends one entry: its key is new (`<at>#<auditId>`), written only if absent. An entry naming
   * more subject ids than fit one item is written as parts (`<auditId>.<k>`, part k of n), each
   * with its share of the ids and the same request id.
   */
  async append(entry: AuditEntry): Promise<void> {
    const expiresAt = auditExpiresAt(entry.at, this.retentionYears);
    const ids = entry.subjectIds ?? [];
    const parts = Math.max(1, Math.ceil(ids.length / AUDIT_IDS_PER_ENTRY));
    const items =
      parts === 1
        ? [{ ...entry, expiresAt }]
        : Array.from({ length: parts }, (_, k) => ({
            ...entry,
            auditId: `${entry.auditId}.${k + 1}`,
            subjectIds: ids.slice(k * AUDIT_IDS_PER_ENTRY, (k + 1) * AUDIT_IDS_PER_ENTRY),
            part: k + 1,
            parts,
            expiresAt,
          }));
    await Promise.all(items.map((e) => this.doc.send(new PutCommand({ TableName: this.tableName, Item: auditItem(e), ConditionExpression: 'attribute_not_exists(PK)' }))));
  }

  /**
   * The item of one entry (at most AUDIT_IDS_PER_ENTRY ids), with its expiry, for a write that appends it in its own
   * transaction (put only if absent, as append does).
   */
  itemOf(entry: AuditEntry): Item {
    if ((entry.subjectIds?.length ?? 0) > AUDIT_IDS_PER_ENTRY) throw new Error(`one audit item holds at most ${AUDIT_IDS_PER_ENTRY} subject ids`);
    return auditItem({ ...entry, expiresAt: auditExpiresAt(entry.at, this.retentionYears) });
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
