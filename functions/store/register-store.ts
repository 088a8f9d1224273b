// The register: org units, staff and subjects of one district, and the seed marker.
import { BatchWriteCommand, GetCommand, PutCommand, QueryCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import type { Staff, Subject } from '../domain/people';
import type { OrgUnit, OrgUnitKind } from '../domain/territory';
import { keys, strip, type Item } from './keys';
import { decodeCursor, encodeCursor, type Page } from './paging';
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

  /** Subjects managed by a community or unit, or living/employed under a street or the district. */
  async listSubjects(orgUnit: { id: string; kind: OrgUnitKind }, page: { limit?: number; cursor?: string } = {}): Promise<Page<Subject>> {
    const idx = orgUnit.kind === 'district' ? INDEXES.district : orgUnit.kind === 'street' ? INDEXES.street : INDEXES.queue;
    const out = await this.doc.send(
      new QueryCommand({
        TableName: this.tableName,
        IndexName: idx.name,
        KeyConditionExpression: `${idx.pk} = :pk`,
        ExpressionAttributeValues: { ':pk': keys.subjectsOf(orgUnit.id) },
        Limit: Math.min(Math.max(page.limit ?? 50, 1), 500),
        ExclusiveStartKey: decodeCursor(page.cursor),
      }),
    );
    const cursor = encodeCursor(out.LastEvaluatedKey);
    return { items: (out.Items ?? []).map((i) => strip<Subject>(i)), ...(cursor ? { cursor } : {}) };
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
}
