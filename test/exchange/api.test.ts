// The exchange's routes and POST /events over real HTTP on one district (DynamoDB Local): signed department batches
// applied event by event and idempotent, the export outbox (CSV in the platform's field order) and the import of
// answers, a case's pending messages, the exchange report.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { signBody } from '../../functions/domain/department-events';
import { districtConfig } from '../../functions/domain/district-config';
import { exportFields } from '../../functions/domain/exchange';
import { startApiServer, type ApiServer } from '../api/support';
import { CHUANHUI, YILING, exchangeDistrict } from './support';

const START = '2026-03-02T02:00:00.000Z';
const KEY = 'k'.repeat(40);
let api: ApiServer;
let primaryId: string;

beforeAll(async () => {
  process.env.SHUDI_DEPARTMENT_KEY_CIVIL_AFFAIRS = KEY;
  const base = exchangeDistrict('chuanhui', CHUANHUI, [YILING]);
  const config = districtConfig.parse({ ...base, exchange: { ...base.exchange, departments: [{ id: 'civil-affairs', name: { zh: '民政局', en: 'Civil Affairs' }, events: ['birth', 'marriage', 'move_in', 'move_out', 'death'] }] } });
  api = await startApiServer(START, { config });
  const page = await api.rt.register.listSubjects({ id: 'chuanhui', kind: 'district' }, { limit: 100 });
  primaryId = page.items.find((s) => s.class === 'primary' && s.communityId === 'east-a')?.subjectId ?? page.items.find((s) => s.class === 'primary')!.subjectId;
}, 120_000);
afterAll(async () => {
  await api?.close();
  delete process.env.SHUDI_DEPARTMENT_KEY_CIVIL_AFFAIRS;
});

function signed(body: unknown, opts: { key?: string; department?: string; at?: number } = {}) {
  const raw = JSON.stringify(body);
  const ts = String(Math.floor((opts.at ?? Date.parse(START)) / 1000));
  return { raw, headers: { 'content-type': 'application/json', 'x-shudi-department': opts.department ?? 'civil-affairs', 'x-shudi-timestamp': ts, 'x-shudi-signature': signBody(opts.key ?? KEY, ts, raw) } };
}

describe('POST /events', () => {
  const batch = () => ({
    events: [
      { eventId: 'b-1', type: 'birth', subjectId: primaryId, date: '2026-03-01' },
      { eventId: 'm-1', type: 'move_in', subjectId: 'newcomer-1', date: '2026-03-01', communityId: 'east-b', class: 'mobile', originRegion: YILING },
      { eventId: 'b-2', type: 'birth', subjectId: 'nobody', date: '2026-03-01' },
      { eventId: 'b-3', type: 'birth', subjectId: primaryId, date: '2026-03-09' },
      { eventId: 'x-1', type: 'birth', date: '2026-03-01' },
    ],
  });

  it('refuses an unsigned, wrongly signed, stale or unknown-department batch and writes nothing', async () => {
    const before = await api.countItems();
    const good = signed(batch());
    for (const headers of [
      { ...good.headers, 'x-shudi-signature': signBody('x'.repeat(40), good.headers['x-shudi-timestamp'], good.raw) },
      { ...good.headers, 'x-shudi-department': 'police' },
      signed(batch(), { at: Date.parse(START) - 600_000 }).headers,
      { 'content-type': 'application/json' },
    ]) {
      const r = await api.call('POST', '/events', { raw: good.raw, headers });
      expect(r.status).toBe(401);
      expect(r.headers.get('content-type')).toContain('application/problem+json');
    }
    expect(await api.countItems()).toBe(before);
  });

  it('applies each event on its own, with a reason for each refusal, and a repeat applies nothing again', async () => {
    const req = signed(batch());
    const r = await api.call('POST', '/events', { raw: req.raw, headers: req.headers });
    expect(r.status).toBe(200);
    const items = r.body.items as { index: number; outcome: string; reason?: string; caseId?: string }[];
    expect(items.map((i) => i.outcome)).toEqual(['applied', 'applied', 'refused', 'refused', 'refused']);
    expect(items[2]!.reason).toMatch(/^unknown_subject/);
    expect(items[3]!.reason).toMatch(/^bad_date/);
    expect(items[4]!.reason).toMatch(/events\[4\]\.subjectId/);
    // A birth opens a follow-up visit; a mobile woman moving in gets her certificate check, verified with her origin.
    expect(await api.rt.cases.get(items[0]!.caseId!)).toMatchObject({ type: 'follow_up', data: { trigger: 'birth' } });
    expect(await api.rt.register.getSubject('newcomer-1')).toMatchObject({ class: 'mobile', communityId: 'east-b', originRegion: YILING });
    expect(await api.rt.cases.get(`${items[1]!.caseId}.origin`)).toMatchObject({ state: 'awaiting_outcome', data: { task: 'origin', originRegion: YILING } });
    const after = await api.countItems();
    const again = await api.call('POST', '/events', { raw: req.raw, headers: req.headers });
    expect((again.body.items as { outcome: string }[]).map((i) => i.outcome)).toEqual(['already_applied', 'already_applied', 'refused', 'refused', 'refused']);
    expect(await api.countItems()).toBe(after);
  });
});

describe('POST /events: a death', () => {
  it('takes her off the register with its record in one transaction, and only once', async () => {
    const page = await api.rt.register.listSubjects({ id: 'chuanhui', kind: 'district' }, { limit: 100 });
    const other = page.items.find((s) => s.class === 'primary' && s.subjectId !== primaryId)!;
    const req = signed({ events: [{ eventId: 'd-1', type: 'death', subjectId: other.subjectId, date: '2026-03-01' }] });
    const r = await api.call('POST', '/events', { raw: req.raw, headers: req.headers });
    expect(r.body.items[0].outcome).toBe('applied');
    expect(await api.rt.register.getSubject(other.subjectId)).toMatchObject({ leftOn: '2026-03-01', leftReason: 'death' });
    const birth = signed({ events: [{ eventId: 'b-9', type: 'birth', subjectId: other.subjectId, date: '2026-03-01' }] });
    expect((await api.call('POST', '/events', { raw: birth.raw, headers: birth.headers })).body.items[0].reason).toMatch(/^unknown_subject/);
    expect((await api.call('POST', '/events', { raw: req.raw, headers: req.headers })).body.items[0].outcome).toBe('already_applied');
  });
});

describe('the export outbox and the import of answers', () => {
  it('exports a verification request to a region with no partner as CSV in the platform’s field order, and the imported answer closes the sub-case once', async () => {
    const req = signed({ events: [{ eventId: 'm-2', type: 'move_in', subjectId: 'newcomer-2', date: '2026-03-01', communityId: 'east-a', originRegion: '110101' }] });
    const r = await api.call('POST', '/events', { raw: req.raw, headers: req.headers });
    const subCase = `${r.body.items[0].caseId}.origin`;
    const officer = await api.token('co-east-a-1');
    expect((await api.call('GET', '/exchange/export', { token: officer })).status).toBe(403);
    const dm = await api.token('dm-chuanhui');
    const csv = await api.call('GET', '/exchange/export?format=csv', { token: dm });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    const [header, ...rows] = csv.text.trim().split('\r\n');
    expect(header).toBe(exportFields.join(','));
    const row = rows.map((l) => Object.fromEntries(l.split(',').map((v, i) => [exportFields[i], v]))).find((x) => x.subjectRef === 'newcomer-2')!;
    expect(row).toMatchObject({ type: 'verification_request', fromRegion: CHUANHUI, toRegion: '110101', registeredOn: '2026-03-01' });
    // Pending on its case.
    const msgs = await api.call('GET', `/cases/${encodeURIComponent(subCase)}/messages`, { token: officer });
    expect(msgs.body.items).toEqual([expect.objectContaining({ messageId: row.messageId, route: 'export', state: 'exported' })]);
    expect((await api.call('GET', `/cases/${encodeURIComponent(subCase)}/messages`, { token: await api.token('co-west-a-1') })).status).toBe(404);

    const answers = { answers: [{ messageId: row.messageId, result: 'valid', date: '2026-03-02' }, { messageId: 'A'.repeat(20), result: 'valid', date: '2026-03-02' }] };
    const imported = await api.call('POST', '/exchange/import', { token: dm, body: answers });
    expect(imported.body.items.map((i: { outcome: string }) => i.outcome)).toEqual(['closed', 'refused']);
    expect(await api.rt.cases.get(subCase)).toMatchObject({ status: 'done', state: 'valid' });
    const again = await api.call('POST', '/exchange/import', { token: dm, body: answers });
    expect(again.body.items.map((i: { outcome: string }) => i.outcome)).toEqual(['already', 'refused']);
    expect((await api.rt.cases.getWithHistory(subCase))!.history).toHaveLength(2);
    expect((await api.call('GET', '/exchange/export', { token: dm })).body.rows.find((x: { subjectRef: string }) => x.subjectRef === 'newcomer-2')).toBeUndefined();
  });

  it('hands a subject over out of the district and reports the exchange beside the source’s targets', async () => {
    const officer = await api.token('co-east-a-1');
    const bad = await api.call('POST', '/exchange/handovers', { token: officer, body: { subjectId: primaryId, toRegion: '411600', toCommunityId: 'x', moveDate: '2026-03-01' } });
    expect(bad.status).toBe(400);
    expect(bad.body.errors[0].path).toBe('body.toRegion');
    const r = await api.call('POST', '/exchange/handovers', { token: officer, headers: { 'idempotency-key': 'move-1' }, body: { subjectId: primaryId, toRegion: YILING, toCommunityId: 'west-a', moveDate: '2026-03-01' } });
    expect(r.status).toBe(201);
    expect(r.body).toMatchObject({ type: 'handover', state: 'awaiting_ack', queueOrgUnitId: 'east-a' });
    // The sending community waits for the receipt: the case view offers it no acknowledge or reject.
    expect(r.body.allowedActions).toEqual(['escalate', 'cancel']);
    const ack = await api.call('POST', `/cases/${encodeURIComponent(r.body.caseId)}/actions`, { token: officer, body: { action: 'acknowledge' } });
    expect(ack.status).toBe(403);
    expect(ack.body.detail).toMatch(/receiving district \(420506\)/);
    const again = await api.call('POST', '/exchange/handovers', { token: officer, headers: { 'idempotency-key': 'move-1' }, body: { subjectId: primaryId, toRegion: YILING, toCommunityId: 'west-a', moveDate: '2026-03-01' } });
    expect(again.status).toBe(200);
    expect(again.body.caseId).toBe(r.body.caseId);
    const report = await api.call('GET', '/reports/exchange?from=2026-03-01&to=2026-03-31', { token: await api.token('dm-chuanhui') });
    expect(report.status).toBe(200);
    expect(report.body.byType.handover_out).toMatchObject({ created: 1, acknowledged: 0 });
    expect(report.body.byType.verification_request.created).toBe(2);
    expect(report.body.targets).toEqual({ submissionRate: 0.9, feedbackRate: 1 });
    expect(report.body.submissionRate).toBe(0.5); // the exported one was answered; the bus one is not sent yet
    expect((await api.call('GET', '/reports/exchange?orgUnitId=west&from=2026-03-01&to=2026-03-31', { token: officer })).status).toBe(404); // another street's report: not hers looks like not there
  });
});
