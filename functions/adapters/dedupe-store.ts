// The receiving side's memory of dedupe keys: a key is claimed before the provider is called, marked done after, and
// released when the call failed in a way worth retrying. A key that is done is never sent again; a claim whose
// holder crashed expires after its lease, so the message is not lost either.
import { keys } from '../store/keys';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { PutCommand, UpdateCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Instant } from '../domain/time';

export type ClaimResult = 'claimed' | 'done' | 'busy';

export interface DedupeStore {
  /** claimed: go ahead; done: it was delivered (or refused for good) already; busy: another attempt holds it now. */
  claim(key: string, now: Instant, leaseMs: number): Promise<ClaimResult>;
  /** The provider accepted (or refused for good): the key is never sent again. */
  finish(key: string, outcome: 'sent' | 'rejected', now: Instant): Promise<void>;
  /** The attempt failed in a way worth retrying: the next attempt may claim at once. */
  release(key: string): Promise<void>;
}

export class InMemoryDedupeStore implements DedupeStore {
  readonly entries = new Map<string, { state: 'sending' | 'sent' | 'rejected'; leaseUntil?: number }>();

  async claim(key: string, now: Instant, leaseMs: number): Promise<ClaimResult> {
    const e = this.entries.get(key);
    const t = Date.parse(now);
    if (e && e.state !== 'sending') return 'done';
    if (e && (e.leaseUntil ?? 0) > t) return 'busy';
    this.entries.set(key, { state: 'sending', leaseUntil: t + leaseMs });
    return 'claimed';
  }

  async finish(key: string, outcome: 'sent' | 'rejected'): Promise<void> {
    this.entries.set(key, { state: outcome });
  }

  async release(key: string): Promise<void> {
    if (this.entries.get(key)?.state === 'sending') this.entries.delete(key);
  }
}

/** Kept this long (DynamoDB TTL): far longer than any retry of the same message. */
const DEDUPE_TTL_DAYS = 30;

/** `DEDUPE#<key>` / `DEDUPE` items in the district table, removed by TTL. */
export class DynamoDedupeStore implements DedupeStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    private readonly tableName: string,
  ) {}

  private key(k: string) {
    return keys.dedupe(k);
  }

  async claim(key: string, now: Instant, leaseMs: number): Promise<ClaimResult> {
    const t = Date.parse(now);
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...this.key(key), entity: 'dedupe', state: 'sending', leaseUntil: new Date(t + leaseMs).toISOString(), expiresAt: Math.floor(t / 1000) + DEDUPE_TTL_DAYS * 86_400 },
          ConditionExpression: 'attribute_not_exists(PK) OR (#state = :sending AND leaseUntil < :now)',
          ExpressionAttributeNames: { '#state': 'state' },
          ExpressionAttributeValues: { ':sending': 'sending', ':now': now },
          ReturnValuesOnConditionCheckFailure: 'ALL_OLD',
        }),
      );
      return 'claimed';
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      const old = (err as { Item?: Record<string, { S?: string }> }).Item;
      return old?.state?.S === 'sending' ? 'busy' : 'done';
    }
  }

  async finish(key: string, outcome: 'sent' | 'rejected', now: Instant): Promise<void> {
    await this.doc.send(
      new UpdateCommand({
        TableName: this.tableName,
        Key: this.key(key),
        UpdateExpression: 'SET #state = :outcome, doneAt = :now REMOVE leaseUntil',
        ExpressionAttributeNames: { '#state': 'state' },
        ExpressionAttributeValues: { ':outcome': outcome, ':now': now },
      }),
    );
  }

  /**
   * Ends the claim's lease at once (an update, not a delete: the publisher, which claims keys for the SMS providers
   * and SMTP, may update its table's items but deletes none of them).
   */
  async release(key: string): Promise<void> {
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: this.key(key),
          UpdateExpression: 'SET leaseUntil = :free',
          ConditionExpression: '#state = :sending',
          ExpressionAttributeNames: { '#state': 'state' },
          // '' sorts before every instant: the next claim finds the lease over.
          ExpressionAttributeValues: { ':sending': 'sending', ':free': '' },
        }),
      );
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
    }
  }
}
