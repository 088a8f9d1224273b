// Cases, their history, timers and reminder intents in the district table.
import {
  GetCommand,
  PutCommand,
  QueryCommand,
  TransactWriteCommand,
  type DynamoDBDocumentClient,
  type QueryCommandInput,
} from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { Case, CaseStatus, CaseType, HistoryEntry } from '../domain/case';
import type { OrgUnitKind } from '../domain/territory';
import type { Instant } from '../domain/time';
import {
  DUE_SHARDS,
  caseItem,
  caseFromItem,
  type StoredCase,
  feedbackItem,
  type FeedbackItem,
  historyItem,
  keys,
  outboxItem,
  strip,
  timersOfItem,
  type CaseTimer,
  byDue,
  type IdempotencyRecord,
  type Item,
  type OutboxItem,
  type Timer,
} from './keys';
import { BadCursorError, decodeCursor, encodeCursor, type Page } from './paging';
import { batchGetAll, queryAll, queryDue } from './query';
import { INDEXES } from './table-design';

export type { StoredCase };

/** A filtered page reads at most this many index pages before it returns short (with a cursor). */
const FILL_ROUNDS = 20;
/** Items read per index page while filling a filtered page. */
const FILL_READ = 100;

function typeFilter(type: CaseType | undefined, values: Record<string, unknown>): Pick<QueryCommandInput, 'FilterExpression' | 'ExpressionAttributeNames'> {
  if (!type) return {};
  values[':type'] = type;
  return { FilterExpression: '#type = :type', ExpressionAttributeNames: { '#type': 'type' } };
}

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
  /**
   * The case's pending timers after the change, all of them: they are kept on the case item, so setting, cancelling
   * and firing one (the sweeper's claim) is part of the same version-conditional write.
   */
  timers: CaseTimer[];
  outbox?: OutboxItem[];
}

/** Everything one command changes, written in one transaction: all of it or none of it. */
export interface Commit {
  cases: CaseWrite[];
  /** Subjects whose managing org changed; written only if they still exist. */
  subjects?: Item[];
  feedback?: FeedbackItem[];
  /** Other new items written with the change, each only if absent (an API idempotency record). */
  puts?: Item[];
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
    const items = this.transactItems(c);
    if (items.length > 100) throw new Error(`a commit of ${items.length} writes exceeds one transaction`);
    try {
      await this.doc.send(new TransactWriteCommand({ TransactItems: items as never }));
    } catch (err) {
      if (err instanceof TransactionCanceledException) {
        const reasons = (err.CancellationReasons ?? []).map((r) => r.Code ?? 'None');
        // Only a failed condition means the case moved on; a conflict or throttle is transient and
        // goes back to the caller's retry with backoff.
        if (!reasons.includes('ConditionalCheckFailed')) throw err;
        throw new StaleCaseError(c.cases[0]?.case.caseId ?? '', reasons);
      }
      throw err;
    }
  }

  /** How many writes a commit takes (a transaction holds at most 100). */
  writesOf(c: Commit): number {
    return this.transactItems(c).length;
  }

  private transactItems(c: Commit): Record<string, unknown>[] {
    const T = this.tableName;
    const notExists = { ConditionExpression: 'attribute_not_exists(PK)' };
    const items: Record<string, unknown>[] = [];
    for (const w of c.cases) {
      const { case: kase, entry } = w;
      const item = caseItem({ ...kase, timers: w.timers }, this.districtId);
      if (w.expectedVersion === undefined) {
        if (kase.version !== 1 || entry.seq !== 1) throw new Error('a new case starts at version 1 with history entry 1');
        items.push({ Put: { TableName: T, Item: item, ...notExists } });
      } else {
        if (kase.version !== w.expectedVersion + 1 || entry.seq !== kase.version)
          throw new Error('a change moves the case one version on and appends the matching history entry');
        items.push({
          Put: {
            TableName: T,
            Item: item,
            ConditionExpression: 'version = :expected',
            ExpressionAttributeValues: { ':expected': w.expectedVersion },
          },
        });
      }
      items.push({ Put: { TableName: T, Item: historyItem(entry), ...notExists } });
      for (const o of w.outbox ?? []) items.push({ Put: { TableName: T, Item: outboxItem(o), ...notExists } });
    }
    for (const s of c.subjects ?? []) items.push({ Put: { TableName: T, Item: s, ConditionExpression: 'attribute_exists(PK)' } });
    for (const f of c.feedback ?? []) items.push({ Put: { TableName: T, Item: feedbackItem(f), ...notExists } });
    for (const p of c.puts ?? []) items.push({ Put: { TableName: T, Item: p, ...notExists } });
    return items;
  }

  /** A case's pending timers, soonest first (consistent). */
  async timersOf(caseId: string): Promise<Timer[]> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: keys.case(caseId), ConsistentRead: true }));
    return out.Item ? timersOfItem(out.Item) : [];
  }

  /**
   * Removes one pending timer without changing the case (a timer whose command no longer applies), if the case is
   * still at the version it was read at: false if it moved on (read again).
   */
  async dropTimer(kase: StoredCase, timerId: string): Promise<boolean> {
    const timers = (kase.timers ?? []).filter((t) => t.timerId !== timerId);
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: caseItem({ ...kase, timers }, this.districtId),
          ConditionExpression: 'version = :v',
          ExpressionAttributeValues: { ':v': kase.version },
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  /** The case as stored: with the ids of its recent commands and its pending timers. */
  async get(caseId: string, consistent = false): Promise<StoredCase | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: keys.case(caseId), ConsistentRead: consistent }));
    return out.Item ? caseFromItem(out.Item) : undefined;
  }

  /** Many cases by id (BatchGetItem, 100 keys a request, consistent); absent ones are left out. */
  async getMany(caseIds: readonly string[]): Promise<Map<string, Case>> {
    const items = await batchGetAll(this.doc, this.tableName, [...new Set(caseIds)].map((id) => keys.case(id)));
    return new Map(items.map((item) => [String(item.caseId), caseFromItem(item)]));
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
      case: caseFromItem(caseRow),
      history: items.filter((i) => String(i.SK).startsWith('H#')).map((i) => strip<HistoryEntry>(i)),
      timers: timersOfItem(caseRow),
    };
  }

  /**
   * One queue (org unit + status), soonest due first. With `dueBefore`, only cases due before that
   * instant (the overdue part of an open queue); with `type`, only that case type. A filtered page
   * is filled from as many index pages as it takes (up to a bound), so pages are full unless the
   * queue ends; the cursor is the key of the last case returned.
   */
  listQueue(
    orgUnitId: string,
    status: CaseStatus,
    page: { limit?: number; cursor?: string; dueBefore?: Instant; type?: CaseType } = {},
  ): Promise<Page<Case>> {
    const idx = INDEXES.queue;
    const values: Record<string, unknown> = { ':pk': keys.queue(orgUnitId, status) };
    let condition = `${idx.pk} = :pk`;
    if (page.dueBefore) {
      condition += ` AND ${idx.sk} < :before`;
      values[':before'] = page.dueBefore;
    }
    return this.filledPage(
      {
        IndexName: idx.name,
        KeyConditionExpression: condition,
        ExpressionAttributeValues: values,
        ...typeFilter(page.type, values),
      },
      idx,
      page,
    );
  }

  /**
   * Closed cases (done or cancelled) owned under an org unit, most recently closed first, optionally
   * of one status and one type: the closed counterpart of listOpenUnder, paged like listQueue.
   */
  listClosedUnderPage(
    orgUnit: { id: string; kind: OrgUnitKind },
    page: { status?: Exclude<CaseStatus, 'open'>; type?: CaseType; limit?: number; cursor?: string } = {},
  ): Promise<Page<Case>> {
    const idx = orgUnit.kind === 'district' ? INDEXES.district : orgUnit.kind === 'street' ? INDEXES.street : INDEXES.owner;
    const values: Record<string, unknown> = { ':pk': keys.closed(orgUnit.id) };
    const filters: string[] = [];
    const names: Record<string, string> = {};
    if (page.status) {
      filters.push('#status = :status');
      names['#status'] = 'status';
      values[':status'] = page.status;
    }
    if (page.type) {
      filters.push('#type = :type');
      names['#type'] = 'type';
      values[':type'] = page.type;
    }
    return this.filledPage(
      {
        IndexName: idx.name,
        KeyConditionExpression: `${idx.pk} = :pk`,
        ExpressionAttributeValues: values,
        ScanIndexForward: false,
        ...(filters.length ? { FilterExpression: filters.join(' AND '), ExpressionAttributeNames: names } : {}),
      },
      idx,
      page,
    );
  }

  /** What an API idempotency key created, if it was used before. */
  async getIdempotency(keyHash: string): Promise<IdempotencyRecord | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: keys.idempotency(keyHash), ConsistentRead: true }));
    return out.Item ? strip<IdempotencyRecord>(out.Item) : undefined;
  }

  /** Remembers an idempotency key on its own (when the case it names existed already); false if the key is taken. */
  async putIdempotency(item: Item): Promise<boolean> {
    try {
      await this.doc.send(new PutCommand({ TableName: this.tableName, Item: item, ConditionExpression: 'attribute_not_exists(PK)' }));
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  /**
   * Open cases owned under an org unit (the unit itself and all beneath it), soonest due first;
   * with `dueBefore`, only those due before that instant: the overdue list. A street also sees the
   * handovers that moved out of it to another street. The cursor is the last sort key returned.
   */
  async listOpenUnder(
    orgUnit: { id: string; kind: OrgUnitKind },
    opts: { dueBefore?: Instant; limit?: number; cursor?: string; type?: CaseType } = {},
  ): Promise<Page<Case>> {
    if (!opts.type) return this.openUnderRound(orgUnit, opts);
    // Filtered: rounds of unfiltered, correctly merged pages; keep the type asked for until the page
    // is full. A page that fills part-way through a round ends after its last case (the cursor is
    // that case's sort key), so nothing is skipped and nothing is repeated.
    const limit = Math.min(Math.max(opts.limit ?? 50, 1), 500);
    const out: Case[] = [];
    let cursor = opts.cursor;
    for (let round = 0; round < FILL_ROUNDS; round++) {
      const page = await this.openUnderRound(orgUnit, { ...opts, limit: Math.max(limit, FILL_READ), cursor });
      for (const c of page.items) {
        if (c.type !== opts.type) continue;
        out.push(c);
        if (out.length === limit) {
          const isLast = c === page.items.at(-1) && !page.cursor;
          return { items: out, ...(isLast ? {} : { cursor: encodeCursor({ after: `${c.dueAt}#${c.caseId}` }) }) };
        }
      }
      if (!page.cursor) return { items: out };
      cursor = page.cursor;
    }
    return { items: out, ...(cursor ? { cursor } : {}) };
  }

  private async openUnderRound(
    orgUnit: { id: string; kind: OrgUnitKind },
    opts: { dueBefore?: Instant; limit?: number; cursor?: string },
  ): Promise<Page<Case>> {
    const limit = Math.min(Math.max(opts.limit ?? 50, 1), 500);
    const indexes = openIndexesOf(orgUnit.kind);
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
    return { items: page.map((p) => caseFromItem(p.item)), ...(more && last ? { cursor: encodeCursor({ after: last.key }) } : {}) };
  }

  /**
   * The open cases of the whole district due before `before`, read once and filed by the index partitions that list
   * them: each scope's answer (a queue, the cases under an org unit) is what listQueue or listOpenUnder would return,
   * without a query per scope. The daily digest asks every staff member's scope.
   */
  async openDueBeforeByScope(before: Instant): Promise<OpenCasesByScope> {
    const cases: Case[] = [];
    let cursor: string | undefined;
    do {
      const page = await this.openUnderRound({ id: this.districtId, kind: 'district' }, { dueBefore: before, limit: 500, ...(cursor ? { cursor } : {}) });
      cases.push(...page.items);
      cursor = page.cursor;
    } while (cursor);
    return new OpenCasesByScope(cases, this.districtId);
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
    return items.map((i) => caseFromItem(i));
  }

  /** A subject's cases with the given status, soonest due first. */
  async listForSubject(subjectId: string, status: CaseStatus = 'open'): Promise<Case[]> {
    const idx = INDEXES.person;
    const items = await this.queryAll({
      TableName: this.tableName,
      IndexName: idx.name,
      KeyConditionExpression: `${idx.pk} = :pk AND begins_with(${idx.sk}, :status)`,
      ExpressionAttributeValues: { ':pk': keys.casesOfSubject(subjectId), ':status': `${status}#` },
    });
    return items.map((i) => caseFromItem(i));
  }

  /**
   * Timers due at or before `now`, oldest first (by instant, then id), of the cases the due index lists as due: up to
   * `limitPerShard` cases per shard, every due timer of each (a case is listed by its earliest timer).
   */
  async dueTimers(now: Instant, limitPerShard = 100): Promise<Timer[]> {
    const cases = await queryDue(this.doc, this.tableName, keys.dueTimers, now, limitPerShard);
    return cases.flatMap((item) => timersOfItem(item).filter((t) => t.at <= now)).sort(byDue);
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
    const idx = INDEXES.person;
    const items = await this.queryAll({
      TableName: this.tableName,
      IndexName: idx.name,
      KeyConditionExpression: `${idx.pk} = :pk AND begins_with(${idx.sk}, :state)`,
      ExpressionAttributeValues: { ':pk': keys.remindersOf(staffId), ':state': 'pending#' },
    });
    return items.map((i) => strip<OutboxItem>(i));
  }

  /**
   * A page of `limit` cases from a Query that may filter: reads index pages until the page is full
   * or the partition ends (at most FILL_ROUNDS reads, then a short page with a cursor). The cursor
   * is the key of the last case returned, or the last key read when the page is short.
   */
  private async filledPage(
    input: Omit<QueryCommandInput, 'TableName'>,
    idx: { pk: string; sk: string },
    page: { limit?: number; cursor?: string },
  ): Promise<Page<Case>> {
    const limit = Math.min(Math.max(page.limit ?? 50, 1), 500);
    const filtered = !!input.FilterExpression;
    const out: Item[] = [];
    let start = decodeCursor(page.cursor);
    if (start) {
      // A cursor is the key of an item of this very partition: anything else is not ours.
      const expected = ['PK', 'SK', idx.pk, idx.sk].sort().join();
      if (Object.keys(start).sort().join() !== expected || start[idx.pk] !== input.ExpressionAttributeValues?.[':pk']) throw new BadCursorError();
    }
    for (let round = 0; round < FILL_ROUNDS; round++) {
      const res = await this.doc.send(
        new QueryCommand({ TableName: this.tableName, ...input, Limit: filtered ? Math.max(limit, FILL_READ) : limit - out.length, ExclusiveStartKey: start }),
      );
      const items = (res.Items ?? []) as Item[];
      for (let i = 0; i < items.length; i++) {
        out.push(items[i]!);
        if (out.length === limit) {
          const more = i < items.length - 1 || !!res.LastEvaluatedKey;
          const last = items[i]!;
          const key = { PK: last.PK, SK: last.SK, [idx.pk]: last[idx.pk], [idx.sk]: last[idx.sk] };
          return { items: out.map((x) => caseFromItem(x)), ...(more ? { cursor: encodeCursor(key)! } : {}) };
        }
      }
      start = res.LastEvaluatedKey;
      if (!start) break;
    }
    const cursor = encodeCursor(start);
    return { items: out.map((x) => caseFromItem(x)), ...(cursor ? { cursor } : {}) };
  }

  private queryAll(input: QueryCommandInput): Promise<Item[]> {
    return queryAll(this.doc, input);
  }

}

/** The indexes whose OPEN#<org unit> partitions hold the open cases under an org unit of this kind. */
function openIndexesOf(kind: OrgUnitKind) {
  return kind === 'district' ? [INDEXES.district] : kind === 'street' ? [INDEXES.street, INDEXES.sendingStreet] : [INDEXES.owner];
}

/** Open cases filed by the index partitions caseItem() puts them in (CaseStore.openDueBeforeByScope). */
export class OpenCasesByScope {
  private readonly byPartition = new Map<string, Case[]>();

  constructor(cases: readonly Case[], districtId: string) {
    for (const c of cases) {
      const item = caseItem(c, districtId);
      for (const idx of [INDEXES.queue, INDEXES.owner, INDEXES.street, INDEXES.district, INDEXES.sendingStreet]) {
        const pk = item[idx.pk];
        if (typeof pk !== 'string') continue;
        const at = `${idx.name}|${pk}`;
        const list = this.byPartition.get(at);
        if (list) list.push(c);
        else this.byPartition.set(at, [c]);
      }
    }
  }

  /** An org unit's open queue, soonest due first (as listQueue). */
  queue(orgUnitId: string): Case[] {
    return this.byPartition.get(`${INDEXES.queue.name}|${keys.queue(orgUnitId, 'open')}`) ?? [];
  }

  /** The open cases under an org unit, soonest due first (as listOpenUnder). */
  under(orgUnit: { id: string; kind: OrgUnitKind }): Case[] {
    const lists = openIndexesOf(orgUnit.kind).map((idx) => this.byPartition.get(`${idx.name}|${keys.open(orgUnit.id)}`) ?? []);
    if (lists.length === 1) return lists[0]!;
    const dueKey = (c: Case) => `${c.dueAt}#${c.caseId}`;
    return lists.flat().sort((a, b) => (dueKey(a) < dueKey(b) ? -1 : dueKey(a) > dueKey(b) ? 1 : 0));
  }
}
