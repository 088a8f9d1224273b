// The register: org units, staff and subjects of one district, and the seed marker.
import { BatchWriteCommand, GetCommand, PutCommand, QueryCommand, TransactWriteCommand, UpdateCommand, type DynamoDBDocumentClient, type PutCommandInput } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException, TransactionCanceledException } from '@aws-sdk/client-dynamodb';
import type { Staff, Subject } from '../domain/people';
import type { OrgUnit, OrgUnitKind, Territory } from '../domain/territory';
import { keys, strip, subjectItem, upTo, type Item } from './keys';
import { BadCursorError, decodeCursor, encodeCursor, isIndexKey, type Page } from './paging';
import { batchGetAll, queryAll } from './query';
import { INDEXES } from './table-design';

export interface SeedMarker {
  districtId: string;
  configHash: string;
  counts: Record<string, number>;
  seededAt: string;
}

export class SeedConflictError extends Error {
  constructor(districtId: string) {
    super(`district ${districtId} is being seeded by another process, or was seeded meanwhile`);
    this.name = 'SeedConflictError';
  }
}

const BATCH = 25;

export class RegisterStore {
  constructor(
    private readonly doc: DynamoDBDocumentClient,
    readonly tableName: string,
    readonly districtId: string,
  ) {}

  /**
   * Writes items in batches of 25, `concurrency` batches at a time, retrying unprocessed items
   * with backoff. Keys are deterministic, so a repeated write overwrites and never duplicates.
   */
  async putMany(items: Item[], opts: { concurrency?: number; onProgress?: (written: number) => void } = {}): Promise<void> {
    const batches: Item[][] = [];
    for (let i = 0; i < items.length; i += BATCH) batches.push(items.slice(i, i + BATCH));
    let next = 0;
    let written = 0;
    const worker = async () => {
      while (next < batches.length) {
        const batch = batches[next++]!;
        await this.writeBatch(batch);
        written += batch.length;
        opts.onProgress?.(written);
      }
    };
    await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 8, batches.length) }, worker));
  }

  private async writeBatch(batch: Item[]): Promise<void> {
    let pending: unknown[] = batch.map((Item) => ({ PutRequest: { Item } }));
    for (let attempt = 0; pending.length > 0; attempt++) {
      if (attempt > 8) throw new Error(`${pending.length} items stayed unprocessed after ${attempt} attempts`);
      if (attempt > 0) await new Promise((r) => setTimeout(r, Math.min(50 * 2 ** attempt, 2000)));
      const out = await this.doc.send(new BatchWriteCommand({ RequestItems: { [this.tableName]: pending as never } }));
      pending = out.UnprocessedItems?.[this.tableName] ?? [];
    }
  }

  async orgTree(): Promise<OrgUnit[]> {
    const out: OrgUnit[] = [];
    let start: Record<string, unknown> | undefined;
    do {
      const page = await this.doc.send(
        new QueryCommand({
          TableName: this.tableName,
          KeyConditionExpression: 'PK = :pk AND begins_with(SK, :org)',
          ExpressionAttributeValues: { ':pk': `DISTRICT#${this.districtId}`, ':org': 'ORG#' },
          ExclusiveStartKey: start,
        }),
      );
      out.push(...(page.Items ?? []).map((i) => strip<OrgUnit>(i)));
      start = page.LastEvaluatedKey;
    } while (start);
    return out;
  }

  async getOrgUnit(id: string): Promise<OrgUnit | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: keys.orgUnit(this.districtId, id) }));
    return out.Item ? strip<OrgUnit>(out.Item) : undefined;
  }

  async getStaff(id: string): Promise<Staff | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: keys.staff(id) }));
    return out.Item ? strip<Staff>(out.Item) : undefined;
  }

  /** Every staff member of the district, by org unit (one partition of GSI4, read whole). */
  async listAllStaff(): Promise<Staff[]> {
    const idx = INDEXES.district;
    const items = await queryAll(this.doc, { TableName: this.tableName, IndexName: idx.name, KeyConditionExpression: `${idx.pk} = :pk`, ExpressionAttributeValues: { ':pk': keys.allStaff() } });
    return items.map((i) => strip<Staff>(i));
  }

  async listStaff(orgUnitId: string): Promise<Staff[]> {
    const idx = INDEXES.queue;
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: idx.name,
        KeyConditionExpression: `${idx.pk} = :pk`,
        ExpressionAttributeValues: { ':pk': keys.staffOf(orgUnitId) },
      }),
    );
    return (out.Items ?? []).map((i) => strip<Staff>(i));
  }

  async getSubject(id: string): Promise<Subject | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: keys.subject(id) }));
    return out.Item ? strip<Subject>(out.Item) : undefined;
  }

  /**
   * Writes a subject's record (built with subjectItem, listed where she is managed) only if it still stands as read:
   * `before` absent → only if she is still absent; otherwise the same class, community, unit, implant, registration
   * date and mark, still on the register. False when it changed meanwhile.
   */
  async putSubjectIfUnchanged(before: Subject | undefined, after: Subject, territory: Pick<Territory, 'streetOf' | 'districtId'>): Promise<boolean> {
    const item = subjectItem(after, territory);
    let condition: Pick<PutCommandInput, 'ConditionExpression' | 'ExpressionAttributeNames' | 'ExpressionAttributeValues'>;
    if (!before) condition = { ConditionExpression: 'attribute_not_exists(PK)' };
    else {
      const names: Record<string, string> = { '#left': 'leftOn' };
      const values: Record<string, unknown> = {};
      const parts = ['attribute_exists(PK)', 'attribute_not_exists(#left)'];
      const fields = { class: before.class, communityId: before.communityId, unitId: before.unitId, implantUntil: before.implantUntil, registeredOn: before.registeredOn, notDueUntil: before.notDueUntil };
      Object.entries(fields).forEach(([field, value], i) => {
        names[`#f${i}`] = field;
        if (value === undefined) parts.push(`attribute_not_exists(#f${i})`);
        else (values[`:f${i}`] = value), parts.push(`#f${i} = :f${i}`);
      });
      condition = { ConditionExpression: parts.join(' AND '), ExpressionAttributeNames: names, ...(Object.keys(values).length ? { ExpressionAttributeValues: values } : {}) };
    }
    try {
      await this.doc.send(new PutCommand({ TableName: this.tableName, Item: item, ...condition }));
      return true;
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) return false;
      throw err;
    }
  }

  /** Subjects managed by a community or unit, or living/employed under a street or the district. */
  async listSubjects(orgUnit: { id: string; kind: OrgUnitKind }, page: { limit?: number; cursor?: string } = {}): Promise<Page<Subject>> {
    const idx = orgUnit.kind === 'district' ? INDEXES.district : orgUnit.kind === 'street' ? INDEXES.street : INDEXES.queue;
    const start = decodeCursor(page.cursor);
    // A cursor is the key of an item of this very partition (table and index keys, nothing else): a forged one is a 400, not a DynamoDB error.
    if (start && (start[idx.pk] !== keys.subjectsOf(orgUnit.id) || !isIndexKey(start, idx))) throw new BadCursorError();
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: idx.name,
        KeyConditionExpression: `${idx.pk} = :pk`,
        ExpressionAttributeValues: { ':pk': keys.subjectsOf(orgUnit.id) },
        Limit: Math.min(Math.max(page.limit ?? 50, 1), 500),
        ExclusiveStartKey: start,
      }),
    );
    const cursor = encodeCursor(out.LastEvaluatedKey);
    return { items: (out.Items ?? []).map((i) => strip<Subject>(i)), ...(cursor ? { cursor } : {}) };
  }

  /** Many subjects by id (BatchGetItem, consistent: imports write on what they read); absent ids are left out. */
  async getSubjects(ids: string[]): Promise<Map<string, Subject>> {
    const items = await batchGetAll(this.doc, this.tableName, [...new Set(ids)].map((id) => keys.subject(id)));
    return new Map(items.map((item) => [String(item.subjectId), strip<Subject>(item)]));
  }

  // --- "Not due until" marks (functions/app/not-due-marks.ts) ----------------------------------

  /** Subjects whose mark's date is on or before `date` (GSI6 `DUE#NOTDUE`), earliest first, paged. */
  async listExpiredNotDueMarks(date: string, page: { limit?: number; cursor?: string } = {}): Promise<Page<Subject & { notDueUntil: string }>> {
    const idx = INDEXES.due;
    const start = decodeCursor(page.cursor);
    if (start && (start[idx.pk] !== keys.notDueMarks() || !isIndexKey(start, idx))) throw new BadCursorError();
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: idx.name,
        KeyConditionExpression: `${idx.pk} = :pk AND ${idx.sk} < :upTo`,
        ExpressionAttributeValues: { ':pk': keys.notDueMarks(), ':upTo': upTo(date) },
        Limit: Math.min(Math.max(page.limit ?? 100, 1), 500),
        ExclusiveStartKey: start,
      }),
    );
    const cursor = encodeCursor(out.LastEvaluatedKey);
    return { items: (out.Items ?? []).map((i) => strip<Subject & { notDueUntil: string }>(i)), ...(cursor ? { cursor } : {}) };
  }

  /**
   * Clears a subject's mark, with its audit entry, in one transaction: removes `notDueUntil` and her GSI6 entry only if
   * the mark is still the one dated `date` (not one set again meanwhile), and puts `audit` only if absent. False if the
   * condition failed (nothing written).
   */
  async clearNotDueMark(subjectId: string, date: string, audit: Item): Promise<boolean> {
    const idx = INDEXES.due;
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            {
              Update: {
                TableName: this.tableName,
                Key: keys.subject(subjectId),
                UpdateExpression: `REMOVE notDueUntil, ${idx.pk}, ${idx.sk}`,
                ConditionExpression: 'notDueUntil = :date',
                ExpressionAttributeValues: { ':date': date },
              },
            },
            { Put: { TableName: this.tableName, Item: audit, ConditionExpression: 'attribute_not_exists(PK)' } },
          ],
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof TransactionCanceledException && !(err.CancellationReasons ?? []).some((r) => r.Code === 'TransactionConflict' || r.Code === 'ThrottlingError')) return false;
      throw err;
    }
  }

  // --- Leaving the register and retention (functions/app/retention.ts) ---------------------------

  /**
   * Marks a subject as having left the register on `leftOn` (moved out of the district, aged out),
   * as one conditional update: only a subject on the register and not already left. She leaves
   * every org unit's and street's subject list (no new health checks or notices) and is listed
   * under LEFT#<district> by that date. Her cases are not touched.
   */
  async markSubjectLeft(subjectId: string, leftOn: string, leftReason: string): Promise<'marked' | 'already' | 'not_found' | 'left_on_another_date'> {
    const { queue, street, district } = INDEXES;
    try {
      await this.doc.send(
        new UpdateCommand({
          TableName: this.tableName,
          Key: keys.subject(subjectId),
          UpdateExpression: `SET leftOn = :on, leftReason = :reason, ${district.pk} = :left, ${district.sk} = :sk REMOVE ${queue.pk}, ${queue.sk}, ${street.pk}, ${street.sk}`,
          ConditionExpression: 'attribute_exists(PK) AND attribute_not_exists(leftOn)',
          ExpressionAttributeValues: { ':on': leftOn, ':reason': leftReason, ':left': keys.leftSubjects(this.districtId), ':sk': `${leftOn}#${subjectId}` },
        }),
      );
      return 'marked';
    } catch (err) {
      if (!(err instanceof ConditionalCheckFailedException)) throw err;
      const now = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: keys.subject(subjectId), ConsistentRead: true }));
      if (!now.Item) return 'not_found';
      return now.Item.leftOn === leftOn ? 'already' : 'left_on_another_date';
    }
  }

  /** Subjects who left the register on or before `date`, oldest first (GSI4 `LEFT#<district>`), paged. */
  async listLeftSubjects(date: string, page: { limit?: number; cursor?: string } = {}): Promise<Page<Subject & { leftOn: string }>> {
    const idx = INDEXES.district;
    const start = decodeCursor(page.cursor);
    if (start && (start[idx.pk] !== keys.leftSubjects(this.districtId) || !isIndexKey(start, idx))) throw new BadCursorError();
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: idx.name,
        KeyConditionExpression: `${idx.pk} = :pk AND ${idx.sk} < :upTo`,
        ExpressionAttributeValues: { ':pk': keys.leftSubjects(this.districtId), ':upTo': upTo(date) },
        Limit: Math.min(Math.max(page.limit ?? 100, 1), 500),
        ExclusiveStartKey: start,
      }),
    );
    const cursor = encodeCursor(out.LastEvaluatedKey);
    return { items: (out.Items ?? []).map((i) => strip<Subject & { leftOn: string }>(i)), ...(cursor ? { cursor } : {}) };
  }

  /**
   * Erases a subject's record, keeping only the attributes named in `keep`: one transaction that
   * deletes the subject item, on the condition that she is still the one who left on `leftOn`, and
   * puts what is kept under `SUBJECT#<id>` / `ERASED` with `erasedOn`. The record is rebuilt from
   * the allowed list, not stripped of a deny list, so a field added later (a name from an import)
   * goes too. False if the condition failed (she came back or was erased meanwhile): nothing written.
   */
  async eraseSubject(subjectId: string, leftOn: string, keep: readonly string[], erasedOn: string): Promise<boolean> {
    const got = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: keys.subject(subjectId), ConsistentRead: true }));
    if (!got.Item || got.Item.leftOn !== leftOn) return false;
    const kept: Item = { ...keys.erasedSubject(subjectId), entity: 'subject_erased', erasedOn };
    for (const k of keep) if (k in got.Item && !(k in kept)) kept[k] = got.Item[k];
    try {
      await this.doc.send(
        new TransactWriteCommand({
          TransactItems: [
            { Delete: { TableName: this.tableName, Key: keys.subject(subjectId), ConditionExpression: 'leftOn = :on', ExpressionAttributeValues: { ':on': leftOn } } },
            // Replaces an earlier erasure's record (she came back, left again, and was erased again).
            { Put: { TableName: this.tableName, Item: kept } },
          ],
        }),
      );
      return true;
    } catch (err) {
      if (err instanceof TransactionCanceledException && !(err.CancellationReasons ?? []).some((r) => r.Code === 'TransactionConflict' || r.Code === 'ThrottlingError')) return false;
      throw err;
    }
  }

  /** What was kept of an erased subject, if she was erased. */
  async getErasedSubject(subjectId: string): Promise<Item | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: keys.erasedSubject(subjectId), ConsistentRead: true }));
    return out.Item ? strip<Item>(out.Item) : undefined;
  }

  async getSeedMarker(): Promise<SeedMarker | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: keys.seedMarker(this.districtId), ConsistentRead: true }));
    return out.Item ? strip<SeedMarker>(out.Item) : undefined;
  }

  /** Writes the marker only if the marker is still the one read before seeding began. */
  async putSeedMarker(marker: SeedMarker, previousHash: string | undefined): Promise<void> {
    try {
      await this.doc.send(
        new PutCommand({
          TableName: this.tableName,
          Item: { ...keys.seedMarker(this.districtId), entity: 'seed_marker', ...marker },
          ...(previousHash
            ? { ConditionExpression: 'configHash = :prev', ExpressionAttributeValues: { ':prev': previousHash } }
            : { ConditionExpression: 'attribute_not_exists(PK)' }),
        }),
      );
    } catch (err) {
      if (err instanceof ConditionalCheckFailedException) throw new SeedConflictError(this.districtId);
      throw err;
    }
  }

  /** A local runtime's own bookkeeping (e.g. how far its scheduled jobs have run); never used on AWS. */
  async getLocalMarker(name: string): Promise<string | undefined> {
    const out = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: keys.localMarker(name), ConsistentRead: true }));
    return typeof out.Item?.value === 'string' ? out.Item.value : undefined;
  }

  async putLocalMarker(name: string, value: string): Promise<void> {
    await this.doc.send(new PutCommand({ TableName: this.tableName, Item: { ...keys.localMarker(name), entity: 'local_marker', value } }));
  }
}
