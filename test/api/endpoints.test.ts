// Every endpoint of docs/api.md over real HTTP against the local server: the happy paths, the main
// bad inputs (each a problem+json naming the failing field's path) and that a refused request
// writes nothing (the table's item count, by Scan, before and after).
import { mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { request } from 'node:http';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Logger } from '@aws-lambda-powertools/logger';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createApi, type ApiEvent } from '../../functions/api/app';
import { businessInstant } from '../../functions/domain/time';
import { startLocalServer } from '../../dev/local/http-server';
import { AuditStore } from '../../functions/store/audit-store';
import type { CaseStore } from '../../functions/store/case-store';
import { documentClient } from '../../functions/store/client';
import { startApiServer, type ApiServer, type Reply } from './support';

const START = businessInstant('2026-03-02', '10:00'); // a Monday
let s: ApiServer;
const tok: Record<string, string> = {};

beforeAll(async () => {
  s = await startApiServer(START);
  for (const id of ['dm-tiny', 'sm-east', 'so-east-1', 'sm-west', 'co-east-a-1', 'co-east-b-1', 'co-west-a-1', 'ul-east-school', 'ul-west-mill']) tok[id] = await s.token(id);
});
afterAll(async () => {
  await s?.close();
});

function expectProblem(r: Reply, status: number, kind: string, paths: string[] = []) {
  expect(r.status, r.text).toBe(status);
  expect(r.headers.get('content-type')).toMatch(/^application\/problem\+json/);
  expect(r.body).toMatchObject({ type: `https://shudi.dev/problems/${kind}`, status });
  expect(typeof r.body.title).toBe('string');
  for (const p of paths) expect((r.body.errors ?? []).map((e: { path: string }) => e.path), r.text).toContain(p);
}

/**
 * Runs `fn` (requests that are all refused, or replays) and checks that it wrote nothing but audit
 * entries: the table's other items are as many as before.
 */
async function writesNothing(fn: () => Promise<void>) {
  const before = await s.countItems('data');
  await fn();
  expect(await s.countItems('data')).toBe(before);
}

const handover = (subjectId: string, extra: Record<string, unknown> = {}) => ({ type: 'handover', subjectId, reason: 'resigned', effectiveDate: '2026-03-01', fromUnitId: 'east-school', ...extra });

describe('public and identity', () => {
  it('GET /health and /openapi.json need no token', async () => {
    expect((await s.call('GET', '/health')).body).toEqual({ status: 'ok' });
    const o = await s.call('GET', '/openapi.json');
    expect(o.status).toBe(200);
    expect(o.body.openapi).toMatch(/^3\.1\./);
  });

  it('GET /me names the caller and her org unit', async () => {
    const r = await s.call('GET', '/me', { token: tok['sm-east'] });
    expect(r.status).toBe(200);
    expect(r.body).toMatchObject({ staffId: 'sm-east', role: 'street_manager', orgUnitId: 'east', district: 'tiny', name: 'Staff sm-east', orgUnit: { id: 'east', kind: 'street', parentId: 'tiny' } });
    expect(r.headers.get('x-content-type-options')).toBe('nosniff');
    expect(r.headers.get('cache-control')).toBe('no-store');
  });

  it('GET /org-units lists the tree with both names', async () => {
    const r = await s.call('GET', '/org-units', { token: tok['co-east-a-1'] });
    expect(r.status).toBe(200);
    expect(r.body.items).toHaveLength(8);
    expect(r.body.items).toContainEqual(expect.objectContaining({ id: 'east-a', kind: 'community', parentId: 'east', name: { 'zh-CN': '东甲社区', en: 'East A' } }));
  });

  it('no token, a malformed header, an unknown route, a wrong method', async () => {
    expectProblem(await s.call('GET', '/me'), 401, 'unauthenticated');
    expectProblem(await s.call('GET', '/me', { headers: { authorization: 'Basic abc' } }), 401, 'unauthenticated');
    expectProblem(await s.call('GET', '/nowhere', { token: tok['dm-tiny'] }), 404, 'not-found');
    const m = await s.call('DELETE', '/cases/x', { token: tok['dm-tiny'] });
    expectProblem(m, 405, 'method-not-allowed');
    expect(m.headers.get('allow')).toContain('GET');
  });

  it('a token whose staff member moved in the register is refused', async () => {
    const claims = { 'custom:staffId': 'co-east-b-1', 'custom:orgUnitId': 'east-a', 'custom:role': 'community_officer', 'custom:district': 'tiny' };
    expectProblem(await s.call('GET', '/me', { token: await s.tokenFor(claims) }), 401, 'unauthenticated');
  });
});

describe('subjects', () => {
  it('GET /subjects pages a community’s subjects and audits the read', async () => {
    const first = await s.call('GET', '/subjects?orgUnitId=east-a&limit=2', { token: tok['co-east-a-1'] });
    expect(first.status).toBe(200);
    expect(first.body.items).toHaveLength(2);
    expect(first.body.cursor).toBeTypeOf('string');
    const second = await s.call('GET', `/subjects?orgUnitId=east-a&limit=2&cursor=${encodeURIComponent(first.body.cursor)}`, { token: tok['co-east-a-1'] });
    expect(second.status).toBe(200);
    const ids = [...first.body.items, ...second.body.items].map((x: { subjectId: string }) => x.subjectId);
    expect(ids).toEqual(['s-000001', 's-000002', 's-000011']);
    expect(second.body.cursor).toBeUndefined();
    expect(first.body.items[0]).toEqual({ subjectId: 's-000001', class: 'primary', communityId: 'east-a', unitId: null, implantUntil: null, registeredOn: '2021-06-15', notDueUntil: null });
  });

  it('bad query values, a foreign cursor, scope', async () => {
    const east = await s.call('GET', '/subjects?orgUnitId=east&limit=1', { token: tok['dm-tiny'] });
    expect(east.body.cursor).toBeTypeOf('string');
    await writesNothing(async () => {
      expectProblem(await s.call('GET', '/subjects?limit=0', { token: tok['dm-tiny'] }), 400, 'validation', ['query.limit']);
      expectProblem(await s.call('GET', '/subjects?orgUnitId=East!', { token: tok['dm-tiny'] }), 400, 'validation', ['query.orgUnitId']);
      expectProblem(await s.call('GET', '/subjects?colour=red', { token: tok['dm-tiny'] }), 400, 'validation', ['query.colour']);
      expectProblem(await s.call('GET', '/subjects?cursor=bm9wZQ', { token: tok['dm-tiny'] }), 400, 'validation', ['query.cursor']);
      expectProblem(await s.call('GET', `/subjects?orgUnitId=west&cursor=${east.body.cursor}`, { token: tok['dm-tiny'] }), 400, 'validation', ['query.cursor']);
      // Outside her scope and not in the district: the same 404.
      const notHers = await s.call('GET', '/subjects?orgUnitId=east-b', { token: tok['co-east-a-1'] });
      expectProblem(notHers, 404, 'not-found');
      expect(notHers.body.detail).toBe('no org unit "east-b" within your scope');
      expectProblem(await s.call('GET', '/subjects?orgUnitId=nowhere', { token: tok['dm-tiny'] }), 404, 'not-found');
    });
  });
});

describe('cases', () => {
  let hoId = '';

  it('POST /cases opens a handover (201, Location) with the caller’s actions', async () => {
    const r = await s.call('POST', '/cases', { token: tok['ul-east-school'], body: handover('s-000004'), headers: { 'idempotency-key': 'ho-1' } });
    expect(r.status, r.text).toBe(201);
    hoId = r.body.caseId;
    expect(r.headers.get('location')).toBe(`/cases/${hoId}`);
    expect(r.body).toMatchObject({ type: 'handover', status: 'open', state: 'awaiting_ack', subjectId: 's-000004', ownerOrgUnitId: 'east-a', queueOrgUnitId: 'east-a', level: 'community', dueDate: '2026-03-31', overdue: false, daysOverdue: 0, closedAt: null, parentCaseId: null });
    expect(r.body.data).toMatchObject({ reason: 'resigned', separationDate: '2026-03-01', fromOrgUnitId: 'east-school' });
    // The sending unit may only read it.
    expect(r.body.allowedActions).toEqual([]);
    expect(r.body.history).toBeUndefined();
  });

  it('an idempotent create returns the same case and writes nothing more; the key with another body is 409', async () => {
    await writesNothing(async () => {
      const again = await s.call('POST', '/cases', { token: tok['ul-east-school'], body: handover('s-000004'), headers: { 'idempotency-key': 'ho-1' } });
      expect(again.status).toBe(200);
      expect(again.headers.get('idempotent-replayed')).toBe('true');
      expect(again.body.caseId).toBe(hoId);
      // Key order does not matter.
      const reordered = { fromUnitId: 'east-school', effectiveDate: '2026-03-01', reason: 'resigned', subjectId: 's-000004', type: 'handover' };
      expect((await s.call('POST', '/cases', { token: tok['ul-east-school'], body: reordered, headers: { 'idempotency-key': 'ho-1' } })).body.caseId).toBe(hoId);
      const other = await s.call('POST', '/cases', { token: tok['ul-east-school'], body: handover('s-000006'), headers: { 'idempotency-key': 'ho-1' } });
      expectProblem(other, 409, 'conflict');
      expect(other.body.detail).toMatch(/Idempotency-Key/);
    });
    // The same key from another caller is another request.
    const elsewhere = await s.call('POST', '/cases', { token: tok['sm-east'], body: handover('s-000006'), headers: { 'idempotency-key': 'ho-1' } });
    expect(elsewhere.status).toBe(201);
    expect(elsewhere.body.caseId).not.toBe(hoId);
  });

  it('concurrent requests with one key open one case', async () => {
    const before = await s.countItems('data');
    const body = { type: 'follow_up', subjectId: 's-000011', trigger: 'manual', eventDate: '2026-03-01' };
    const replies = await Promise.all(Array.from({ length: 5 }, () => s.call('POST', '/cases', { token: tok['co-east-a-1'], body, headers: { 'idempotency-key': 'race-1' } })));
    const ids = new Set(replies.map((r) => r.body.caseId));
    expect(ids.size).toBe(1);
    expect(replies.filter((r) => r.status === 201)).toHaveLength(1);
    const created = await s.call('GET', `/cases/${[...ids][0]}`, { token: tok['dm-tiny'] });
    expect(created.body.history).toHaveLength(1);
    // One case + its history entry + timers + outbox + the idempotency record: nothing doubled.
    const after = await s.countItems('data');
    const oneMore = await s.call('POST', '/cases', { token: tok['co-east-a-1'], body: { ...body, eventDate: '2026-02-28' }, headers: { 'idempotency-key': 'race-2' } });
    expect(oneMore.status).toBe(201);
    expect(await s.countItems('data')).toBe(after + (after - before));
  });

  it('opens follow-ups, certificate checks and health checks (a period’s check once)', async () => {
    const fu = await s.call('POST', '/cases', { token: tok['co-east-a-1'], body: { type: 'follow_up', subjectId: 's-000001', trigger: 'birth', eventDate: '2026-02-27' } });
    expect(fu.status, fu.text).toBe(201);
    expect(fu.body).toMatchObject({ type: 'follow_up', ownerOrgUnitId: 'east-a' });
    expect(fu.body.allowedActions).toEqual(expect.arrayContaining(['record_outcome', 'escalate', 'cancel']));
    const cc = await s.call('POST', '/cases', { token: tok['co-east-a-1'], body: { type: 'certificate_check', subjectId: 's-000002', registeredOn: '2026-03-01' } });
    expect(cc.status, cc.text).toBe(201);
    const hc = await s.call('POST', '/cases', { token: tok['co-east-a-1'], body: { type: 'health_check', subjectId: 's-000011' } });
    expect(hc.status, hc.text).toBe(201);
    const again = await s.call('POST', '/cases', { token: tok['co-east-a-1'], body: { type: 'health_check', subjectId: 's-000011' }, headers: { 'idempotency-key': 'hc-again' } });
    expect(again.status).toBe(200);
    expect(again.body.caseId).toBe(hc.body.caseId);
  });

  it('refuses bad bodies with the field’s path, and writes nothing', async () => {
    const t = tok['ul-east-school'];
    await writesNothing(async () => {
      expectProblem(await s.call('POST', '/cases', { token: t, body: { subjectId: 's-000004' } }), 400, 'validation', ['body.type']);
      expectProblem(await s.call('POST', '/cases', { token: t, body: handover('s-000004', { fromUnitId: undefined }) }), 400, 'validation', ['body.fromUnitId']);
      expectProblem(await s.call('POST', '/cases', { token: t, body: handover('s-000004', { effectiveDate: '2026-02-30' }) }), 400, 'validation', ['body.effectiveDate']);
      expectProblem(await s.call('POST', '/cases', { token: t, body: handover('s-000004', { reason: 'fired' }) }), 400, 'validation', ['body.reason']);
      expectProblem(await s.call('POST', '/cases', { token: t, body: handover('s-000004', { colour: 'red' }) }), 400, 'validation', ['body.colour']);
      expectProblem(await s.call('POST', '/cases', { token: t, body: handover('s-000004', { effectiveDate: '2026-03-20' }) }), 400, 'validation', ['body']);
      expectProblem(await s.call('POST', '/cases', { token: t, body: handover('s-000004'), headers: { 'idempotency-key': 'bad key with spaces' } }), 400, 'validation', ['header.idempotency-key']);
      expectProblem(await s.call('POST', '/cases', { token: t, raw: '{"type":', headers: { 'content-type': 'application/json' } }), 400, 'validation', ['body']);
      expectProblem(await s.call('POST', '/cases', { token: t, raw: '', headers: { 'content-type': 'application/json' } }), 400, 'validation', ['body']);
      expectProblem(await s.call('POST', '/cases', { token: t, raw: JSON.stringify(handover('s-000004')), headers: { 'content-type': 'text/plain' } }), 415, 'unsupported-media-type');
      expectProblem(await s.call('POST', '/cases', { token: t, raw: JSON.stringify(handover('s-000004')), headers: { 'content-type': 'application/json; charset=latin1' } }), 415, 'unsupported-media-type');
      const huge = JSON.stringify({ ...handover('s-000004'), pad: 'x'.repeat(1024 * 1024) });
      expectProblem(await s.call('POST', '/cases', { token: t, raw: huge, headers: { 'content-type': 'application/json' } }), 413, 'too-large');
      // Facts that contradict the register (of a subject the caller may see).
      expectProblem(await s.call('POST', '/cases', { token: tok['sm-east'], body: handover('s-000001') }), 409, 'conflict');
      expectProblem(await s.call('POST', '/cases', { token: tok['dm-tiny'], body: handover('s-000007') }), 409, 'conflict');
      expectProblem(await s.call('POST', '/cases', { token: tok['sm-east'], body: { type: 'handover', subjectId: 's-000001', reason: 'moved', effectiveDate: '2026-03-01', fromCommunityId: 'east-b' } }), 409, 'conflict');
      expectProblem(await s.call('POST', '/cases', { token: tok['co-east-a-1'], body: { type: 'certificate_check', subjectId: 's-000001', registeredOn: '2026-03-01' } }), 400, 'validation', ['body']);
      // A subject the district does not have, and subjects outside the caller's scope: one 404, one body.
      const none = await s.call('POST', '/cases', { token: t, body: handover('s-999999') });
      expectProblem(none, 404, 'not-found');
      expect(none.body.detail).toBe('no subject "s-999999" within your scope');
      const notHers = await s.call('POST', '/cases', { token: t, body: handover('s-000001') });
      expect(notHers.status).toBe(404);
      expect(notHers.body).toEqual({ ...none.body, detail: 'no subject "s-000001" within your scope' });
      expectProblem(await s.call('POST', '/cases', { token: tok['ul-west-mill'], body: handover('s-000004') }), 404, 'not-found');
      expectProblem(await s.call('POST', '/cases', { token: tok['co-east-b-1'], body: { type: 'follow_up', subjectId: 's-000001', trigger: 'birth', eventDate: '2026-02-27' } }), 404, 'not-found');
      // A subject she sees (a co_managed resident of her community) whose case is for another org unit to open: 403.
      expectProblem(await s.call('POST', '/cases', { token: tok['co-east-a-1'], body: { type: 'health_check', subjectId: 's-000004' } }), 403, 'forbidden');
    });
  });

  it('GET /cases/{caseId} returns the case with its history; 404 for a case outside the scope as for none', async () => {
    const r = await s.call('GET', `/cases/${hoId}`, { token: tok['co-east-a-1'] });
    expect(r.status).toBe(200);
    expect(r.body.history).toEqual([expect.objectContaining({ seq: 1, action: 'open', toState: 'awaiting_ack', actor: { kind: 'staff', staffId: 'ul-east-school' } })]);
    expect(r.body.allowedActions).toEqual(['acknowledge', 'reject', 'escalate', 'cancel']);
    const street = await s.call('GET', `/cases/${hoId}`, { token: tok['so-east-1'] });
    expect(street.body.allowedActions).toEqual(['escalate', 'cancel']);
    expectProblem(await s.call('GET', '/cases/no-such-case', { token: tok['dm-tiny'] }), 404, 'not-found');
    const none = await s.call('GET', '/cases/no-such-case', { token: tok['sm-west'] });
    for (const who of ['co-east-b-1', 'sm-west']) {
      const r = await s.call('GET', `/cases/${hoId}`, { token: tok[who] });
      expectProblem(r, 404, 'not-found');
      expect(r.body).toEqual({ ...none.body, detail: `no case "${hoId}" within your scope` });
    }
  });

  it('POST /cases/{caseId}/actions: 400, 403 and 409 write nothing; acknowledge; a replay changes nothing', async () => {
    const path = `/cases/${hoId}/actions`;
    await writesNothing(async () => {
      expectProblem(await s.call('POST', path, { token: tok['co-east-a-1'], body: { action: 'fly' } }), 400, 'validation', ['body.action']);
      expectProblem(await s.call('POST', path, { token: tok['co-east-a-1'], body: { action: 'reject' } }), 400, 'validation', ['body.reason']);
      expectProblem(await s.call('POST', path, { token: tok['co-east-a-1'], body: { action: 'overdue' } }), 400, 'validation', ['body.action']);
      const wrongType = await s.call('POST', path, { token: tok['co-east-a-1'], body: { action: 'record_outcome', outcome: 'visited', date: '2026-03-02' } });
      expectProblem(wrongType, 409, 'conflict');
      expect(wrongType.body.detail).toMatch(/acknowledge/);
      expectProblem(await s.call('POST', path, { token: tok['co-east-a-1'], body: { action: 'reassign', toOrgUnitId: 'east-b' } }), 409, 'conflict');
      // She may see it (her unit sent it) but not act on it.
      expectProblem(await s.call('POST', path, { token: tok['ul-east-school'], body: { action: 'escalate' } }), 403, 'forbidden');
      expectProblem(await s.call('POST', path, { token: tok['co-east-b-1'], body: { action: 'acknowledge' } }), 404, 'not-found');
      expectProblem(await s.call('POST', '/cases/nope/actions', { token: tok['dm-tiny'], body: { action: 'acknowledge' } }), 404, 'not-found');
    });
    const ack = await s.call('POST', path, { token: tok['co-east-a-1'], body: { action: 'acknowledge' }, headers: { 'idempotency-key': 'ack-1' } });
    expect(ack.status, ack.text).toBe(200);
    expect(ack.body).toMatchObject({ status: 'done', state: 'acknowledged', allowedActions: [] });
    expect(ack.body.closedAt).toBeTypeOf('string');
    await writesNothing(async () => {
      const replay = await s.call('POST', path, { token: tok['co-east-a-1'], body: { action: 'acknowledge' }, headers: { 'idempotency-key': 'ack-1' } });
      expect(replay.status).toBe(200);
      expect(replay.headers.get('idempotent-replayed')).toBe('true');
      expectProblem(await s.call('POST', path, { token: tok['co-east-a-1'], body: { action: 'escalate' }, headers: { 'idempotency-key': 'ack-1' } }), 409, 'conflict');
      const closed = await s.call('POST', path, { token: tok['co-east-a-1'], body: { action: 'acknowledge' } });
      expectProblem(closed, 409, 'conflict');
      expect(closed.body.detail).toMatch(/done case/);
    });
    const history = await s.call('GET', `/cases/${hoId}`, { token: tok['dm-tiny'] });
    expect(history.body.history.map((h: { action: string }) => h.action)).toEqual(['open', 'acknowledge']);
  });

  it('a domain refusal of the values is 400 (an outcome the type does not have)', async () => {
    const fu = await s.call('POST', '/cases', { token: tok['co-east-a-1'], body: { type: 'follow_up', subjectId: 's-000001', trigger: 'service', eventDate: '2026-03-02' } });
    await writesNothing(async () => {
      const r = await s.call('POST', `/cases/${fu.body.caseId}/actions`, { token: tok['co-east-a-1'], body: { action: 'record_outcome', outcome: 'attended', date: '2026-03-02' } });
      expectProblem(r, 400, 'validation', ['body']);
    });
    const done = await s.call('POST', `/cases/${fu.body.caseId}/actions`, { token: tok['so-east-1'], body: { action: 'record_outcome', outcome: 'visited', date: '2026-03-02' } });
    expect(done.status, done.text).toBe(200);
    expect(done.body.state).toBe('visited');
  });
});

describe('queues', () => {
  const ids = (r: Reply) => r.body.items.map((c: { caseId: string }) => c.caseId);

  it('the queue of a community, by status and type; descendants of a street; closed cases beneath it', async () => {
    const open = await s.call('GET', '/queues/east-a', { token: tok['co-east-a-1'] });
    expect(open.status).toBe(200);
    const dues = open.body.items.map((c: { dueAt: string }) => c.dueAt);
    expect(dues).toEqual([...dues].sort());
    expect(open.body.items.every((c: { status: string; queueOrgUnitId: string }) => c.status === 'open' && c.queueOrgUnitId === 'east-a')).toBe(true);
    const fus = await s.call('GET', '/queues/east-a?type=follow_up', { token: tok['co-east-a-1'] });
    expect(fus.body.items.length).toBeGreaterThan(0);
    expect(fus.body.items.every((c: { type: string }) => c.type === 'follow_up')).toBe(true);
    const done = await s.call('GET', '/queues/east-a?status=done', { token: tok['co-east-a-1'] });
    expect(done.body.items.map((c: { type: string }) => c.type)).toContain('handover');
    const under = await s.call('GET', '/queues/east?include=descendants', { token: tok['sm-east'] });
    const owners = under.body.items.map((c: { ownerOrgUnitId: string }) => c.ownerOrgUnitId);
    expect(owners).toContain('east-a');
    expect(owners.every((o: string) => ['east-a', 'east-b', 'east-school'].includes(o))).toBe(true);
    const closed = await s.call('GET', '/queues/east?include=descendants&status=done', { token: tok['sm-east'] });
    const closedAt = closed.body.items.map((c: { closedAt: string }) => c.closedAt);
    expect(closedAt.length).toBeGreaterThanOrEqual(2);
    expect(closedAt).toEqual([...closedAt].sort().reverse());
    expect((await s.call('GET', '/queues/east?status=cancelled&include=descendants', { token: tok['sm-east'] })).body.items).toEqual([]);
  });

  it('a filtered queue pages without gaps or repeats', async () => {
    // More cases in east-a: follow-ups and certificate checks interleaved by due date.
    for (let i = 0; i < 6; i++) {
      const day = `2026-02-${String(20 + i).padStart(2, '0')}`;
      await s.call('POST', '/cases', { token: tok['co-east-a-1'], body: { type: 'follow_up', subjectId: 's-000011', trigger: 'manual', eventDate: day } });
      await s.call('POST', '/cases', { token: tok['co-east-a-1'], body: { type: 'certificate_check', subjectId: 's-000002', registeredOn: day } });
    }
    for (const [path, token] of [
      ['/queues/east-a?type=certificate_check', tok['co-east-a-1']],
      ['/queues/east?include=descendants&type=certificate_check', tok['sm-east']],
      ['/queues/tiny?include=descendants&type=follow_up', tok['dm-tiny']],
    ] as const) {
      const all = await s.call('GET', `${path}&limit=200`, { token });
      expect(all.body.cursor).toBeUndefined();
      const want = ids(all);
      expect(want.length).toBeGreaterThanOrEqual(6);
      const got: string[] = [];
      let cursor: string | undefined;
      let pages = 0;
      do {
        const page = await s.call('GET', `${path}&limit=2${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`, { token });
        expect(page.status, page.text).toBe(200);
        expect(page.body.items.length).toBeLessThanOrEqual(2);
        got.push(...ids(page));
        cursor = page.body.cursor;
        pages++;
      } while (cursor && pages < 50);
      expect(got).toEqual(want);
    }
  });

  it('overdue only, after the due date passes; bad parameters; scope', async () => {
    await writesNothing(async () => {
      expectProblem(await s.call('GET', '/queues/east-a?status=done&overdue=true', { token: tok['dm-tiny'] }), 400, 'validation', ['query.overdue']);
      expectProblem(await s.call('GET', '/queues/east-a?status=closed', { token: tok['dm-tiny'] }), 400, 'validation', ['query.status']);
      expectProblem(await s.call('GET', '/queues/east-a?limit=1000', { token: tok['dm-tiny'] }), 400, 'validation', ['query.limit']);
      expectProblem(await s.call('GET', '/queues/east-a?include=everything', { token: tok['dm-tiny'] }), 400, 'validation', ['query.include']);
      expectProblem(await s.call('GET', '/queues/east-a?cursor=%%%', { token: tok['dm-tiny'] }), 400, 'validation', ['query.cursor']);
      expectProblem(await s.call('GET', '/queues/east-b', { token: tok['co-east-a-1'] }), 404, 'not-found');
      expectProblem(await s.call('GET', '/queues/east', { token: tok['co-east-a-1'] }), 404, 'not-found');
      expectProblem(await s.call('GET', '/queues/xinhua', { token: tok['dm-tiny'] }), 404, 'not-found');
    });
    expect((await s.call('GET', '/queues/east-a?overdue=true', { token: tok['co-east-a-1'] })).body.items).toEqual([]);
  });
});

describe('dev endpoints and the server', () => {
  it('/dev/login, /dev/clock', async () => {
    expectProblem(await s.call('POST', '/dev/login', { body: { staffId: 'nobody' } }), 404, 'not-found');
    expectProblem(await s.call('POST', '/dev/login', { body: { who: 'x' } }), 400, 'validation', ['body.staffId']);
    const login = await s.call('POST', '/dev/login', { body: { staffId: 'sm-east' } });
    expect(login.body).toMatchObject({ staffId: 'sm-east', role: 'street_manager', orgUnitId: 'east', district: 'tiny' });
    expect(Date.parse(login.body.expiresAt) - Date.now()).toBeGreaterThan(11.9 * 3600_000);
    const before = (await s.call('GET', '/dev/clock')).body.now;
    const moved = await s.call('POST', '/dev/clock', { body: { advanceHours: 2 } });
    expect(moved.status, moved.text).toBe(200);
    expect(Date.parse(moved.body.now) - Date.parse(before)).toBe(2 * 3600_000);
    expect(moved.body.fired).toMatchObject({ from: before, to: moved.body.now });
    expectProblem(await s.call('POST', '/dev/clock', { body: { advanceDays: -1 } }), 400, 'validation');
  });

  it('serves the dashboard’s files, index.html for pages, never a file outside it', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'shudi-dist-'));
    mkdirSync(join(dir, 'assets'));
    writeFileSync(join(dir, 'index.html'), '<!doctype html><title>dash</title>');
    writeFileSync(join(dir, 'assets', 'app.js'), 'console.log(1)');
    const server = await startLocalServer({ api: s.api, auth: s.auth, register: s.rt.register, staticDir: dir });
    try {
      const get = async (path: string, accept = 'text/html') => {
        const res = await fetch(`${server.url}${path}`, { headers: { accept } });
        return { status: res.status, type: res.headers.get('content-type'), text: await res.text() };
      };
      expect(await get('/')).toMatchObject({ status: 200, type: 'text/html; charset=utf-8', text: expect.stringContaining('dash') });
      expect(await get('/assets/app.js', '*/*')).toMatchObject({ status: 200, type: 'text/javascript; charset=utf-8' });
      expect(await get('/queues/east-a')).toMatchObject({ status: 200, text: expect.stringContaining('dash') });
      expect((await get('/queues/east-a', 'application/json')).status).toBe(401);
      expect((await get('/health')).type).toMatch(/application\/json/);
      // A raw request path that climbs out of the folder is never a file.
      for (const p of ['/../package.json', '/%2e%2e/package.json', '/assets/..%2f..%2fpackage.json']) {
        const raw = await new Promise<{ status: number; body: string }>((ok, fail) => {
          const req = request({ host: '127.0.0.1', port: server.port, path: p, headers: { accept: '*/*' } }, (res) => {
            let body = '';
            res.on('data', (c) => (body += c));
            res.on('end', () => ok({ status: res.statusCode ?? 0, body }));
          });
          req.on('error', fail);
          req.end();
        });
        expect(raw.body).not.toContain('"name": "shudi"');
      }
    } finally {
      await server.close();
    }
  });

  it('an internal error is a 500 with a reference, never the message or a stack', async () => {
    const failing = new Proxy(s.rt.cases, {
      get(target, prop, recv) {
        if (prop === 'getWithHistory') return async () => { throw new Error('secret table detail at ConditionalCheck'); };
        return Reflect.get(target, prop, recv) as unknown;
      },
    }) as CaseStore;
    const logged: unknown[][] = [];
    const logger = { info: () => undefined, error: (...args: unknown[]) => logged.push(args) } as unknown as Logger;
    const api = createApi({ cases: failing, register: s.rt.register, audit: new AuditStore(documentClient(s.rt.client), s.rt.tableName), service: s.rt.service, district: s.rt.district, clock: s.rt.clock, logger });
    const claims = { 'custom:staffId': 'dm-tiny', 'custom:orgUnitId': 'tiny', 'custom:role': 'district_manager', 'custom:district': 'tiny' };
    const event = {
      version: '2.0',
      routeKey: '$default',
      rawPath: '/cases/x',
      rawQueryString: '',
      headers: {},
      requestContext: { requestId: 'req-123', http: { method: 'GET', path: '/cases/x' }, stage: '$default', authorizer: { jwt: { claims, scopes: null } } },
      isBase64Encoded: false,
    } as unknown as ApiEvent;
    const out = await api.handler(event);
    expect(out.statusCode).toBe(500);
    expect(out.headers?.['content-type']).toBe('application/problem+json');
    const body = JSON.parse(out.body!);
    expect(body).toEqual({ type: 'https://shudi.dev/problems/internal', title: 'Internal error', status: 500, detail: 'Internal error, reference req-123' });
    expect(out.body).not.toMatch(/secret|ConditionalCheck|stack/);
    // The cause is in the log, under the same reference.
    expect(JSON.stringify(logged)).toContain('req-123');
    expect((logged[0]![1] as { error: Error }).error.message).toContain('secret table detail');
  });
});

describe('reports, after the clock moves on', () => {
  it('overdue handovers by child and age; on-time rates by child and type', async () => {
    // Two handovers into east-b: one is acknowledged late, the other never.
    const late = await s.call('POST', '/cases', { token: tok['ul-east-school'], body: handover('s-000005') });
    const never = await s.call('POST', '/cases', { token: tok['ul-east-school'], body: handover('s-000013', { effectiveDate: '2026-02-20' }) });
    expect([late.status, never.status]).toEqual([201, 201]);
    await s.rt.advanceTo(businessInstant('2026-04-02', '10:00'), { jobs: false });
    await s.call('POST', `/cases/${late.body.caseId}/actions`, { token: tok['co-east-b-1'], body: { action: 'acknowledge' } });
    await s.rt.advanceTo(businessInstant('2026-04-05', '10:00'), { jobs: false });

    const r = await s.call('GET', '/reports/overdue-handovers?orgUnitId=east', { token: tok['sm-east'] });
    expect(r.status, r.text).toBe(200);
    expect(r.body.orgUnitId).toBe('east');
    const eastB = r.body.children.find((c: { orgUnitId: string }) => c.orgUnitId === 'east-b');
    expect(eastB).toEqual({ orgUnitId: 'east-b', total: 1, buckets: { '1-7': 0, '8-30': 1, '31+': 0 } });
    // The handover opened by the street manager (due 2026-03-31) is 5 days overdue in east-a.
    expect(r.body.children.find((c: { orgUnitId: string }) => c.orgUnitId === 'east-a')).toEqual({ orgUnitId: 'east-a', total: 1, buckets: { '1-7': 1, '8-30': 0, '31+': 0 } });
    expect(r.body.items.map((c: { caseId: string }) => c.caseId)).toContain(never.body.caseId);
    const nv = r.body.items.find((c: { caseId: string }) => c.caseId === never.body.caseId);
    // 30 calendar days from 2026-02-20, moved past the weekend: due Monday 2026-03-23, 13 days before 2026-04-05.
    expect(nv).toMatchObject({ dueDate: '2026-03-23', overdue: true, daysOverdue: 13, queueOrgUnitId: 'tiny', level: 'district' });
    const district = await s.call('GET', '/reports/overdue-handovers', { token: tok['dm-tiny'] });
    expect(district.body.children.map((c: { orgUnitId: string; total: number }) => [c.orgUnitId, c.total])).toEqual([['east', 2], ['west', 0]]);

    const onTime = await s.call('GET', '/reports/on-time?orgUnitId=east&from=2026-03-01&to=2026-04-30', { token: tok['sm-east'] });
    expect(onTime.status, onTime.text).toBe(200);
    expect(onTime.body.rows).toContainEqual({ orgUnitId: 'east-a', type: 'handover', closed: 1, onTime: 1, rate: 1, cancelled: 0 });
    expect(onTime.body.rows).toContainEqual({ orgUnitId: 'east-b', type: 'handover', closed: 1, onTime: 0, rate: 0, cancelled: 0 });
    await writesNothing(async () => {
      expectProblem(await s.call('GET', '/reports/on-time?orgUnitId=east&from=2026-04-30&to=2026-03-01', { token: tok['sm-east'] }), 400, 'validation', ['query.to']);
      expectProblem(await s.call('GET', '/reports/on-time?orgUnitId=east&from=2026-13-01&to=2026-03-01', { token: tok['sm-east'] }), 400, 'validation', ['query.from']);
      expectProblem(await s.call('GET', '/reports/on-time?orgUnitId=east&from=2024-01-01&to=2026-03-01', { token: tok['sm-east'] }), 400, 'validation', ['query.to']);
      expectProblem(await s.call('GET', '/reports/overdue-handovers?orgUnitId=west', { token: tok['sm-east'] }), 404, 'not-found');
    });
  });
});

describe('imports', () => {
  const staffRow = (id: string, extra: Record<string, unknown> = {}) => ({ staffId: id, name: `New ${id}`, role: 'community_officer', orgUnitId: 'east-a', phone: '+8613900099999', email: `${id}@example.cn`, ...extra });

  it('staff as JSON: each row on its own; the good ones can sign in', async () => {
    const before = await s.countItems();
    const r = await s.call('POST', '/imports/staff', {
      token: tok['dm-tiny'],
      body: [staffRow('co-east-a-9'), staffRow('co-east-a-8', { phone: '13900099999' }), staffRow('co-east-a-7', { email: 'not-an-email' }), staffRow('co-east-a-6', { role: 'street_manager' }), staffRow('co-east-a-9'), 'oops'],
    });
    expect(r.status, r.text).toBe(200);
    expect(r.body.accepted).toBe(1);
    expect(r.body.rejected).toEqual([
      { row: 2, field: 'phone', reason: expect.stringMatching(/E\.164/) },
      { row: 3, field: 'email', reason: expect.any(String) },
      { row: 4, field: 'role', reason: expect.stringMatching(/street/) },
      { row: 5, field: 'staffId', reason: 'listed twice (first at row 1)' },
      { row: 6, field: 'row', reason: 'a row is an object of fields' },
    ]);
    // The staff item and one audit entry.
    expect(await s.countItems()).toBe(before + 2);
    expect(JSON.stringify(r.body)).not.toContain('13900099999');
    const login = await s.call('POST', '/dev/login', { body: { staffId: 'co-east-a-9' } });
    expect(login.status).toBe(200);
    expect((await s.call('GET', '/me', { token: login.body.token })).body.name).toBe('New co-east-a-9');
    expectProblem(await s.call('POST', '/dev/login', { body: { staffId: 'co-east-a-8' } }), 404, 'not-found');
  });

  it('subjects as CSV: new, unchanged, changed without open cases, changed with open cases, out of scope', async () => {
    const csv = [
      'subjectId,class,communityId,unitId,implantUntil,registeredOn',
      's-100001,primary,east-a,,,2026-01-05',
      's-100002,co_managed,east-b,east-school,,2026-01-06',
      's-100003,co_managed,east-b,,,2026-01-06',
      's-100004,mobile,nowhere,,,2026-01-06',
      's-000012,primary,west-a,,,2017-03-03',
      's-000010,primary,east-a,,,2018-12-29',
      's-000001,primary,east-b,,,2021-06-15',
      's-100001,primary,east-a,,,2026-01-05',
      's-100005,primary,east-a,,2026-13-01,2026-01-05',
      's-100006,primary,east-a',
      's-000009,primary,east-a,,,2019-06-04',
      's-000008,mobile,east-b,,,2024-01-30',
    ].join('\n');
    const before = await s.countItems('data');
    const r = await s.call('POST', '/imports/subjects', { token: tok['sm-east'], raw: csv, headers: { 'content-type': 'text/csv' } });
    expect(r.status, r.text).toBe(200);
    const notYours = 'not a subject managed within your scope (east); new subjects and those of other streets are imported by the district';
    expect(r.body.rejected).toEqual([
      // A new id and another street's subject: one reason, whether or not she exists.
      { row: 1, field: 'subjectId', reason: notYours },
      { row: 2, field: 'subjectId', reason: notYours },
      { row: 3, field: 'unitId', reason: 'a co_managed subject needs her employer unit' },
      { row: 4, field: 'communityId', reason: 'no community "nowhere" in this district' },
      { row: 5, field: 'communityId', reason: '"west-a" is outside your scope (east)' },
      { row: 7, field: 'subjectId', reason: expect.stringMatching(/open case/) },
      { row: 8, field: 'subjectId', reason: 'listed twice (first at row 1)' },
      { row: 9, field: 'implantUntil', reason: expect.any(String) },
      { row: 10, field: 'row', reason: 'has 3 fields; the header has 6' },
      { row: 11, field: 'subjectId', reason: notYours },
    ]);
    // s-000010 moved to east-a (no open case); s-000008 unchanged (no write).
    expect(r.body.accepted).toBe(2);
    expect(await s.countItems('data')).toBe(before);
    expect(await s.rt.register.getSubject('s-000010')).toMatchObject({ communityId: 'east-a' });
    expect(await s.rt.register.getSubject('s-000001')).toMatchObject({ communityId: 'east-a' });
    expect(await s.rt.register.getSubject('s-000009')).toMatchObject({ class: 'co_managed', unitId: 'west-mill' });
    expect(await s.rt.register.getSubject('s-100001')).toBeUndefined();
    // The audit entry names the one subject written.
    expect(await s.auditOf(r.headers.get('x-request-id'))).toEqual([expect.objectContaining({ action: 'subjects.import', staffId: 'sm-east', subjectIds: ['s-000010'], count: 1 })]);
    // The district adds new subjects.
    const dm = await s.call('POST', '/imports/subjects', { token: tok['dm-tiny'], raw: csv.split('\n').slice(0, 3).join('\n'), headers: { 'content-type': 'text/csv' } });
    expect(dm.body).toEqual({ accepted: 2, rejected: [] });
    expect(await s.countItems('data')).toBe(before + 2);
    expect(await s.rt.register.getSubject('s-100003')).toBeUndefined();
    expect((await s.auditOf(dm.headers.get('x-request-id')))[0]!.subjectIds.sort()).toEqual(['s-100001', 's-100002']);
  });

  it('who may import, and what a body must be', async () => {
    await writesNothing(async () => {
      expectProblem(await s.call('POST', '/imports/staff', { token: tok['sm-east'], body: [] }), 403, 'forbidden');
      expectProblem(await s.call('POST', '/imports/subjects', { token: tok['co-east-a-1'], body: [] }), 403, 'forbidden');
      expectProblem(await s.call('POST', '/imports/subjects', { token: tok['so-east-1'], body: [] }), 403, 'forbidden');
      expectProblem(await s.call('POST', '/imports/subjects', { token: tok['dm-tiny'], body: { rows: [] } }), 400, 'validation', ['body']);
      expectProblem(await s.call('POST', '/imports/subjects', { token: tok['dm-tiny'], raw: 'subjectId,colour\ns-1,red', headers: { 'content-type': 'text/csv' } }), 400, 'validation', ['body.header.colour']);
      expectProblem(await s.call('POST', '/imports/subjects', { token: tok['dm-tiny'], raw: 'a,b', headers: { 'content-type': 'application/xml' } }), 415, 'unsupported-media-type');
      const rows = JSON.stringify(Array.from({ length: 20_001 }, (_, i) => ({ subjectId: `x-${i}`, class: 'primary', communityId: 'east-a', registeredOn: '2020-01-01' })));
      expectProblem(await s.call('POST', '/imports/subjects', { token: tok['dm-tiny'], raw: rows, headers: { 'content-type': 'application/json' } }), 413, 'too-large');
      const big = JSON.stringify([{ pad: 'x'.repeat(5 * 1024 * 1024) }]);
      expectProblem(await s.call('POST', '/imports/subjects', { token: tok['dm-tiny'], raw: big, headers: { 'content-type': 'application/json' } }), 413, 'too-large');
    });
  });
});

describe('audit', () => {
  it('subject reads are in the audit log, readable by district managers only, without names or phones', async () => {
    const today = (await s.call('GET', '/dev/clock')).body.now;
    const r = await s.call('GET', '/audit', { token: tok['dm-tiny'] });
    expect(r.status, r.text).toBe(200);
    // Reads made today (the clock moved on for the reports): do one of each now.
    await s.call('GET', '/subjects?orgUnitId=east-b', { token: tok['co-east-b-1'] });
    const c = (await s.call('GET', '/queues/tiny?include=descendants&limit=1', { token: tok['dm-tiny'] })).body.items[0];
    await s.call('GET', `/cases/${c.caseId}`, { token: tok['so-east-1'] });
    const log = await s.call('GET', `/audit?date=${today.slice(0, 10)}&limit=500`, { token: tok['dm-tiny'] });
    const entries = log.body.items as { staffId: string; action: string; caseId?: string; subjectIds?: string[]; targetOrgUnitId?: string; at: string }[];
    expect(entries).toContainEqual(expect.objectContaining({ staffId: 'co-east-b-1', role: 'community_officer', action: 'subjects.list', targetOrgUnitId: 'east-b' }));
    expect(entries).toContainEqual(expect.objectContaining({ staffId: 'so-east-1', action: 'case.read', caseId: c.caseId }));
    const text = JSON.stringify(log.body);
    expect(text).not.toMatch(/\+86|Staff |@example/);
    const earlier = await s.call('GET', '/audit?date=2026-03-02&limit=500', { token: tok['dm-tiny'] });
    expect(earlier.body.items.some((e: { action: string; staffId: string }) => e.action === 'case.read' && e.staffId === 'co-east-a-1')).toBe(true);
    expect(earlier.body.items.some((e: { action: string }) => e.action === 'subjects.list')).toBe(true);
    for (const id of ['sm-east', 'so-east-1', 'co-east-a-1', 'ul-east-school']) expectProblem(await s.call('GET', '/audit', { token: tok[id] }), 403, 'forbidden');
    expectProblem(await s.call('GET', '/audit?date=yesterday', { token: tok['dm-tiny'] }), 400, 'validation', ['query.date']);
  });
});

