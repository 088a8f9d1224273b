// The envelope and the partner config, as zod states them: what a receiver accepts, what a config may say.
import { describe, expect, it } from 'vitest';
import { districtConfig } from '../../functions/domain/district-config';
import { ackOf, envelope, exchangeConfig, makeEnvelope, messageIdOf, retryDelayMs } from '../../functions/domain/exchange';
import { signBody, verifySignature } from '../../functions/domain/department-events';
import { exchangeDistrict, CHUANHUI, YILING } from './support';

const request = () => makeEnvelope('verification_request', CHUANHUI, YILING, 'cc-1.origin', '2026-03-02T02:00:00.000Z', { caseId: 'cc-1.origin', subjectRef: 's-1', registeredOn: '2026-03-01', answerBy: '2026-03-31' });

describe('the envelope', () => {
  it('round-trips and has a deterministic id per cause', () => {
    const m = request();
    expect(envelope.parse(JSON.parse(JSON.stringify(m)))).toEqual(m);
    expect(m.messageId).toBe(request().messageId);
    expect(m.messageId).not.toBe(makeEnvelope('verification_request', CHUANHUI, YILING, 'cc-2.origin', m.createdAt, m.body).messageId);
    expect(ackOf(m, 'applied', m.createdAt).messageId).toBe(ackOf(m, 'duplicate', '2026-04-01T00:00:00.000Z').messageId);
    expect(ackOf(m, 'applied', m.createdAt)).toMatchObject({ from: YILING, to: CHUANHUI, inReplyTo: m.messageId });
  });

  it.each([
    ['an unknown field in the body (a name, say)', (m: any) => ({ ...m, body: { ...m.body, name: 'x' } }), 'body'],
    ['an unknown type', (m: any) => ({ ...m, type: 'gossip' }), 'type'],
    ['a prefecture code', (m: any) => ({ ...m, to: '411600' }), 'to'],
    ['a bad date', (m: any) => ({ ...m, body: { ...m.body, registeredOn: '2026-02-30' } }), 'body.registeredOn'],
    ['another version', (m: any) => ({ ...m, v: 2 }), 'v'],
    ['an ack without inReplyTo', (m: any) => ({ ...m, type: 'ack', body: { outcome: 'applied' } }), 'inReplyTo'],
  ])('refuses %s', (_, change, path) => {
    const r = envelope.safeParse(change(request()));
    expect(r.success).toBe(false);
    expect(r.error!.issues.map((i) => i.path.join('.')).join(' ')).toContain(path);
  });

  it('backs off from a minute, doubling, to at most six hours', () => {
    expect([1, 2, 3, 10, 30].map(retryDelayMs)).toEqual([60_000, 120_000, 240_000, 6 * 3_600_000, 6 * 3_600_000]);
    expect(messageIdOf('a')).toMatch(/^[A-Za-z0-9_-]{32}$/);
  });
});

describe('the partner config', () => {
  it('admits China regions only, and no partner twice or the district itself', () => {
    const base = exchangeDistrict('chuanhui', CHUANHUI, [YILING]).exchange!;
    const p = base.partners[0]!;
    const issues = (x: unknown) => (exchangeConfig.safeParse(x).error?.issues ?? []).map((i) => `${i.path.join('.')}: ${i.message}`);
    expect(issues({ ...base, partners: [{ ...p, region: 'us-east-1' }] })[0]).toMatch(/^partners\.0\.region/);
    expect(issues({ ...base, partners: [p, p] })).toContain(`partners.1.code: partner ${YILING} is listed twice`);
    expect(issues({ ...base, partners: [{ ...p, code: CHUANHUI }] })).toContain('partners.0.code: a district is not its own partner');
    expect(issues({ ...base, partners: [{ ...p, account: '12' }] })[0]).toMatch(/^partners\.0\.account/);
    const bad = districtConfig.safeParse({ ...exchangeDistrict('chuanhui', CHUANHUI, [YILING]), exchange: { divisionCode: '4116' } });
    expect(bad.error?.issues.map((i) => i.path.join('.'))).toEqual(['exchange.divisionCode']);
  });
});

describe('department signatures', () => {
  it('accept the signed body within five minutes only, and nothing else', () => {
    const key = 'k'.repeat(40);
    const body = '{"events":[]}';
    const ts = '1772416800';
    const now = 1772416800_000;
    const sig = signBody(key, ts, body);
    expect(verifySignature(key, ts, sig, body, now)).toEqual({ ok: true });
    expect(verifySignature(key, ts, sig, body.replace('[]', '[1]'), now)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySignature('x'.repeat(40), ts, sig, body, now)).toEqual({ ok: false, reason: 'mismatch' });
    expect(verifySignature(key, ts, sig, body, now + 301_000)).toEqual({ ok: false, reason: 'stale' });
    expect(verifySignature(key, undefined, sig, body, now)).toEqual({ ok: false, reason: 'missing' });
  });
});
