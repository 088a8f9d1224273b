// Cases, their history, timers and reminder intents in the district table.
import {
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  UpdateCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { TransactionCanceledException, ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { Case, CaseStatus, HistoryEntry } from '../domain/case';
import type { OrgUnitKind } from '../domain/territory';
import type { Instant } from '../domain/time';
import {
  DUE_SHARDS,
  caseItem,
  historyItem,
  keys,
  outboxItem,
  strip,
  timerItem,
  upTo,
  type Item,
  type OutboxItem,
  type Timer,
} from './keys';
import { decodeCursor, encodeCursor, type Page } from './paging';
import { INDEXES } from './table-design';

/** The case changed since it was read: nothing was written; re-read and decide again. */
export class StaleCaseError extends Error {
  constructor(readonly caseId: string, readonly reasons: string[]) {
    super(`case ${caseId} changed since it was read; nothing was written`);
    this.name = 'StaleCaseError';
  }
}

export interface CaseWrite {
  case: Case;
  entry: HistoryEntry;
  setTimers?: Timer[];
  cancelTimers?: string[];
  outbox?: OutboxItem[];
}

export interface CaseWithHistory {
  case: Case;
  history: HistoryEntry[];
  timers: Timer[];
}

export class CaseStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    readonly tableName: string,
    readonly districtId: string,
  ) {}

  /** Creates a case with its first history entry, timers and reminder intents, all or nothing. */
  async create(w: CaseWrite): Promise<void> {
    if (w.case.version !== 1 || w.entry.seq !== 1) throw new Error('a new case starts at version 1 with history entry 1');
    await this.transact(w, { ConditionExpression: 'attribute_not_exists(PK)' });
  }

  /**
   * Replaces the case if it is still at `expectedVersion`, appending one history entry and
   * applying its timer and outbox effects in the same transaction.
   */
  async change(expectedVersion: number, w: CaseWrite): Promise<void> {
    if (w.case.version !== expectedVersion + 1 || w.entry.seq !== w.case.version)
      throw new Error('a change moves the case one version on and appends the matching history entry');
    await this.transact(w, {
      ConditionExpression: 'version = :expected',
      ExpressionAttributeValues: { ':expected': expectedVersion },
    });
  }

  private async transact(w: CaseWrite, caseCondition: { ConditionExpression: string; ExpressionAttributeValues?: Record<string, unknown> }) {
    const notExists = { ConditionExpression: 'attribute_not_exists(PK)' };
    const items = [
      { Put: { TableName: this.tableName, Item: caseItem(w.case, this.districtId), ...caseCondition } },
      { Put: { TableName: this.tableName, Item: historyItem(w.entry), ...notExists } },
      ...(w.cancelTimers ?? []).map((kind) => ({ Delete: { TableName: this.tableName, Key: keys.timer(w.case.caseId, kind) } })),
      ...(w.setTimers ?? []).map((t) => ({ Put: { TableName: this.tableName, Item: timerItem(t) } })),
      ...(w.outbox ?? []).map((o) => ({ Put: { TableName: this.tableName, Item: outboxItem(o), ...notExists } })),
    ];
    try {
      await this.doc.send(new TransactWriteCommand({ TransactItems: items }));
    } catch (err) {
      if (err instanceof TransactionCanceledException) {
        throw new StaleCaseError(w.case.caseId, (err.CancellationReasons ?? []).map((r) => r.Code ?? 'None'));
      }
      throw err;
    }
  }

  async get(caseId: string, consistent = false): Promise<Case | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: keys.case(caseId), ConsistentRead: consistent }));
    return out.Item ? strip<Case>(out.Item) : undefined;
  }

  /** The case, its history in order and its pending timers: one partition, one Query. */
  async getWithHistory(caseId: string): Promise<CaseWithHistory | undefined> {
    const items = await this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: 'PK = :pk',
      ExpressionAttributeValues: { ':pk': keys.case(caseId).PK },
      ConsistentRead: true,
    });
    const caseRow = items.find((i) => i.SK === 'CASE');
    if (!caseRow) return undefined;
    return {
      case: strip<Case>(caseRow),
      history: items.filter((i) => String(i.SK).startsWith('H#')).map((i) => strip<HistoryEntry>(i)),
      timers: items.filter((i) => String(i.SK).startsWith('TIMER#')).map((i) => strip<Timer>(i)),
    };
  }

  /** One queue (org unit + status), soonest due first. */
  listQueue(orgUnitId: string, status: CaseStatus, page: { limit?: number; cursor?: string } = {}): Promise<Page<Case>> {
    const idx = INDEXES.queue;
    return this.page(
      {
        IndexName: idx.name,
        KeyConditionExpression: `${idx.pk} = :pk`,
        ExpressionAttributeValues: { ':pk': keys.queue(orgUnitId, status) },
      },
      page,
    );
  }

  /**
   * Open cases owned under an org unit (the unit itself and all beneath it), soonest due first;
   * with `dueBefore`, only those due before that instant: the overdue list.
   */
  listOpenUnder(
    orgUnit: { id: string; kind: OrgUnitKind },
    opts: { dueBefore?: Instant; limit?: number; cursor?: string } = {},
  ): Promise<Page<Case>> {
    const idx = orgUnit.kind === 'district' ? INDEXES.district : orgUnit.kind === 'street' ? INDEXES.street : INDEXES.owner;
    const values: Record<string, unknown> = { ':pk': keys.open(orgUnit.id) };
    let condition = `${idx.pk} = :pk`;
    if (opts.dueBefore) {
      condition += ` AND ${idx.sk} < :before`;
      values[':before'] = opts.dueBefore;
    }
    return this.page({ IndexName: idx.name, KeyConditionExpression: condition, ExpressionAttributeValues: values }, opts);
  }

  /** A subject's cases with the given status, soonest due first. */
  async listForSubject(subjectId: string, status: CaseStatus = 'open'): Promise<Case[]> {
    const idx = INDEXES.subject;
    const items = await this.queryAll({
      TableName: this.tableName,
      IndexName: idx.name,
      KeyConditionExpression: `${idx.pk} = :pk AND begins_with(${idx.sk}, :status)`,
      ExpressionAttributeValues: { ':pk': keys.casesOfSubject(subjectId), ':status': `${status}#` },
    });
    return items.map((i) => strip<Case>(i));
  }

  /** Pending timers due at or before `now`, oldest first, across the due shards. */
  async dueTimers(now: Instant, limitPerShard = 100): Promise<Timer[]> {
    const idx = INDEXES.due;
    const pages = await Promise.all(
      Array.from({ length: DUE_SHARDS }, (_, shard) =>
        this.doc.send(
          new QueryCommand({
            TableName: this.tableName,
            IndexName: idx.name,
            KeyConditionExpression: `${idx.pk} = :pk AND ${idx.sk} < :upTo`,
            ExpressionAttributeValues: { ':pk': keys.dueTimers(shard), ':upTo': upTo(now) },
            Limit: limitPerShard,
          }),
        ),
      ),
    );
    return pages
      .flatMap((p) => (p.Items ?? []).map((i) => strip<Timer>(i)))
      .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : 0));
  }

  /**
   * Claims a due timer: removes it from the due index if it is still the same timer.
   * Returns false when another sweeper (or a re-set) got there first.
   */
  async claimTimer(t: Timer, now: Instant): Promise<boolean> {
    const idx = INDEXES.due;
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.timer(t.caseId, t.kind),
          UpdateExpression: `REMOVE ${idx.pk}, ${idx.sk} SET claimedAt = :now`,
          ConditionExpression: `attribute_exists(${idx.pk}) AND #at = :at AND setByVersion = :v`,
          ExpressionAttributeNames: { '#at': 'at' },
          ExpressionAttributeValues: { ':at': t.at, ':v': t.setByVersion, ':now': now },
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  /** A staff member's reminders not yet sent, soonest first. */
  async pendingReminders(staffId: string): Promise<OutboxItem[]> {
    const idx = INDEXES.subject;
    const items = await this.queryAll({
      TableName: this.tableName,
      IndexName: idx.name,
      KeyConditionExpression: `${idx.pk} = :pk AND begins_with(${idx.sk}, :state)`,
      ExpressionAttributeValues: { ':pk': keys.remindersOf(staffId), ':state': 'pending#' },
    });
    return items.map((i) => strip<OutboxItem>(i));
  }

  private async page(input: Omit<QueryCommandInput, 'TableName'>, page: { limit?: number; cursor?: string }): Promise<Page<Case>> {
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        ...input,
        Limit: Math.min(Math.max(page.limit ?? 50, 1), 500),
        ExclusiveStartKey: decodeCursor(page.cursor),
      }),
    );
    const cursor = encodeCursor(out.LastEvaluatedKey);
    return { items: (out.Items ?? []).map((i) => strip<Case>(i)), ...(cursor ? { cursor } : {}) };
  }

  private async queryAll(input: QueryCommandInput): Promise<Item[]> {
    const items: Item[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const out = await this.doc.send(new QueryCommand({ ...input, ExclusiveStartKey: start }));
      items.push(...((out.Items ?? []) as Item[]));
      start = out.LastEvaluatedKey;
    } while (start);
    return items;
  }
}
