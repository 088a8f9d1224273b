// Staff records as the API changes them: a staff member's own preferences (channel, language, quiet hours), a
// manager clearing an undeliverable flag after fixing the address, and an imported record replacing hers. Each change is one conditional PutItem of the
// whole staff record on "unchanged since read" (every attribute read, compared), retried a few times on a lost race:
// the API needs no UpdateItem grant, and a concurrent import, flag or edit is never overwritten. The record is
// rebuilt with staffItem(), so the sparse UNDELIVERABLE#STAFF listing follows the flags.
import { ConditionalCheckFailedException } from '@aws-sdk/client-dynamodb';
import { GetCommand, PutCommand, type DynamoDBDocumentClient } from '@aws-sdk/lib-dynamodb';
import type { Channel, DigestDays, Language } from '../domain/district-config';
import type { Staff, UndeliverableFlag } from '../domain/people';
import { keys, staffItem, strip, type Item } from './keys';
import { OutboxStore } from './outbox-store';

export interface PreferencesPatch {
  channel?: Channel;
  language?: Language;
  quietHours?: { start: string; end: string };
  digestDays?: DigestDays;
}

/** The change lost every race it ran (someone kept changing the record). */
export class StaffChangeConflict extends Error {
  constructor(staffId: string) {
    super(`the record of staff member ${staffId} kept changing; try again`);
    this.name = 'StaffChangeConflict';
  }
}

const ATTEMPTS = 4;

export class StaffAdmin {
  readonly outbox: OutboxStore;

  constructor(
    private readonly doc: DynamoDBDocumentClient,
    readonly tableName: string,
    readonly districtId: string,
  ) {
    this.outbox = new OutboxStore(doc, tableName, districtId);
  }

  /** Staff with at least one undeliverable channel (one Query on the sparse partition). */
  listUndeliverable(): Promise<Staff[]> {
    return this.outbox.listUndeliverableStaff();
  }

  /** Sets some of her preferences; the staff member after the change (undefined: no such staff member). */
  setPreferences(staffId: string, patch: PreferencesPatch): Promise<Staff | undefined> {
    return this.change(staffId, (s) => ({
      ...s,
      ...(patch.channel ? { channel: patch.channel } : {}),
      ...(patch.language ? { language: patch.language } : {}),
      ...(patch.quietHours ? { quietHours: { start: patch.quietHours.start, end: patch.quietHours.end } } : {}),
      ...(patch.digestDays ? { digestDays: patch.digestDays } : {}),
    }));
  }

  /** Clears the flag of one channel (or all); the staff member after the change. Nothing flagged: nothing written. */
  clearUndeliverable(staffId: string, channel?: UndeliverableFlag['channel']): Promise<Staff | undefined> {
    return this.change(staffId, (s) => {
      const before = s.undeliverable ?? [];
      const next = channel ? before.filter((f) => f.channel !== channel) : [];
      if (next.length === before.length) return s;
      const { undeliverable: _u, ...rest } = s;
      return next.length ? { ...rest, undeliverable: next } : rest;
    });
  }

  /**
   * Puts an imported record in place of hers (staff records are master data the district keeps; a new id is added):
   * a channel flagged undeliverable stays flagged while its address is the same, a new address clears it.
   * Conditional on her record as read (absent: still absent), retried on a lost race.
   */
  async replace(next: Staff): Promise<void> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const got = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: keys.staff(next.staffId), ConsistentRead: true }));
      const { undeliverable: _ignored, ...imported } = next;
      let after: Staff = imported;
      if (got.Item) {
        const before = strip<Staff>(got.Item);
        const kept = (before.undeliverable ?? []).filter((f) => (f.channel === 'sms' ? before.phone === next.phone : before.email === next.email));
        if (kept.length) after = { ...imported, undeliverable: kept };
      }
      const condition = got.Item ? unchangedCondition(got.Item) : { ConditionExpression: 'attribute_not_exists(PK)' };
      try {
        await this.doc.send(new PutCommand({ TableName: this.tableName, Item: staffItem(after), ...condition }));
        return;
      } catch (err) {
        if (!(err instanceof ConditionalCheckFailedException)) throw err;
      }
    }
    throw new StaffChangeConflict(next.staffId);
  }

  private async change(staffId: string, fn: (s: Staff) => Staff): Promise<Staff | undefined> {
    for (let attempt = 0; attempt < ATTEMPTS; attempt++) {
      const got = await this.doc.send(new GetCommand({ TableName: this.tableName, Key: keys.staff(staffId), ConsistentRead: true }));
      if (!got.Item) return undefined;
      const before = strip<Staff>(got.Item);
      const after = fn(before);
      if (after === before) return before;
      try {
        await this.doc.send(new PutCommand({ TableName: this.tableName, Item: staffItem(after), ...unchangedCondition(got.Item) }));
        return after;
      } catch (err) {
        if (!(err instanceof ConditionalCheckFailedException)) throw err;
      }
    }
    throw new StaffChangeConflict(staffId);
  }
}

/** A condition that holds only while the stored item is exactly the one read (no attribute changed, none added that matters). */
export function unchangedCondition(read: Item): { ConditionExpression: string; ExpressionAttributeNames: Record<string, string>; ExpressionAttributeValues: Record<string, unknown> } {
  const names: Record<string, string> = {};
  const values: Record<string, unknown> = {};
  const parts = ['attribute_exists(PK)'];
  Object.keys(read)
    .filter((k) => k !== 'PK' && k !== 'SK')
    .sort()
    .forEach((k, i) => {
      names[`#a${i}`] = k;
      values[`:v${i}`] = read[k];
      parts.push(`#a${i} = :v${i}`);
    });
  if (!('undeliverable' in read)) {
    names['#und'] = 'undeliverable';
    parts.push('attribute_not_exists(#und)');
  }
  return { ConditionExpression: parts.join(' AND '), ExpressionAttributeNames: names, ExpressionAttributeValues: values };
}
