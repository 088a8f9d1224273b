// The delivery side of the outbox: the publisher's due queries and conditional state changes, the digest's reads,
// and the staff members' undeliverable flags. Items are written by the case service (functions/app/case-service.ts)
// in the transaction of the change that causes them; from then on only this store changes them, each change a
// conditional write on what was read, so two publishers (or a retry of a crashed one) never both win.
import { GetCommand, PutCommand, QueryCommand, UpdateCommand, type DynamoDBDocumentClient, type QueryCommandInput } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { CaseStatus } from '../domain/case';
import type { Staff, UndeliverableFlag } from '../domain/people';
import type { Instant } from '../domain/time';
import { DUE_SHARDS, keys, outboxItem, strip, upTo, type Item, type OutboxItem, type OutboxState } from './keys';
import { batchGetAll, queryAll, queryDue } from './query';
import { INDEXES } from './table-design';

/** Sent, digested, skipped and failed items are kept this long, then DynamoDB TTL removes them. */
export const OUTBOX_RETENTION_DAYS = 30;

export const expiresAtFor = (now: Instant, days = OUTBOX_RETENTION_DAYS): number => Math.floor(Date.parse(now) / 1000) + days * 86_400;


export class OutboxStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    readonly tableName: string,
    readonly districtId: string,
  ) {}

  async get(outboxId: string): Promise<OutboxItem | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: keys.outbox(outboxId), ConsistentRead: true }));
    return out.Item ? strip<OutboxItem>(out.Item) : undefined;
  }

  /**
   * Items the publisher has work on at `now`, soonest first, across the due shards: pending urgent and summary items
   * whose sendAfter has come, and claimed items whose claim expired (their attempt crashed).
   */
  async due(now: Instant, limitPerShard = 100): Promise<OutboxItem[]> {
    return (await queryDue(this.doc, this.tableName, keys.dueOutbox, now, limitPerShard)).map((i) => strip<OutboxItem>(i));
  }


  /** The instant the publisher next has work, at or before `until` (the local runtime's look-ahead). */
  async nextDueAt(until: Instant): Promise<Instant | undefined> {
    const idx = INDEXES.due;
    const firsts = await Promise.all(
      Array.from({ length: DUE_SHARDS }, async (_, shard) => {
        const out = await this.doc.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: idx.name,
            KeyConditionExpression: `${idx.pk} = :pk AND ${idx.sk} < :upTo`,
            ExpressionAttributeValues: { ':pk': keys.dueOutbox(shard), ':upTo': upTo(until) },
            Limit: 1,
          }),
        );
        const sk = out.Items?.[0]?.[idx.sk];
        return typeof sk === 'string' ? sk.slice(0, sk.indexOf('#')) : undefined;
      }),
    );
    return firsts.filter((x): x is string => !!x).sort()[0];
  }

  /** Writes a new item (a daily digest) only if no item has its id; false when it exists. */
  async putNew(o: OutboxItem): Promise<boolean> {
    try {
      await this.doc.send(new PutCommand({ TableName: this.tableName, Item: outboxItem(o), ConditionExpression: 'attribute_not_exists(PK)' }));
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  /**
   * Replaces `before` by `after` if the stored item is still `before` (same state, sendAfter and claim): every
   * state change of an item goes through here. False when someone else changed it first.
   */
  async replace(before: OutboxItem, after: OutboxItem): Promise<boolean> {
    if (after.outboxId !== before.outboxId) throw new Error('an outbox item keeps its id');
    const names: Record<string, string> = { '#state': 'state', '#sendAfter': 'sendAfter', '#attemptId': 'attemptId' };
    const values: Record<string, unknown> = { ':state': before.state, ':sendAfter': before.sendAfter };
    let claim = 'attribute_not_exists(#attemptId)';
    if (before.attemptId !== undefined) {
      claim = '#attemptId = :attemptId';
      values[':attemptId'] = before.attemptId;
    }
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: outboxItem(after),
          ConditionExpression: `#state = :state AND #sendAfter = :sendAfter AND ${claim}`,
          ExpressionAttributeNames: names,
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  /** A staff member's items in one state (GSI5), soonest sendAfter first; all states when none is given. */
  async listForStaff(staffId: string, state?: OutboxState): Promise<OutboxItem[]> {
    const idx = INDEXES.person;
    const values: Record<string, unknown> = { ':pk': keys.remindersOf(staffId) };
    let condition = `${idx.pk} = :pk`;
    if (state) {
      condition += ` AND begins_with(${idx.sk}, :state)`;
      values[':state'] = `${state}#`;
    }
    const items = await this.queryAll({ TableName: this.tableName, IndexName: idx.name, KeyConditionExpression: condition, ExpressionAttributeValues: values });
    return items.map((i) => strip<OutboxItem>(i));
  }

  /** The current status of many cases (BatchGetItem, 100 at a time); absent cases are left out. */
  async caseStatuses(caseIds: string[]): Promise<Map<string, CaseStatus>> {
    const items = await batchGetAll(this.doc, this.tableName, [...new Set(caseIds)].map((id) => keys.case(id)), ['caseId', 'status']);
    return new Map(items.map((item) => [String(item.caseId), item.status as CaseStatus]));
  }

  // -------------------------------------------------------------------------------------------------------------------
  // Undeliverable channels, recorded on the staff member

  /**
   * Records that a channel failed for good for a staff member (once per channel: the first reason is kept) and puts
   * the staff member in the list managers see. False when the channel was flagged already or there is no such staff.
   */
  async flagUndeliverable(staffId: string, flag: UndeliverableFlag): Promise<boolean> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: keys.staff(staffId), ConsistentRead: true }));
      if (!out.Item) return false;
      const before = (out.Item.undeliverable as UndeliverableFlag[] | undefined) ?? undefined;
      if (before?.some((f) => f.channel === flag.channel)) return false;
      const idx = INDEXES.owner;
      try {
        await this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: keys.staff(staffId),
            UpdateExpression: `SET undeliverable = :next, ${idx.pk} = :pk, ${idx.sk} = :sk`,
            ConditionExpression: before ? 'undeliverable = :before' : 'attribute_exists(PK) AND attribute_not_exists(undeliverable)',
            ExpressionAttributeValues: {
              ':next': [...(before ?? []), flag],
              ':pk': keys.undeliverableStaff(),
              ':sk': staffId,
              ...(before ? { ':before': before } : {}),
            },
          }),
        );
        return true;
      } catch (err) {
        if (!(err instanceof ConditionalCheckFailedException)) throw err;
      }
    }
    return false;
  }

  /** A manager fixed the address: clears the flag of one channel (or all), and the list entry when none is left. */
  async clearUndeliverable(staffId: string, channel?: UndeliverableFlag['channel']): Promise<void> {
    for (let attempt = 0; attempt < 5; attempt++) {
      const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: keys.staff(staffId), ConsistentRead: true }));
      const before = out.Item?.undeliverable as UndeliverableFlag[] | undefined;
      if (!before) return;
      const next = channel ? before.filter((f) => f.channel !== channel) : [];
      const idx = INDEXES.owner;
      try {
        await this.doc.send(
          new UpdateCommand({
            TableName: this.tableName,
            Key: keys.staff(staffId),
            UpdateExpression: next.length ? 'SET undeliverable = :next' : `REMOVE undeliverable, ${idx.pk}, ${idx.sk}`,
            ConditionExpression: 'undeliverable = :before',
            ExpressionAttributeValues: { ':before': before, ...(next.length ? { ':next': next } : {}) },
          }),
        );
        return;
      } catch (err) {
        if (!(err instanceof ConditionalCheckFailedException)) throw err;
      }
    }
  }

  /** Staff with at least one undeliverable channel, by staff id (one Query on a sparse partition). */
  async listUndeliverableStaff(): Promise<Staff[]> {
    const idx = INDEXES.owner;
    const items = await this.queryAll({
      TableName: this.tableName,
      IndexName: idx.name,
      KeyConditionExpression: `${idx.pk} = :pk`,
      ExpressionAttributeValues: { ':pk': keys.undeliverableStaff() },
    });
    return items.map((i) => strip<Staff>(i));
  }

  private queryAll(input: QueryCommandInput): Promise<Item[]> {
    return queryAll(this.doc, input);
  }

}
