// Messages between districts in the district table: outbound messages (written by the case service in the transaction
// of the change that causes them, see functions/app/exchange-planner.ts), their sends and acks, and the receipts of
// inbound messages that make a repeat a no-op. Every state change is a conditional write on what was read.
import { GetCommand, PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { OrgUnitKind } from '../domain/territory';
import type { Instant } from '../domain/time';
import { exchangeMessageItem, keys, strip, type ExchangeMessage, type ExchangeReceipt, type Item } from './keys';
import { queryAll, queryDue } from './query';
import { INDEXES } from './table-design';

export class ExchangeStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    readonly tableName: string,
    readonly districtId: string,
  ) {}

  /** The item to put (only if absent) in the transaction of the change that causes the message. */
  item(m: ExchangeMessage): Item {
    return exchangeMessageItem(m, this.districtId);
  }

  async get(messageId: string): Promise<ExchangeMessage | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: keys.exchangeOut(messageId), ConsistentRead: true }));
    return out.Item ? strip<ExchangeMessage>(out.Item) : undefined;
  }

  async getReceipt(from: string, messageId: string): Promise<ExchangeReceipt | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: keys.exchangeIn(from, messageId), ConsistentRead: true }));
    return out.Item ? strip<ExchangeReceipt>(out.Item) : undefined;
  }

  /** Whether an event from another department was applied already. */
  async getDepartmentEvent(departmentId: string, eventId: string): Promise<boolean> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: keys.departmentEvent(departmentId, eventId), ConsistentRead: true, ProjectionExpression: 'PK' }));
    return !!out.Item;
  }

  /** Bus messages with a send due at `now`: new ones, and sent ones whose ack has not come by their retry time. */
  async due(now: Instant, limitPerShard = 100): Promise<ExchangeMessage[]> {
    return (await queryDue(this.doc, this.tableName, keys.dueExchange, now, limitPerShard)).map((i) => strip<ExchangeMessage>(i));
  }

  /**
   * Replaces `before` by `after` if the stored message is still in the state, attempt count and claim read: the claim
   * before a send, the mark after it, the ack. False when someone else changed it first.
   */
  async replace(before: ExchangeMessage, after: ExchangeMessage): Promise<boolean> {
    const values: Record<string, unknown> = { ':state': before.state, ':attempts': before.attempts };
    let claim = 'attribute_not_exists(attemptId)';
    if (before.attemptId !== undefined) {
      claim = 'attemptId = :attemptId';
      values[':attemptId'] = before.attemptId;
    }
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: this.item(after),
          ConditionExpression: `#state = :state AND attempts = :attempts AND ${claim}`,
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: values,
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  /**
   * The ack of a message arrived: sent (or still pending: the ack overtook the mark) → acked (failed if refused), in one
   * conditional update that also takes it off the due index; a claim or mark in flight then fails its own condition.
   * Idempotent: a second ack finds it acked already.
   */
  async markAcked(messageId: string, at: Instant, outcome: string): Promise<'acked' | 'already' | 'unknown'> {
    const due = INDEXES.due;
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.exchangeOut(messageId),
          UpdateExpression: 'SET #state = :to, ackedAt = :at, ackOutcome = :outcome REMOVE attemptId, #duePk, #dueSk',
          ConditionExpression: '#state IN (:pending, :sent)',
          ExpressionAttributeNames: { '#state': 'state', '#duePk': due.pk, '#dueSk': due.sk },
          ExpressionAttributeValues: { ':to': outcome === 'refused' ? 'failed' : 'acked', ':at': at, ':outcome': outcome, ':pending': 'pending', ':sent': 'sent' },
        }),
      );
      return 'acked';
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      return (await this.get(messageId)) ? 'already' : 'unknown';
    }
  }

  /** A case's outbound messages, oldest first. */
  async listForCase(caseId: string): Promise<ExchangeMessage[]> {
    const idx = INDEXES.person;
    const items = await queryAll(this.doc, {
      TableName: this.tableName,
      IndexName: idx.name,
      KeyConditionExpression: `${idx.pk} = :pk`,
      ExpressionAttributeValues: { ':pk': keys.exchangeOfCase(caseId) },
    });
    return items.map((i) => strip<ExchangeMessage>(i));
  }

  /** Messages caused by cases owned under an org unit, created in [from, to] (reports). Acks are not listed. */
  async listUnder(orgUnit: { id: string; kind: OrgUnitKind }, from: Instant, to: Instant): Promise<ExchangeMessage[]> {
    const idx = orgUnit.kind === 'district' ? INDEXES.district : orgUnit.kind === 'street' ? INDEXES.street : INDEXES.owner;
    const items = await queryAll(this.doc, {
      TableName: this.tableName,
      IndexName: idx.name,
      KeyConditionExpression: `${idx.pk} = :pk AND ${idx.sk} BETWEEN :from AND :to`,
      ExpressionAttributeValues: { ':pk': keys.exchangeOf(orgUnit.id), ':from': from, ':to': `${to}~` },
    });
    return items.map((i) => strip<ExchangeMessage>(i));
  }

  /** The export outbox: messages to regions with no partner, waiting to be sent by hand, oldest first. */
  async listExport(): Promise<ExchangeMessage[]> {
    const idx = INDEXES.queue;
    const items = await queryAll(this.doc, {
      TableName: this.tableName,
      IndexName: idx.name,
      KeyConditionExpression: `${idx.pk} = :pk`,
      ExpressionAttributeValues: { ':pk': keys.exchangeExport(this.districtId) },
    });
    return items.map((i) => strip<ExchangeMessage>(i));
  }
}
