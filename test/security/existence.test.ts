// Access without gaps (issue 11): what a signed-in staff member can learn beyond her scope, probed
// as an attacker with a valid account would, over real HTTP against the local server.
// - The reproduction: a street manager imported another street's subject with a community of her
//   own; the answer was 200 and the subject was rewritten. Now the row is refused, with the reason
//   a subject id the district does not have gets, and nothing is written.
// - "Exists but not yours" and "does not exist" answer alike on every route that takes an id.
// - Every refused request is audited (who, what, when; never the body); every response carrying
//   subject ids is audited with exactly those ids.
// - Path ids and cursors are checked before any read: a forged cursor is a 400 and no DynamoDB read.
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { businessInstant } from '../../functions/domain/time';
import { AUDIT_IDS_PER_ENTRY, AuditStore, auditExpiresAt } from '../../functions/store/audit-store';
import { documentClient } from '../../functions/store/client';
import { BadCursorError, CursorSeal, cursorKeyFrom } from '../../functions/store/paging';
import { startApiServer, type ApiServer, type Reply } from '../api/support';

const START = businessInstant('2026-03-02', '10:00');
let s: ApiServer;
const tok: Record<string, string> = {};
/** DynamoDB commands sent while `recording` is on (the API and the stores share the runtime's client). */
let recording: string[] | undefined;

beforeAll(async () => {
  s = await startApiServer(START);
  for (const id of ['dm-tiny', 'sm-east', 'sm-west', 'co-east-a-1', 'co-west-a-1', 'ul-east-school']) tok[id] = await s.token(id);
  s.rt.client.middlewareStack.add(
    (next, context) => async (args) => {
      // Before or after the document client's marshalling: a key value is a string or { S }.
      const input = args.input as { Item?: { PK?: unknown }; Key?: { PK?: unknown } };
      const raw = input.Item?.PK ?? input.Key?.PK;
      const pk = typeof raw === 'string' ? raw : (raw as { S?: string } | undefined)?.S;
      recording?.push(`${String(context.commandName).replace(/Command$/, '')}${typeof pk === 'string' ? ` ${pk.split('#')[0]}` : ''}`);
      return next(args);
    },
    { step: 'initialize', name: 'readRecorder' },
  );
});
afterAll(async () => {
  await s?.close();
});

async function recorded(fn: () => Promise<Reply>): Promise<{ r: Reply; commands: string[] }> {
  recording = [];
  try {
    const r = await fn();
    return { r, commands: recording };
  } finally {
    recording = undefined;
  }
}

describe('the reproduction: a street manager imports another street\'s subject', () => {
  it('is refused as a row error that names no fact about her, and writes nothing', async () => {
    // s-000012 is a primary subject of west-a (West Town); sm-east manages East Street.
    const before = await s.rt.register.getSubject('s-000012');
    expect(before).toMatchObject({ communityId: 'west-a', class: 'primary', registeredOn: '2017-03-03' });
    const westList = async () => (await s.call('GET', '/subjects?orgUnitId=west-a&limit=200', { token: tok['co-west-a-1'] })).body.items.map((x: { subjectId: string }) => x.subjectId);
    expect(await westList()).toContain('s-000012');
    const dataBefore = await s.countItems('data');

    const row = (subjectId: string) => ({ subjectId, class: 'mobile', communityId: 'east-a', registeredOn: '2026-01-01' });
    const theirs = await s.call('POST', '/imports/subjects', { token: tok['sm-east'], body: [row('s-000012')] });
    const nobody = await s.call('POST', '/imports/subjects', { token: tok['sm-east'], body: [row('s-999912')] });
    expect(theirs.status, theirs.text).toBe(200);
    expect(theirs.body.accepted).toBe(0);
    expect(theirs.body.rejected).toEqual([{ row: 1, field: 'subjectId', reason: expect.stringContaining('not a subject managed within your scope (east)') }]);
    // Exactly the answer for an id the district does not have.
    expect(theirs.body).toEqual(nobody.body);

    expect(await s.rt.register.getSubject('s-000012')).toEqual(before);
    expect(await westList()).toContain('s-000012');
    expect(await s.countItems('data')).toBe(dataBefore);
    // The import is audited; it wrote no subject, so it names none.
    expect(await s.auditOf(theirs.headers.get('x-request-id'))).toEqual([expect.objectContaining({ action: 'subjects.import', staffId: 'sm-east', count: 0 })]);
    expect((await s.auditOf(theirs.headers.get('x-request-id')))[0]!.subjectIds).toBeUndefined();
  });

  it('another street\'s subject with an open case is refused the same way (her open cases are never looked at)', async () => {
    const open = await s.call('POST', '/cases', { token: tok['co-west-a-1'], body: { type: 'follow_up', subjectId: 's-000003', trigger: 'manual', eventDate: '2026-03-01' } });
    expect(open.status, open.text).toBe(201);
    const r = await s.call('POST', '/imports/subjects', { token: tok['sm-east'], body: [{ subjectId: 's-000003', class: 'mobile', communityId: 'east-b', registeredOn: '2025-04-27' }] });
    expect(r.body.rejected[0].reason).not.toMatch(/open case/);
    expect(r.body.rejected[0].reason).toContain('not a subject managed within your scope');
  });
});

describe('"exists but not yours" answers as "does not exist"', () => {
  let westCase = '';
  beforeAll(async () => {
    const r = await s.call('POST', '/cases', { token: tok['co-west-a-1'], body: { type: 'health_check', subjectId: 's-000012' } });
    expect(r.status, r.text).toBe(201);
    westCase = r.body.caseId;
    // A derived id: anyone can compute it from a subject id and a period.
    expect(westCase).toMatch(/^health_check:s-000012:/);
  });

  /** Two requests that must answer alike: same status, same body once the id each named is swapped. */
  async function alike(name: string, mine: () => Promise<Reply>, none: () => Promise<Reply>, ids: [string, string]) {
    const a = await mine();
    const b = await none();
    expect(a.status, `${name}: ${a.text}`).toBe(404);
    expect(b.status, `${name}: ${b.text}`).toBe(404);
    expect(JSON.stringify(a.body).replaceAll(ids[0], 'ID'), name).toBe(JSON.stringify(b.body).replaceAll(ids[1], 'ID'));
  }

  it('on every route that takes an id', async () => {
    const t = tok['sm-east'];
    const ghost = westCase.replace('s-000012', 's-999999');
    await alike('GET /cases/{id}', () => s.call('GET', `/cases/${westCase}`, { token: t }), () => s.call('GET', `/cases/${ghost}`, { token: t }), [westCase, ghost]);
    await alike(
      'POST /cases/{id}/actions',
      () => s.call('POST', `/cases/${westCase}/actions`, { token: t, body: { action: 'escalate' } }),
      () => s.call('POST', `/cases/${ghost}/actions`, { token: t, body: { action: 'escalate' } }),
      [westCase, ghost],
    );
    const open = (subjectId: string) => () => s.call('POST', '/cases', { token: t, body: { type: 'health_check', subjectId } });
    await alike('POST /cases (subject)', open('s-000012'), open('s-999999'), ['s-000012', 's-999999']);
    const handover = (subjectId: string) => () =>
      s.call('POST', '/cases', { token: tok['ul-east-school'], body: { type: 'handover', subjectId, reason: 'resigned', effectiveDate: '2026-03-01', fromUnitId: 'east-school' } });
    await alike('POST /cases (a handover naming her own unit)', handover('s-000007'), handover('s-999997'), ['s-000007', 's-999997']);
    for (const [path, q] of [
      ['/queues/', ''],
      ['/subjects?orgUnitId=', ''],
      ['/reports/overdue-handovers?orgUnitId=', ''],
      ['/reports/on-time?from=2026-01-01&to=2026-03-01&orgUnitId=', ''],
      ['/staff/undeliverable?orgUnitId=', ''],
    ] as const) {
      await alike(`GET ${path}`, () => s.call('GET', `${path}west-a${q}`, { token: t }), () => s.call('GET', `${path}nowhere${q}`, { token: t }), ['west-a', 'nowhere']);
    }
    await alike(
      'PATCH /staff/{id}/preferences',
      () => s.call('PATCH', '/staff/co-west-a-1/preferences', { token: t, body: { language: 'en' } }),
      () => s.call('PATCH', '/staff/co-west-a-9/preferences', { token: t, body: { language: 'en' } }),
      ['co-west-a-1', 'co-west-a-9'],
    );
    await alike(
      'POST /staff/{id}/undeliverable/clear',
      () => s.call('POST', '/staff/co-west-a-1/undeliverable/clear', { token: t, body: {} }),
      () => s.call('POST', '/staff/co-west-a-9/undeliverable/clear', { token: t, body: {} }),
      ['co-west-a-1', 'co-west-a-9'],
    );
  });
});

describe('audit', () => {
  it('a refused request writes one entry: who, which route and id, when, the answer; never the body', async () => {
    const secret = 'a reason that must not be stored';
    const r = await s.call('POST', '/cases/fu-nope/actions', { token: tok['co-east-a-1'], body: { action: 'cancel', reason: secret } });
    expect(r.status).toBe(404);
    const entries = await s.auditOf(r.headers.get('x-request-id'));
    expect(entries).toEqual([
      expect.objectContaining({ action: 'refused', staffId: 'co-east-a-1', role: 'community_officer', orgUnitId: 'east-a', route: 'POST /cases/{caseId}/actions', caseId: 'fu-nope', status: 404, problem: 'not-found' }),
    ]);
    expect(JSON.stringify(entries)).not.toContain(secret);
    expect(entries[0]!.expiresAt).toBe(auditExpiresAt(entries[0]!.at, 2));
    // A 403 of a role that never may, and a 400: audited the same way.
    const role = await s.call('GET', '/audit', { token: tok['sm-east'] });
    expect(await s.auditOf(role.headers.get('x-request-id'))).toEqual([expect.objectContaining({ action: 'refused', staffId: 'sm-east', route: 'GET /audit', status: 403, problem: 'forbidden' })]);
    const bad = await s.call('GET', '/queues/east-a?limit=0', { token: tok['co-east-a-1'] });
    expect(await s.auditOf(bad.headers.get('x-request-id'))).toEqual([expect.objectContaining({ action: 'refused', route: 'GET /queues/{orgUnitId}', targetOrgUnitId: 'east-a', status: 400 })]);
  });

  it('a response carrying subject ids writes one entry naming exactly those ids', async () => {
    const q = await s.call('GET', '/queues/west-a', { token: tok['co-west-a-1'] });
    expect(q.status).toBe(200);
    const returned = [...new Set(q.body.items.map((c: { subjectId: string | null }) => c.subjectId).filter(Boolean))].sort();
    expect(returned.length).toBeGreaterThan(0);
    const [entry, ...more] = await s.auditOf(q.headers.get('x-request-id'));
    expect(more).toEqual([]);
    expect(entry).toMatchObject({ action: 'queue.read', staffId: 'co-west-a-1', route: 'GET /queues/{orgUnitId}', targetOrgUnitId: 'west-a' });
    expect([...entry!.subjectIds].sort()).toEqual(returned);
    // Reading the audit log shows subject ids: that read is audited too.
    const log = await s.call('GET', '/audit?limit=500', { token: tok['dm-tiny'] });
    const logIds = new Set<string>(log.body.items.flatMap((e: { subjectIds?: string[] }) => e.subjectIds ?? []));
    const [auditRead] = await s.auditOf(log.headers.get('x-request-id'));
    expect(auditRead).toMatchObject({ action: 'audit.read', staffId: 'dm-tiny' });
    expect(new Set(auditRead!.subjectIds)).toEqual(logIds);
  });

  it('an entry with more ids than one item holds is written in parts; entries expire after the retention', async () => {
    const audit = new AuditStore(documentClient(s.rt.client), s.rt.tableName, { retentionYears: 5 });
    expect(new AuditStore(documentClient(s.rt.client), s.rt.tableName, { retentionYears: 1 }).retentionYears).toBe(2);
    const ids = Array.from({ length: AUDIT_IDS_PER_ENTRY * 2 + 5 }, (_, i) => `s-${String(i).padStart(6, '0')}`);
    const at = s.rt.clock.now().toISOString();
    await audit.append({ auditId: 'parts-1', at, date: at.slice(0, 10), staffId: 'dm-tiny', action: 'report.read', subjectIds: ids, requestId: 'req-parts' });
    const parts = await s.auditOf('req-parts');
    expect(parts.map((p) => [p.auditId, p.part, p.parts, p.subjectIds.length])).toEqual([
      ['parts-1.1', 1, 3, AUDIT_IDS_PER_ENTRY],
      ['parts-1.2', 2, 3, AUDIT_IDS_PER_ENTRY],
      ['parts-1.3', 3, 3, 5],
    ]);
    expect(parts.flatMap((p) => p.subjectIds)).toEqual(ids);
    expect(parts[0]!.expiresAt).toBe(auditExpiresAt(at, 5));
    expect(auditExpiresAt('2024-02-29T04:00:00.000Z', 2)).toBe(Date.parse('2026-02-28T04:00:00.000Z') / 1000);
    // Appending the same entry again is refused: an entry is never replaced.
    await expect(audit.append({ auditId: 'parts-1.1', at, date: at.slice(0, 10), staffId: 'x', action: 'forged' })).rejects.toThrow(/conditional/i);
  });
});

describe('path ids and cursors are checked before any read', () => {
  it('a case id that is not of the service\'s shape is a 400 on path.caseId, with no read', async () => {
    for (const id of ['CASE%23x', 'a%20b', '%E4%B8%AD', 'x'.repeat(201)]) {
      const { r, commands } = await recorded(() => s.call('GET', `/cases/${id}`, { token: tok['dm-tiny'] }));
      expect(r.status, id).toBe(400);
      expect(r.body.errors.map((e: { path: string }) => e.path)).toEqual(['path.caseId']);
      // The caller's own staff record may be read (authentication); nothing else but the refusal's audit entry.
      expect(commands.filter((c) => c !== 'GetItem STAFF' && c !== 'PutItem AUDIT'), id).toEqual([]);
    }
  });

  it('a cursor is sealed: opaque, bound to its list and its caller; an edited or borrowed one is a 400 and never a read', async () => {
    const first = await s.call('GET', '/subjects?orgUnitId=east&limit=2', { token: tok['sm-east'] });
    const cursor: string = first.body.cursor;
    expect(cursor).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(Buffer.from(cursor, 'base64url').toString('latin1')).not.toMatch(/SUBJECT|GSI|PK|s-0000/);
    const next = await s.call('GET', `/subjects?orgUnitId=east&limit=2&cursor=${cursor}`, { token: tok['sm-east'] });
    expect(next.status).toBe(200);
    expect(next.body.items[0].subjectId > first.body.items[1].subjectId).toBe(true);
    // The page size may change between pages; nothing else may.
    expect((await s.call('GET', `/subjects?orgUnitId=east&limit=5&cursor=${cursor}`, { token: tok['sm-east'] })).status).toBe(200);

    const flip = (c: string, at: number) => {
      const b = Buffer.from(c, 'base64url');
      b[at] = b[at]! ^ 1;
      return b.toString('base64url');
    };
    const raw = Buffer.from(JSON.stringify({ PK: 'SUBJECT#s-000012', SK: 'SUBJECT', GSI3PK: 'SUBJECTS#east', GSI3SK: 's-000012' })).toString('base64url');
    const cases: [string, string, string][] = [
      ['an edited byte', '/subjects?orgUnitId=east', flip(cursor, 20)],
      ['an edited tag', '/subjects?orgUnitId=east', flip(cursor, Buffer.from(cursor, 'base64url').length - 1)],
      ['truncated', '/subjects?orgUnitId=east', cursor.slice(0, 30)],
      ['a raw table key (the old format)', '/subjects?orgUnitId=east', raw],
      ['another list', '/subjects?orgUnitId=east-a', cursor],
      ['another route', '/queues/east?include=descendants', cursor],
    ];
    for (const [what, path, c] of cases) {
      const { r, commands } = await recorded(() => s.call('GET', `${path}&cursor=${c}`, { token: tok['sm-east'] }));
      expect(r.status, `${what}: ${r.text}`).toBe(400);
      expect(r.body.errors, what).toEqual([{ path: 'query.cursor', message: expect.any(String) }]);
      expect(commands.filter((x) => x !== 'GetItem STAFF' && x !== 'PutItem AUDIT'), what).toEqual([]);
      expect(commands.filter((x) => x === 'PutItem AUDIT'), what).toHaveLength(1);
    }
    // Another staff member of the same street cannot use it either.
    const so = await s.token('so-east-1');
    expect((await s.call('GET', `/subjects?orgUnitId=east&limit=2&cursor=${cursor}`, { token: so })).status).toBe(400);
  });

  it('the seal: AES-256-GCM under a key derived per district; a key of another district opens nothing', async () => {
    const material = 'x'.repeat(64);
    const a = new CursorSeal(cursorKeyFrom(material, 'tiny'));
    const b = new CursorSeal(cursorKeyFrom(material, 'yiling'));
    const sealed = await a.seal('eyJQSyI6IngifQ', 'GET /subjects|sm-east');
    expect(await a.open(sealed, 'GET /subjects|sm-east')).toBe('eyJQSyI6IngifQ');
    await expect(b.open(sealed, 'GET /subjects|sm-east')).rejects.toBeInstanceOf(BadCursorError);
    await expect(a.open(sealed, 'GET /subjects|sm-west')).rejects.toBeInstanceOf(BadCursorError);
    // Two seals of one cursor differ (a fresh IV each time).
    expect(await a.seal('eyJQSyI6IngifQ', 'k')).not.toBe(await a.seal('eyJQSyI6IngifQ', 'k'));
    expect(() => cursorKeyFrom('short', 'tiny')).toThrow(/32 bytes/);
  });
});
