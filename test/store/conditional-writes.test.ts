// Register writes stand on what was read: a subject's record is written only while it is as read (absent: still
// absent), and an imported staff record replaces hers only while hers is as read, keeping a flag whose address stayed.
import { describe, expect, it } from 'vitest';
import { PutCommand } from '@aws-sdk/lib-dynamodb';
import type { Staff, Subject } from '../../functions/domain/people';
import { documentClient } from '../../functions/store/client';
import { ensureTable } from '../../functions/store/ensure-table';
import { staffItem, subjectItem } from '../../functions/store/keys';
import { RegisterStore } from '../../functions/store/register-store';
import { StaffAdmin } from '../../functions/store/staff-admin';
import { testDynamoClient, uniqueTableName } from '../support/dynamodb';

const D = 'testdistrict';
const where = { districtId: D, streetOf: (id: string) => ({ c1: 's1', c2: 's1' })[id] };
const client = testDynamoClient();
const doc = documentClient(client);

async function fresh() {
  const table = uniqueTableName('conditional');
  await ensureTable(client, table);
  return { table, register: new RegisterStore(doc, table, D), admin: new StaffAdmin(doc, table, D) };
}

const her: Subject = { subjectId: 'p1', class: 'primary', communityId: 'c1', registeredOn: '2026-01-01' };

describe('subject writes on what was read', () => {
  it('a new subject is written only while she is absent', async () => {
    const { register } = await fresh();
    expect(await register.putSubjectIfUnchanged(undefined, her, where)).toBe(true);
    expect(await register.putSubjectIfUnchanged(undefined, { ...her, communityId: 'c2' }, where)).toBe(false);
    expect((await register.getSubject('p1'))?.communityId).toBe('c1');
  });

  it('a change is written only while her record is as read; each field read counts', async () => {
    for (const meanwhile of [{ communityId: 'c2' }, { implantUntil: '2027-01-01' }, { registeredOn: '2025-12-01' }, { notDueUntil: '2027-02-01' }]) {
      const { table, register } = await fresh();
      await register.putMany([subjectItem(her, where)]);
      // Someone else changes her record after it was read.
      await doc.send(new PutCommand({ TableName: table, Item: subjectItem({ ...her, ...meanwhile }, where) }));
      expect(await register.putSubjectIfUnchanged(her, { ...her, class: 'mobile' }, where)).toBe(false);
      expect((await register.getSubject('p1'))?.class).toBe('primary');
    }
    const { register } = await fresh();
    await register.putMany([subjectItem(her, where)]);
    expect(await register.putSubjectIfUnchanged(her, { ...her, class: 'mobile' }, where)).toBe(true);
    expect((await register.getSubject('p1'))?.class).toBe('mobile');
  });
});

describe('an imported staff record replaces hers', () => {
  const officer: Staff = { staffId: 'co-1', name: 'Officer', role: 'community_officer', orgUnitId: 'c1', phone: '+8613900000001', email: 'a@example.cn', channel: 'both', language: 'zh-CN', quietHours: { start: '21:00', end: '08:00' } };
  const flagged: Staff = { ...officer, undeliverable: [{ channel: 'sms', reason: 'refused', at: '2026-11-01T00:00:00.000Z' }, { channel: 'email', reason: 'bounced', at: '2026-11-01T00:00:00.000Z' }] } as Staff;

  it('keeps a flag while its address is the same and clears it with a new address', async () => {
    const { register, admin } = await fresh();
    await register.putMany([staffItem(flagged)]);
    await admin.replace({ ...officer, email: 'new@example.cn', name: 'Officer Renamed' });
    const after = await register.getStaff('co-1');
    expect(after?.name).toBe('Officer Renamed');
    expect(after?.undeliverable?.map((f) => f.channel)).toEqual(['sms']);
  });

  it('adds a new staff member, and never overwrites a record changed after it was read', async () => {
    const { table, register, admin } = await fresh();
    await admin.replace(officer);
    expect((await register.getStaff('co-1'))?.name).toBe('Officer');
    // Every read is followed by someone else's change before the write: the replace gives up, her record stands.
    let n = 0;
    const racing = new StaffAdmin(
      {
        send: async (cmd: { constructor: { name: string } }) => {
          const out = await doc.send(cmd as never);
          if (cmd.constructor.name === 'GetCommand') await doc.send(new PutCommand({ TableName: table, Item: staffItem({ ...officer, name: `Edit ${++n}` }) }));
          return out;
        },
      } as never,
      table,
      D,
    );
    await expect(racing.replace({ ...officer, name: 'Import' })).rejects.toThrow(/kept changing/);
    expect((await register.getStaff('co-1'))?.name).toBe(`Edit ${n}`);
  });
});
