// GET /application-codes: the district config's applications list, in its order, with both names, for any staff
// member (the dashboard's application form lists it); the codes are the ones POST /cases takes, and no other.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { businessInstant } from '../../functions/domain/time';
import { tinyDistrict } from '../support/tiny-district';
import { startApiServer, type ApiServer } from './support';

let s: ApiServer;
const tok: Record<string, string> = {};
beforeAll(async () => {
  s = await startApiServer(businessInstant('2026-03-02', '10:00'));
  for (const id of ['co-east-a-1', 'ul-east-school']) tok[id] = await s.token(id);
});
afterAll(async () => {
  await s?.close();
});

describe('GET /application-codes', () => {
  it("lists the district's codes in config order with both names; 401 without a token", async () => {
    for (const who of ['co-east-a-1', 'ul-east-school']) {
      const r = await s.call('GET', '/application-codes', { token: tok[who] });
      expect(r.status).toBe(200);
      expect(r.body).toEqual({ items: tinyDistrict.applications.map((a) => ({ code: a.code, name: { 'zh-CN': a.name.zh, en: a.name.en } })) });
    }
    expect((await s.call('GET', '/application-codes')).status).toBe(401);
  });

  it('the codes listed are the ones an application opens with; another is a 400 that writes nothing', async () => {
    const subjects = await s.call('GET', '/subjects?orgUnitId=east-a&limit=200', { token: tok['co-east-a-1'] });
    const subjectId = subjects.body.items[0].subjectId as string;
    const codes = (await s.call('GET', '/application-codes', { token: tok['co-east-a-1'] })).body.items.map((x: { code: string }) => x.code);
    const before = await s.countItems('data');
    const bad = await s.call('POST', '/cases', { token: tok['co-east-a-1'], body: { type: 'application', subjectId, code: 'pregnancy_test', receivedOn: '2026-03-02' } });
    expect(bad.status).toBe(400);
    expect(bad.body.detail).toMatch(/not an application code/);
    expect(await s.countItems('data')).toBe(before);
    for (const code of codes) {
      const r = await s.call('POST', '/cases', { token: tok['co-east-a-1'], body: { type: 'application', subjectId, code, receivedOn: '2026-03-02' } });
      expect(r.status, r.text).toBe(201);
      expect(r.body).toMatchObject({ type: 'application', state: 'awaiting_opinion', ownerOrgUnitId: 'east-a', data: { code } });
    }
  });
});
