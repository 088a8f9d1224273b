// Staff endpoints over real HTTP: the undeliverable list and its clear (managers, scoped, addresses masked), a
// staff member's preferences (herself or a manager over her; zod-validated; conditional write), and the local-only
// GET /dev/outbox (what the sink would have sent, newest first, filters, masked addresses).
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { LocalSink } from '../../functions/adapters/local-sink';
import { StaffAdmin, unchangedCondition } from '../../functions/store/staff-admin';
import { businessInstant } from '../../functions/domain/time';
import { documentClient } from '../../functions/store/client';
import { startApiServer, type ApiServer, type Reply } from './support';

const START = businessInstant('2026-03-02', '10:00');
let s: ApiServer;
const tok: Record<string, string> = {};

function expectProblem(r: Reply, status: number, kind: string) {
  expect(r.status, r.text).toBe(status);
  expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(r.body.type).toBe(`https://shudi.dev/problems/${kind}`);
}

beforeAll(async () => {
  s = await startApiServer(START);
  for (const id of ['dm-tiny', 'sm-east', 'so-east-1', 'sm-west', 'co-east-a-1', 'co-east-a-2', 'co-west-a-1', 'ul-east-school']) tok[id] = await s.token(id);
  await s.rt.outbox.flagUndeliverable('co-east-a-2', { channel: 'sms', reason: 'gateway_400:isv.MOBILE_NUMBER_ILLEGAL', at: '2026-03-01T01:00:00.000Z' });
  await s.rt.outbox.flagUndeliverable('co-east-a-2', { channel: 'email', reason: 'email_bounced', at: '2026-03-01T02:00:00.000Z' });
  await s.rt.outbox.flagUndeliverable('co-west-a-1', { channel: 'sms', reason: 'sns_invalid_phone', at: '2026-03-01T03:00:00.000Z' });
});
afterAll(async () => {
  await s?.close();
});

describe('GET /staff/undeliverable', () => {
  it('the district manager sees every flag, one row per channel, the address masked', async () => {
    const r = await s.call('GET', '/staff/undeliverable', { token: tok['dm-tiny'] });
    expect(r.status, r.text).toBe(200);
    expect(r.body.items).toEqual([
      { staffId: 'co-east-a-2', role: 'community_officer', orgUnitId: 'east-a', channel: 'sms', reason: 'gateway_400:isv.MOBILE_NUMBER_ILLEGAL', at: '2026-03-01T01:00:00.000Z', to: '+86139****0007' },
      { staffId: 'co-east-a-2', role: 'community_officer', orgUnitId: 'east-a', channel: 'email', reason: 'email_bounced', at: '2026-03-01T02:00:00.000Z', to: 'c***@example.cn' },
      { staffId: 'co-west-a-1', role: 'community_officer', orgUnitId: 'west-a', channel: 'sms', reason: 'sns_invalid_phone', at: '2026-03-01T03:00:00.000Z', to: '+86139****0009' },
    ]);
    expect(r.text).not.toContain('+8613900000007');
    expect(r.text).not.toContain('co-east-a-2@example.cn');
  });

  it('a street manager sees her street only; another street and an unknown org unit are the same 404; other roles 403', async () => {
    const east = await s.call('GET', '/staff/undeliverable', { token: tok['sm-east'] });
    expect(east.body.items.map((i: { staffId: string }) => i.staffId)).toEqual(['co-east-a-2', 'co-east-a-2']);
    const sub = await s.call('GET', '/staff/undeliverable?orgUnitId=east-b', { token: tok['sm-east'] });
    expect(sub.body.items).toEqual([]);
    expectProblem(await s.call('GET', '/staff/undeliverable?orgUnitId=west', { token: tok['sm-east'] }), 404, 'not-found');
    expectProblem(await s.call('GET', '/staff/undeliverable?orgUnitId=nowhere', { token: tok['dm-tiny'] }), 404, 'not-found');
    expectProblem(await s.call('GET', '/staff/undeliverable?orgUnitId=NOT_AN_ID', { token: tok['dm-tiny'] }), 400, 'validation');
    for (const who of ['so-east-1', 'co-east-a-1', 'ul-east-school']) expectProblem(await s.call('GET', '/staff/undeliverable', { token: tok[who] }), 403, 'forbidden');
    expectProblem(await s.call('GET', '/staff/undeliverable'), 401, 'unauthenticated');
  });
});

describe('POST /staff/{staffId}/undeliverable/clear', () => {
  it('refuses a street manager of another street and non-managers, writing nothing; 404 for an unknown staff id', async () => {
    const before = await s.countItems('data');
    // Another street's staff member: the 404 of an unknown staff id. A role that never may: 403.
    expectProblem(await s.call('POST', '/staff/co-east-a-2/undeliverable/clear', { token: tok['sm-west'], body: {} }), 404, 'not-found');
    expectProblem(await s.call('POST', '/staff/co-east-a-2/undeliverable/clear', { token: tok['co-east-a-1'], body: {} }), 403, 'forbidden');
    expectProblem(await s.call('POST', '/staff/nobody/undeliverable/clear', { token: tok['dm-tiny'], body: {} }), 404, 'not-found');
    const bad = await s.call('POST', '/staff/co-east-a-2/undeliverable/clear', { token: tok['sm-east'], body: { channel: 'fax' } });
    expectProblem(bad, 400, 'validation');
    expect(bad.body.errors[0].path).toBe('body.channel');
    expect(await s.countItems('data')).toBe(before);
    expect((await s.rt.register.getStaff('co-east-a-2'))!.undeliverable).toHaveLength(2);
  });

  it('the street manager clears one channel, then the rest; the staff member leaves the list', async () => {
    const one = await s.call('POST', '/staff/co-east-a-2/undeliverable/clear', { token: tok['sm-east'], body: { channel: 'sms' } });
    expect(one.status, one.text).toBe(200);
    expect(one.body).toEqual({ staffId: 'co-east-a-2', undeliverable: [{ channel: 'email', reason: 'email_bounced', at: '2026-03-01T02:00:00.000Z' }] });
    const all = await s.call('POST', '/staff/co-east-a-2/undeliverable/clear', { token: tok['sm-east'], body: {} });
    expect(all.body).toEqual({ staffId: 'co-east-a-2', undeliverable: [] });
    const again = await s.call('POST', '/staff/co-east-a-2/undeliverable/clear', { token: tok['sm-east'], body: {} });
    expect(again.status).toBe(200);
    const list = await s.call('GET', '/staff/undeliverable', { token: tok['dm-tiny'] });
    expect(list.body.items.map((i: { staffId: string }) => i.staffId)).toEqual(['co-west-a-1']);
    const staff = (await s.rt.register.getStaff('co-east-a-2'))!;
    expect(staff.undeliverable).toBeUndefined();
    expect(staff.phone).toBe('+8613900000007');
    // Flagged again later: listed again (the sparse index entry is rebuilt from the record).
    await s.rt.outbox.flagUndeliverable('co-east-a-2', { channel: 'sms', reason: 'invalid_phone', at: '2026-03-02T02:00:00.000Z' });
    expect((await s.call('GET', '/staff/undeliverable?orgUnitId=east', { token: tok['sm-east'] })).body.items).toHaveLength(1);
  });
});

describe('PATCH /staff/{staffId}/preferences', () => {
  it('a staff member changes her own; /me shows them', async () => {
    const r = await s.call('PATCH', '/staff/co-east-a-1/preferences', { token: tok['co-east-a-1'], body: { channel: 'both', quietHours: { start: '22:30', end: '07:00' } } });
    expect(r.status, r.text).toBe(200);
    expect(r.body).toEqual({ staffId: 'co-east-a-1', channel: 'both', language: 'zh-CN', quietHours: { start: '22:30', end: '07:00' }, digestDays: 'working' });
    const me = await s.call('GET', '/me', { token: tok['co-east-a-1'] });
    expect(me.body.preferences).toEqual({ channel: 'both', language: 'zh-CN', quietHours: { start: '22:30', end: '07:00' }, digestDays: 'working' });
    const staff = (await s.rt.register.getStaff('co-east-a-1'))!;
    expect(staff).toMatchObject({ channel: 'both', language: 'zh-CN', quietHours: { start: '22:30', end: '07:00' }, orgUnitId: 'east-a', role: 'community_officer' });
    // Still listed in her community's staff (the record was rebuilt with its index keys).
    expect((await s.rt.register.listStaff('east-a')).map((x) => x.staffId)).toContain('co-east-a-1');
  });

  it('a manager over her may; a colleague or another street may not (404, nothing written); unknown staff 404', async () => {
    const sm = await s.call('PATCH', '/staff/co-east-a-1/preferences', { token: tok['sm-east'], body: { language: 'en' } });
    expect(sm.status, sm.text).toBe(200);
    expect(sm.body.language).toBe('en');
    expect((await s.call('PATCH', '/staff/co-east-a-1/preferences', { token: tok['dm-tiny'], body: { channel: 'none' } })).status).toBe(200);
    const before = await s.countItems('data');
    // Staff she may not act on: the 404 of an unknown staff id.
    expectProblem(await s.call('PATCH', '/staff/co-east-a-1/preferences', { token: tok['sm-west'], body: { channel: 'sms' } }), 404, 'not-found');
    expectProblem(await s.call('PATCH', '/staff/co-east-a-1/preferences', { token: tok['co-east-a-2'], body: { channel: 'sms' } }), 404, 'not-found');
    expectProblem(await s.call('PATCH', '/staff/sm-east/preferences', { token: tok['so-east-1'], body: { channel: 'sms' } }), 404, 'not-found');
    expectProblem(await s.call('PATCH', '/staff/nobody/preferences', { token: tok['dm-tiny'], body: { channel: 'sms' } }), 404, 'not-found');
    expect(await s.countItems('data')).toBe(before);
    expect((await s.rt.register.getStaff('co-east-a-1'))!.channel).toBe('none');
  });

  it('validates with zod: HH:MM, the enums, at least one field, nothing else', async () => {
    const t = tok['co-west-a-1'];
    const paths = async (body: unknown) => {
      const r = await s.call('PATCH', '/staff/co-west-a-1/preferences', { token: t, body });
      expectProblem(r, 400, 'validation');
      return r.body.errors.map((e: { path: string }) => e.path);
    };
    expect(await paths({ quietHours: { start: '24:00', end: '7:00' } })).toEqual(['body.quietHours.start', 'body.quietHours.end']);
    expect(await paths({ channel: 'pager' })).toEqual(['body.channel']);
    expect(await paths({ language: 'fr' })).toEqual(['body.language']);
    expect(await paths({})).toEqual(['body']);
    expect(await paths({ channel: 'sms', phone: '+8613900000009' })).toEqual(['body.phone']);
    expectProblem(await s.call('PATCH', '/staff/co-west-a-1/preferences', { token: t, raw: 'channel=sms', headers: { 'content-type': 'application/x-www-form-urlencoded' } }), 415, 'unsupported-media-type');
    expectProblem(await s.call('PUT', '/staff/co-west-a-1/preferences', { token: t, body: { channel: 'sms' } }), 405, 'method-not-allowed');
  });

  it('the write is conditional on the record as read: a change in between is not overwritten', async () => {
    const admin = new StaffAdmin(documentClient(s.rt.client), s.rt.tableName, 'tiny');
    const item = { PK: 'STAFF#x', SK: 'STAFF', channel: 'sms', quietHours: { start: '21:00', end: '08:00' } };
    const cond = unchangedCondition(item);
    expect(cond.ConditionExpression).toBe('attribute_exists(PK) AND #a0 = :v0 AND #a1 = :v1 AND attribute_not_exists(#und)');
    // A flag raised between the read and the write: the write retries on the new record and keeps the flag.
    let raced = false;
    const realSend = (admin as unknown as { doc: { send: (c: unknown) => Promise<unknown> } }).doc;
    const send = realSend.send.bind(realSend);
    realSend.send = async (c: unknown) => {
      if (!raced && (c as { constructor: { name: string } }).constructor.name === 'PutCommand') {
        raced = true;
        await s.rt.outbox.flagUndeliverable('co-west-a-1', { channel: 'email', reason: 'email_bounced', at: '2026-03-02T03:00:00.000Z' });
      }
      return send(c);
    };
    const after = await admin.setPreferences('co-west-a-1', { language: 'en' });
    expect(raced).toBe(true);
    expect(after!.language).toBe('en');
    const stored = (await s.rt.register.getStaff('co-west-a-1'))!;
    expect(stored.language).toBe('en');
    expect(stored.undeliverable?.map((f) => f.channel).sort()).toEqual(['email', 'sms']);
  });
});

describe('GET /dev/outbox (local only)', () => {
  it('lists what the sink would have sent, newest first, with filters; addresses masked; not in the OpenAPI document', async () => {
    const sink = s.rt.notifier as LocalSink;
    expect(sink).toBeInstanceOf(LocalSink);
    const base = { orgUnitId: 'east', language: 'zh-CN' as const, text: '【属地】测试' };
    await sink.send({ ...base, dedupeKey: 'k1', channel: 'sms', staffId: 'sm-east', kind: 'handover.overdue', to: '+8613900000002', at: '2026-03-02T02:00:00.000Z' } as never);
    await sink.send({ ...base, dedupeKey: 'k2', channel: 'email', staffId: 'sm-east', kind: 'digest.daily', to: 'sm-east@example.cn', subject: 'digest', at: '2026-03-02T03:00:00.000Z' } as never);
    await sink.send({ ...base, dedupeKey: 'k3', channel: 'sms', staffId: 'dm-tiny', orgUnitId: 'tiny', kind: 'digest.daily', to: '+8613900000001', at: '2026-03-02T04:00:00.000Z' } as never);

    const all = await s.call('GET', '/dev/outbox');
    expect(all.status, all.text).toBe(200);
    const ours = all.body.items.filter((i: { dedupeKey?: string; text: string }) => i.text === '【属地】测试');
    expect(ours.map((i: { staffId: string; channel: string }) => `${i.staffId}/${i.channel}`)).toEqual(['dm-tiny/sms', 'sm-east/email', 'sm-east/sms']);
    expect(ours[0]).toEqual({ at: '2026-03-02T04:00:00.000Z', channel: 'sms', staffId: 'dm-tiny', orgUnitId: 'tiny', to: '+86139****0001', kind: 'digest.daily', language: 'zh-CN', text: '【属地】测试' });
    expect(ours[1].to).toBe('s***@example.cn');
    expect(all.text).not.toMatch(/\+86139000\d{5}/);

    const sms = await s.call('GET', '/dev/outbox?staffId=sm-east&channel=sms');
    expect(sms.body.items.map((i: { kind: string }) => i.kind)).toEqual(['handover.overdue']);
    const since = await s.call('GET', `/dev/outbox?since=${encodeURIComponent('2026-03-02T11:30:00+08:00')}&kind=digest.daily`);
    expect(since.body.items.map((i: { staffId: string }) => i.staffId)).toEqual(['dm-tiny']);
    expect((await s.call('GET', '/dev/outbox?limit=1')).body.items).toHaveLength(1);

    const bad = await s.call('GET', '/dev/outbox?channel=fax&limit=0');
    expectProblem(bad, 400, 'validation');
    expect(bad.body.errors.map((e: { path: string }) => e.path).sort()).toEqual(['query.channel', 'query.limit']);
    expectProblem(await s.call('POST', '/dev/outbox', { body: {} }), 405, 'method-not-allowed');
    const doc = await s.call('GET', '/openapi.json');
    expect(Object.keys(doc.body.paths)).not.toContain('/dev/outbox');
    expect(Object.keys(doc.body.paths)).toEqual(expect.arrayContaining(['/staff/undeliverable', '/staff/{staffId}/undeliverable/clear', '/staff/{staffId}/preferences']));
    expect(doc.body.paths['/staff/{staffId}/preferences'].patch.operationId).toBe('setPreferences');
  });
});
