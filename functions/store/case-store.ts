// Cases, their history, timers and reminder intents in the district table.
import {
  DeleteCommand,
  GetCommand,
  QueryCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { Case, CaseStatus, HistoryEntry } from '../domain/case';
import type { OrgUnitKind } from '../domain/territory';
import type { Instant } from '../domain/time';
import {
  DUE_SHARDS,
  caseItem,
  feedbackItem,
  type FeedbackItem,
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
import { BadCursorError, decodeCursor, encodeCursor, type Page } from './paging';
import { INDEXES } from './table-design';

/** The case changed since it was read: nothing was written; re-read and decide again. */
export class StaleCaseError extends Error {
  constructor(readonly caseId: string, readonly reasons: string[]) {
    super(`case ${caseId} changed since it was read; nothing was written`);
    this.name = 'StaleCaseError';
  }
}

/** One new or changed case with everything its change causes. */
export interface CaseWrite {
  case: Case;
  entry: HistoryEntry;
  /** Absent: the case is new (written only if no case has its id). */
  expectedVersion?: number;
  setTimers?: Timer[];
  /** Timers to delete; with `at`, only if the timer is still the one due then (the sweeper's claim). */
  deleteTimers?: { timerId: string; at?: Instant }[];
  outbox?: OutboxItem[];
}

/** Everything one command changes, written in one transaction: all of it or none of it. */
export interface Commit {
  cases: CaseWrite[];
  /** Subjects whose managing org changed; written only if they still exist. */
  subjects?: Item[];
  feedback?: FeedbackItem[];
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
  async create(w: Omit<CaseWrite, 'expectedVersion'>): Promise<void> {
    await this.commit({ cases: [w] });
  }

  /** Replaces the case if it is still at `expectedVersion`, with its history entry and effects. */
  async change(expectedVersion: number, w: Omit<CaseWrite, 'expectedVersion'>): Promise<void> {
    await this.commit({ cases: [{ ...w, expectedVersion }] });
  }

  /**
   * Writes a commit as one TransactWriteItems. Every case write is conditional (new: must not
   * exist; changed: must still be at the version read), history and reminders are put only if
   * absent, so a stale or repeated commit is cancelled whole and changes nothing.
   */
  async commit(c: Commit): Promise<void> {
    const T = this.tableName;
    const notExists = { ConditionExpression: 'attribute_not_exists(PK)' };
    const items: Record<string, unknown>[] = [];
    for (const w of c.cases) {
      const { case: kase, entry } = w;
      if (w.expectedVersion === undefined) {
        if (kase.version !== 1 || entry.seq !== 1) throw new Error('a new case starts at version 1 with history entry 1');
        items.push({ Put: { TableName: T, Item: caseItem(kase, this.districtId), ...notExists } });
      } else {
        if (kase.version !== w.expectedVersion + 1 || entry.seq !== kase.version)
          throw new Error('a change moves the case one version on and appends the matching history entry');
        items.push({
          Put: {
            TableName: T,
            Item: caseItem(kase, this.districtId),
            ConditionExpression: 'version = :expected',
            ExpressionAttributeValues: { ':expected': w.expectedVersion },
          },
        });
      }
      items.push({ Put: { TableName: T, Item: historyItem(entry), ...notExists } });
      const setIds = new Set((w.setTimers ?? []).map((t) => t.timerId));
      for (const d of w.deleteTimers ?? []) {
        if (setIds.has(d.timerId)) continue; // replaced below by its new value
        items.push({
          Delete: {
            TableName: T,
            Key: keys.timer(kase.caseId, d.timerId),
            ...(d.at ? { ConditionExpression: '#at = :at', ExpressionAttributeNames: { '#at': 'at' }, ExpressionAttributeValues: { ':at': d.at } } : {}),
          },
        });
      }
      for (const t of w.setTimers ?? []) {
        const claimed = w.deleteTimers?.find((d) => d.timerId === t.timerId && d.at);
        items.push({
          Put: {
            TableName: T,
            Item: timerItem(t),
            ...(claimed ? { ConditionExpression: '#at = :at', ExpressionAttributeNames: { '#at': 'at' }, ExpressionAttributeValues: { ':at': claimed.at } } : {}),
          },
        });
      }
      for (const o of w.outbox ?? []) items.push({ Put: { TableName: T, Item: outboxItem(o), ...notExists } });
    }
    for (const s of c.subjects ?? []) items.push({ Put: { TableName: T, Item: s, ConditionExpression: 'attribute_exists(PK)' } });
    for (const f of c.feedback ?? []) items.push({ Put: { TableName: T, Item: feedbackItem(f), ...notExists } });
    if (items.length > 100) throw new Error(`a commit of ${items.length} writes exceeds one transaction`);
    try {
      await this.doc.send(new TransactWriteCommand({ TransactItems: items as never }));
    } catch (err) {
      if (err instanceof TransactionCanceledException) {
        const reasons = (err.CancellationReasons ?? []).map((r) => r.Code ?? 'None');
        // A conflict with another transaction in flight is transient: the caller retries it as such.
        if (reasons.includes('TransactionConflict') && !reasons.includes('ConditionalCheckFailed')) throw err;
        throw new StaleCaseError(c.cases[0]?.case.caseId ?? '', reasons);
      }
      throw err;
    }
  }

  /** A case's pending timers (consistent). */
  async timersOf(caseId: string): Promise<Timer[]> {
    const items = await this.queryAll({
      TableName: this.tableName,
      KeyConditionExpression: 'PK = :pk AND begins_with(SK, :t)',
      ExpressionAttributeValues: { ':pk': keys.case(caseId).PK, ':t': 'TIMER#' },
      ConsistentRead: true,
    });
    return items.map((i) => strip<Timer>(i));
  }

  /** Deletes a timer if it is still the one due at its `at` (a timer whose command no longer applies). */
  async deleteTimer(t: Pick<Timer, 'caseId' | 'timerId' | 'at'>): Promise<boolean> {
    try {
      await this.doc.send(
        new DeleteCommand({
          TableName: this.tableName,
          Key: keys.timer(t.caseId, t.timerId),
          ConditionExpression: '#at = :at',
          ExpressionAttributeNames: { '#at': 'at' },
          ExpressionAttributeValues: { ':at': t.at },
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  async getTimer(caseId: string, timerId: string): Promise<Timer | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: keys.timer(caseId, timerId), ConsistentRead: true }));
    return out.Item ? strip<Timer>(out.Item) : undefined;
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
   * with `dueBefore`, only those due before that instant: the overdue list. A street also sees the
   * handovers that moved out of it to another street. The cursor is the last sort key returned.
   */
  async listOpenUnder(
    orgUnit: { id: string; kind: OrgUnitKind },
    opts: { dueBefore?: Instant; limit?: number; cursor?: string } = {},
  ): Promise<Page<Case>> {
    const limit = Math.min(Math.max(opts.limit ?? 50, 1), 500);
    const indexes = orgUnit.kind === 'district' ? [INDEXES.district] : orgUnit.kind === 'street' ? [INDEXES.street, INDEXES.sendingStreet] : [INDEXES.owner];
    let after: string | undefined;
    if (opts.cursor) {
      const a = decodeCursor(opts.cursor)?.after;
      if (typeof a !== 'string') throw new BadCursorError();
      after = a;
    }
    if (after !== undefined && opts.dueBefore && after >= opts.dueBefore) return { items: [] };
    const streams = await Promise.all(
      indexes.map(async (idx) => {
        const values: Record<string, unknown> = { ':pk': keys.open(orgUnit.id) };
        let condition = `${idx.pk} = :pk`;
        if (after !== undefined && opts.dueBefore) {
          condition += ` AND ${idx.sk} BETWEEN :after AND :before`;
          Object.assign(values, { ':after': `${after}\u0000`, ':before': opts.dueBefore });
        } else if (after !== undefined) {
          condition += ` AND ${idx.sk} > :after`;
          values[':after'] = after;
        } else if (opts.dueBefore) {
          condition += ` AND ${idx.sk} < :before`;
          values[':before'] = opts.dueBefore;
        }
        const out = await this.doc.send(
          new QueryCommand({ TableName: this.tableName, IndexName: idx.name, KeyConditionExpression: condition, ExpressionAttributeValues: values, Limit: limit }),
        );
        return { items: (out.Items ?? []) as Item[], more: !!out.LastEvaluatedKey, sk: idx.sk };
      }),
    );
    const merged = streams
      .flatMap((s) => s.items.map((item) => ({ item, key: String(item[s.sk]) })))
      .sort((a, b) => (a.key < b.key ? -1 : a.key > b.key ? 1 : 0));
    const page = merged.slice(0, limit);
    const more = merged.length > limit || streams.some((s) => s.more);
    const last = page.at(-1);
    return { items: page.map((p) => strip<Case>(p.item)), ...(more && last ? { cursor: encodeCursor({ after: last.key }) } : {}) };
  }

  /** Cases owned under an org unit that closed in [from, to], oldest first (reports). */
  async listClosedUnder(orgUnit: { id: string; kind: OrgUnitKind }, from: Instant, to: Instant): Promise<Case[]> {
    const idx = orgUnit.kind === 'district' ? INDEXES.district : orgUnit.kind === 'street' ? INDEXES.street : INDEXES.owner;
    const items = await this.queryAll({
      TableName: this.tableName,
      IndexName: idx.name,
      KeyConditionExpression: `${idx.pk} = :pk AND ${idx.sk} BETWEEN :from AND :to`,
      ExpressionAttributeValues: { ':pk': keys.closed(orgUnit.id), ':from': from, ':to': `${to}~` },
    });
    return items.map((i) => strip<Case>(i));
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
      .sort((a, b) => (a.at < b.at ? -1 : a.at > b.at ? 1 : a.timerId < b.timerId ? -1 : 1));
  }

  /** Certificate-check feedback for regions of origin not yet sent. */
  async pendingFeedback(): Promise<FeedbackItem[]> {
    const idx = INDEXES.due;
    const pages = await Promise.all(
      Array.from({ length: DUE_SHARDS }, (_, shard) =>
        this.queryAll({
          TableName: this.tableName,
          IndexName: idx.name,
          KeyConditionExpression: `${idx.pk} = :pk`,
          ExpressionAttributeValues: { ':pk': keys.dueFeedback(shard) },
        }),
      ),
    );
    return pages.flat().map((i) => strip<FeedbackItem>(i));
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
