// Bad input, over real HTTP: every route of the route table (read from it, so a new route is fuzzed
// too) gets generated malformed or hostile requests — bad tokens, wrong methods and paths, hostile
// path parameters (unicode, ../, very long, ids of another district, SQL/NoSQL/JSONPath injection),
// bad queries (wrong types, duplicates, huge, forged cursors), bodies (wrong JSON types, missing and
// unknown fields, __proto__/constructor keys, 10,000-deep nesting, 2 MB and 5+ MB, invalid UTF-8,
// wrong content types) and bad Idempotency-Keys. fast-check generates them from a fixed seed
// (FUZZ_SEED overrides it; FUZZ_PER_ROUTE the count), so a failure is reproducible.
//
// Each must be 4xx application/problem+json, the body's status equal to the HTTP status and no
// internals; the server still answers /health; and a count of the table's items afterwards shows that
// nothing was written. A request the generator means to be bad but that the API accepts is counted
// apart and checked for doing what a valid request does (only reads; a read that carries subject
// ids appends one audit entry). Import bodies that are arrays of bad rows are 200 with every row
// rejected by contract: they are counted apart too, must accept nothing, and append one audit entry
// each. Every refusal of a request the API handled on a staff route appends one `refused` entry:
// the audit entries written are matched to the replies by request id, one for one.
import { Agent } from 'node:http';
import fc from 'fast-check';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Route } from '../../functions/api/router';
import { staffImportRow, subjectImportRow } from '../../functions/api/schemas';
import { businessInstant } from '../../functions/domain/time';
import { DevAuth } from '../../dev/local/dev-auth';
import { INDEXES } from '../../functions/store/table-design';
import { pool } from '../../functions/app/pool';
import { startApiServer, type ApiServer } from '../api/support';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { subjectIdsIn } from '../../functions/api/app';
import { HttpProblem } from '../../functions/api/problem';
import { countItems, hostileTokens, refusalProblems, send, type RawReply, type RawRequest } from './support';

const SEED = Number(process.env.FUZZ_SEED ?? 20260302);
/** Requests per route (every route of the table). */
// 1,000 per route keeps the suite within minutes on 2 cores; FUZZ_PER_ROUTE=5000 for a longer run.
const PER_ROUTE = Number(process.env.FUZZ_PER_ROUTE ?? 1000);
const CONCURRENCY = 16;
/** Of each body route's requests, this many are over its size limit (megabytes each). */
const OVERSIZED_PER_ROUTE = 12;
const START = businessInstant('2026-03-02', '10:00');
const MiB = 1024 * 1024;

let s: ApiServer;
const agent = new Agent({ keepAlive: true, maxSockets: CONCURRENCY });
let realCaseId = '';
let tokens: Record<string, string> = {};
let badTokens: Record<string, string> = {};

// The tiny district's ids (a hostile id must not be one of them) and another district's (Chuanhui).
const TINY_ORGS = ['tiny', 'east', 'west', 'east-a', 'east-b', 'west-a', 'east-school', 'west-mill'];
const TINY_STAFF = ['dm-tiny', 'sm-east', 'so-east-1', 'sm-west', 'so-west-1', 'co-east-a-1', 'co-east-a-2', 'co-east-b-1', 'co-west-a-1', 'ul-east-school', 'ul-west-mill'];
const OTHER_DISTRICT = { orgs: ['xinhua', 'chuanhui', 'tongqiao', 'zk-finance', 'zk-education'], staff: ['dm-chuanhui', 'sm-xinhua', 'co-tongqiao-1'], subjects: ['s-015289', 's-009999', 's-000014', 'S-000001'], cases: ['demo-ho-1', 'demo-fu-1', 'fu-from-another-district', 'hc-s-015000-2026h1'] };

// ---------------------------------------------------------------------------------------------
// Hostile values

const INJECTIONS = [
  "' OR '1'='1",
  "'; DROP TABLE cases; --",
  '" OR ""="',
  '1; SELECT * FROM staff',
  '{"$ne": null}',
  '{"$gt": ""}',
  '{"$where": "sleep(1000)"}',
  '$..*',
  '$[?(@.role=="district_manager")]',
  "attribute_exists(PK) OR begins_with(PK, 'SUBJECT#')",
  'PK = :pk OR :x',
  '#PK',
  ':pk',
  '${7*7}',
  '{{7*7}}',
  '<script>alert(1)</script>',
  '"><img src=x onerror=alert(1)>',
  '../../../../etc/passwd',
  '..\\..\\windows\\win.ini',
  '%2e%2e%2f%2e%2e%2f',
  'AUDIT#2026-03-02',
  'SUBJECT#s-000001',
  'CASE#x#H#1',
  'Q#east-a#open',
  '\u0000',
  'a\u0000b',
  '\r\nSet-Cookie: x=1',
  'constructor',
  '__proto__',
  'prototype',
  'toString',
  'hasOwnProperty',
];
const UNICODE = ['东甲社区', 'ﬀ', 'Å', 'e\u0301', '\u202Eevil', '\uFEFF', '\u200B', '😀', '\uD800', '\uDFFF', 'ｅａｓｔ－ａ', 'EAST-A', 'east-a\u0000', 'east-a ', ' east-a', 'іd', 'ǅ', '\u0085', '\u2028'];
const hostileString = fc.oneof(
  { arbitrary: fc.constantFrom(...INJECTIONS), weight: 4 },
  { arbitrary: fc.constantFrom(...UNICODE), weight: 2 },
  { arbitrary: fc.string({ unit: 'grapheme', maxLength: 40 }), weight: 2 },
  { arbitrary: fc.string({ unit: 'binary', maxLength: 40 }), weight: 1 },
  { arbitrary: fc.constantFrom(...OTHER_DISTRICT.orgs, ...OTHER_DISTRICT.staff, ...OTHER_DISTRICT.subjects, ...OTHER_DISTRICT.cases), weight: 3 },
  { arbitrary: fc.integer({ min: 64, max: 4000 }).map((n) => 'a'.repeat(n)), weight: 1 },
  { arbitrary: fc.constantFrom('', ' ', '.', '..', '-', '--', '0', '-1', 'null', 'undefined', 'true', 'NaN', 'Infinity', '1e309'), weight: 2 },
);
/** JSON values of the wrong type for a field (anything but a well-formed string), and hostile strings. */
const hostileJson: fc.Arbitrary<unknown> = fc.oneof(
  hostileString,
  fc.constantFrom(null, true, false, 0, -1, 1e308, -0, 1.5, [], {}, [null], { $ne: null }, { $gt: '' }, ['east-a'], { __proto__: { admin: true } }),
  fc.integer(),
  fc.double(),
  fc.array(fc.string({ maxLength: 5 }), { maxLength: 5 }),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 }), { maxKeys: 4 }),
);
/** A whole nesting level count: ~10,000 levels (arrays or objects). */
const deep = (n: number, kind: 'array' | 'object') => (kind === 'array' ? '['.repeat(n) + ']'.repeat(n) : '{"a":'.repeat(n) + '1' + '}'.repeat(n));

/** JSON text from entries, so `__proto__` and `constructor` go out as plain keys (JSON.parse makes them own properties). */
function objectText(entries: [string, unknown | { raw: string }][]): string {
  return `{${entries.map(([k, v]) => `${JSON.stringify(k)}:${v && typeof v === 'object' && 'raw' in (v as object) ? (v as { raw: string }).raw : JSON.stringify(v)}`).join(',')}}`;
}

// ---------------------------------------------------------------------------------------------
// The generator

interface Gen extends RawRequest {
  route: string;
  defect: string;
  /** The status the defect must produce (when one is documented); otherwise any 4xx. */
  expect?: number;
  /** Import bodies of bad rows: 200, nothing accepted (by contract). */
  rows?: number;
}


/** How many audit entries each request id has. */
async function auditRequestIds(): Promise<Map<string, number>> {
  const written = new Map<string, number>();
  let start: Record<string, any> | undefined;
  do {
    const out = await s.rt.client.send(
      new ScanCommand({ TableName: s.rt.tableName, FilterExpression: 'begins_with(PK, :a)', ExpressionAttributeValues: { ':a': { S: 'AUDIT#' } }, ProjectionExpression: 'requestId', ExclusiveStartKey: start, ConsistentRead: true }),
    );
    for (const item of out.Items ?? []) written.set(item.requestId?.S ?? '?', (written.get(item.requestId?.S ?? '?') ?? 0) + 1);
    start = out.LastEvaluatedKey;
  } while (start);
  return written;
}

/** The parameter values, base query and base body of a request each route would accept from the district manager. */
function baseFor(route: Route) {
  const params: Record<string, string> = {};
  for (const n of route.path.match(/\{(\w+)\}/g)?.map((x) => x.slice(1, -1)) ?? [])
    params[n] = n === 'caseId' ? realCaseId : n === 'orgUnitId' ? 'east-a' : n === 'staffId' ? 'co-east-a-1' : 'x';
  const query: [string, string][] = route.path === '/reports/on-time' ? [['from', '2026-01-01'], ['to', '2026-03-31']] : [];
  const bodies: Record<string, [string, unknown][]> = {
    CreateCase: [['type', 'follow_up'], ['subjectId', 's-000001'], ['trigger', 'manual'], ['eventDate', '2026-03-01']],
    CaseAction: [['action', 'reject'], ['reason', 'not ours']],
    PreferencesPatch: [['channel', 'email']],
    ClearUndeliverable: [['channel', 'sms']],
  };
  const body = route.body?.schema ? (bodies[route.body.componentId] ?? []) : undefined;
  return { params, query, body };
}

/** Percent-encoding that also takes lone surrogates (as their UTF-8 replacement character). */
function enc(v: string): string {
  try {
    return encodeURIComponent(v);
  } catch {
    return [...Buffer.from(v, 'utf8')].map((b) => `%${b.toString(16).toUpperCase().padStart(2, '0')}`).join('');
  }
}
const pathOf = (route: Route, params: Record<string, string>, encode = true) => route.path.replace(/\{(\w+)\}/g, (_m, n: string) => (encode ? enc(params[n]!) : params[n]!));
const queryText = (q: [string, string][]) => (q.length ? `?${q.map(([k, v]) => `${enc(k)}=${enc(v)}`).join('&')}` : '');

/** Whether a path (as the server normalises it) reaches some route or the local server's own pages. */
function reachesSomething(path: string, method: string): boolean {
  let p: string;
  try {
    p = new URL(path, 'http://localhost').pathname;
  } catch {
    return false;
  }
  if (p === '/' || p.startsWith('/dev/')) return true;
  try {
    s.api.router.match(method, p);
    return true;
  } catch {
    return false;
  }
}

/**
 * Bodies over the limit, a fixed number per route (each is megabytes on the wire, so they are not
 * left to the weights): 2 MB for 1 MiB routes, 5 MiB + 1 KiB for imports, and 6.5 MB (over the local
 * server's read cap) — valid JSON that would otherwise parse.
 */
function oversized(route: Route, token: string, count: number): Gen[] {
  if (!route.body) return [];
  const key = `${route.method} ${route.path}`;
  const path = pathOf(route, baseFor(route).params) + queryText(baseFor(route).query);
  const sizes = Array.from({ length: count }, (_, i) => (i % 4 === 3 ? Math.round(6.5 * MiB) : Math.max(route.body!.maxBytes + 1024, 2 * MiB)));
  return sizes.map((n) => ({
    route: key,
    defect: `body: ${(n / MiB).toFixed(1)} MB`,
    method: route.method,
    path,
    headers: { accept: 'application/json', 'content-type': 'application/json', authorization: `Bearer ${token}` },
    body: Buffer.from(route.body!.schema ? JSON.stringify({ ...Object.fromEntries(baseFor(route).body ?? []), pad: 'x'.repeat(n) }) : `["${'x'.repeat(n)}"]`),
    expect: 413,
  }));
}

function arbitraryFor(route: Route): fc.Arbitrary<Gen> {
  const key = `${route.method} ${route.path}`;
  const base = baseFor(route);
  const staffRoute = route.auth === 'staff';
  const goodToken = fc.oneof({ arbitrary: fc.constant('dm-tiny'), weight: 3 }, { arbitrary: fc.constantFrom(...TINY_STAFF), weight: 1 }).map((id) => tokens[id]!);
  const jsonBody = (text: string | Buffer) => (Buffer.isBuffer(text) ? text : Buffer.from(text, 'utf8'));
  const baseBodyText = base.body ? objectText(base.body) : route.body ? '[]' : undefined;
  const make = (defect: string, r: Partial<Gen> & { token?: string | undefined; query?: [string, string][]; params?: Record<string, string>; rawPath?: string }): Gen => {
    const path = r.rawPath ?? `${pathOf(route, r.params ?? base.params)}${queryText(r.query ?? base.query)}`;
    const headers: Record<string, string> = { accept: 'application/json', ...(r.headers ?? {}) };
    if (staffRoute && r.token !== undefined) headers.authorization ??= `Bearer ${r.token}`;
    let body = r.body;
    if (body === undefined && route.body && baseBodyText !== undefined && !('body' in r)) body = jsonBody(baseBodyText);
    if (route.body && body !== undefined && !('content-type' in headers) && !r.headers?.['x-no-content-type']) headers['content-type'] = 'application/json';
    delete headers['x-no-content-type'];
    return { route: key, defect, method: r.method ?? route.method, path, headers, ...(body !== undefined ? { body } : {}), ...(r.expect ? { expect: r.expect } : {}), ...(r.rows ? { rows: r.rows } : {}) };
  };
  const defects: { arbitrary: fc.Arbitrary<Gen>; weight: number }[] = [];

  // Tokens: missing, garbage, expired, forged, another district's, alg=none, HS256 confusion, missing claims.
  if (staffRoute) {
    const garbage = fc.oneof(
      fc.constantFrom(...Object.keys(badTokens)).map((k) => ({ name: k, header: `Bearer ${badTokens[k]}` as string | undefined })),
      fc.constantFrom<[string, string | undefined]>(
        ['no Authorization', undefined],
        ['Bearer only', 'Bearer'],
        ['Basic', 'Basic ZG0tdGlueTpwYXNzd29yZA=='],
        ['two tokens', `Bearer a.b.c Bearer d.e.f`],
        ['huge token', `Bearer ${'a'.repeat(8000)}`],
        ['token with spaces', 'Bearer a b'],
        ['JSON in the header', 'Bearer {"custom:role":"district_manager"}'],
      ).map(([name, header]) => ({ name, header })),
      fc.string({ unit: 'binary-ascii', maxLength: 60 }).filter((x) => /^[\x20-\x7e]*$/.test(x)).map((x) => ({ name: 'random ascii', header: `Bearer ${x}` as string | undefined })),
    );
    defects.push({
      weight: 4,
      arbitrary: garbage.map((g) => make(`token: ${g.name}`, { headers: g.header === undefined ? {} : { authorization: g.header }, expect: 401 })),
    });
  }

  // Methods this path does not serve.
  const methods = ['GET', 'POST', 'PUT', 'DELETE', 'PATCH', 'OPTIONS', 'TRACE'].filter((m) => !reachesSomething(pathOf(route, base.params), m));
  if (methods.length) defects.push({ weight: 2, arbitrary: fc.tuple(fc.constantFrom(...methods), goodToken).map(([m, t]) => make(`method ${m}`, { method: m, token: t, expect: 405 })) });

  // Paths next to this one that no route serves.
  const shapes: [string, (p: string) => string][] = [
    ['trailing slash', (p) => `${p}/`],
    ['extra segment', (p) => `${p}/x`],
    ['traversal segment', (p) => `${p}/..%2f..%2fme`],
    ['prefix', (p) => `/v1${p}`],
    ['upper case', (p) => p.toUpperCase()],
    ['nul', (p) => `${p}%00`],
    ['matrix param', (p) => `${p};jsessionid=1`],
    ['extension', (p) => `${p}.json`],
    ['encoded slash', (p) => p.replace(/\/([^/]*)$/, '%2f$1')],
    ['double slash inside', (p) => p.replace(/^(\/[^/]+)/, '$1/')],
  ];
  const shaped = shapes.filter(([, f]) => !reachesSomething(f(pathOf(route, base.params)), route.method));
  if (shaped.length) defects.push({ weight: 1, arbitrary: fc.tuple(fc.constantFrom(...shaped), goodToken).map(([[name, f], t]) => make(`path: ${name}`, { rawPath: f(pathOf(route, base.params)) + queryText(base.query), token: t })) });

  // Hostile path parameters (never an id the district has).
  const paramNames = Object.keys(base.params);
  if (paramNames.length) {
    const real = new Set([...TINY_ORGS, ...TINY_STAFF, realCaseId]);
    defects.push({
      weight: 4,
      arbitrary: fc.tuple(fc.constantFrom(...paramNames), hostileString.filter((v) => v !== '' && !real.has(v)), goodToken, fc.boolean()).map(([n, v, t, rawDots]) => {
        const params = { ...base.params, [n]: v };
        // Raw ../ segments are resolved by the URL parser before routing: send them encoded, and sometimes half-encoded.
        const p = rawDots ? pathOf(route, params).replace(/%2E/gi, '.') : pathOf(route, params);
        return make(`path param ${n}`, { rawPath: `${p}${queryText(base.query)}`, token: t });
      }).filter((g) => !reachesSomething(g.path, route.method) || g.path.startsWith(pathOf(route, {}, false).split('{')[0]!)),
    });
    defects.push({ weight: 1, arbitrary: fc.tuple(fc.constantFrom(...paramNames), fc.constantFrom('%', '%E0%A4%A', '%ZZ', '%C0%AF', '%uD800'), goodToken).map(([n, bad, t]) => make(`path param ${n}: bad percent-encoding`, { rawPath: pathOf(route, { ...base.params, [n]: '\u0001' }).replace('%01', bad) + queryText(base.query), token: t })) });
  }

  // Queries: unknown keys, hostile values, duplicates, huge values, forged cursors, missing required keys.
  const q = route.query as unknown as { safeParse(v: unknown): { success: boolean }; shape?: Record<string, unknown> } | undefined;
  if (q?.shape) {
    const names = Object.keys(q.shape);
    const baseQ = Object.fromEntries(base.query);
    const invalid = (k: string, v: string) => !q.safeParse({ ...baseQ, [k]: v }).success;
    const cursorValues = fc.oneof(
      hostileString,
      fc.constantFrom(
        {},
        { PK: 'AUDIT#2026-03-02' },
        { PK: 'AUDIT#2026-03-02', GSI1PK: 'x' },
        { [INDEXES.district.pk]: 'SUBJECTS#tiny' },
        { [INDEXES.queue.pk]: 'SUBJECTS#east-a' },
        { [INDEXES.street.pk]: 'SUBJECTS#east' },
        { [INDEXES.queue.pk]: 'Q#east-a#open' },
        { [INDEXES.queue.pk]: 'Q#east-a#open', [INDEXES.queue.sk]: '2026' },
        { PK: 'CASE#x', SK: 'CASE', [INDEXES.queue.pk]: 'Q#east-a#open', [INDEXES.queue.sk]: 1 },
        { after: 1 },
        { after: { $gt: '' } },
        [1, 2],
        'a string',
        null,
      ).map((v) => Buffer.from(JSON.stringify(v)).toString('base64url')),
    );
    const value = (k: string) => (k === 'cursor' ? cursorValues : k === 'orgUnitId' ? fc.oneof(hostileString, fc.constantFrom(...OTHER_DISTRICT.orgs)) : hostileString);
    defects.push({
      weight: 4,
      arbitrary: fc.tuple(fc.constantFrom(...names), goodToken).chain(([k, t]) =>
        value(k)
          .filter((v) => k === 'cursor' || k === 'orgUnitId' || invalid(k, v))
          .filter((v) => !(k === 'orgUnitId' && TINY_ORGS.includes(v)))
          .map((v) => make(`query ${k}`, { query: [...base.query.filter(([x]) => x !== k), [k, v]], token: t })),
      ),
    });
    defects.push({
      weight: 1,
      arbitrary: fc.tuple(fc.oneof(fc.constantFrom('__proto__', 'constructor', 'toString', 'prototype', '$where', 'orgUnitId[$ne]', 'a[]', '', ' '), fc.string({ maxLength: 12 })).filter((k) => !names.includes(k)), fc.string({ maxLength: 10 }), goodToken).map(([k, v, t]) =>
        make('query: unknown key', { query: [...base.query, [k, v]], token: t }),
      ),
    });
    const dupable = names.filter((k) => k !== 'cursor' && k !== 'orgUnitId');
    if (dupable.length)
      defects.push({ weight: 1, arbitrary: fc.tuple(fc.constantFrom(...dupable), goodToken).map(([k, t]) => make(`query ${k}: duplicated`, { query: [...base.query.filter(([x]) => x !== k), [k, k === 'limit' ? '5' : k === 'status' ? 'open' : k === 'include' ? 'descendants' : k === 'overdue' ? 'false' : '2026-03-01'], [k, k === 'limit' ? '5' : k === 'status' ? 'open' : k === 'include' ? 'descendants' : k === 'overdue' ? 'false' : '2026-03-01']], token: t })) });
    defects.push({ weight: 1, arbitrary: fc.tuple(fc.constantFrom(...names), fc.integer({ min: 2100, max: 8000 }), goodToken).map(([k, n, t]) => make(`query ${k}: huge`, { query: [...base.query.filter(([x]) => x !== k), [k, 'x'.repeat(n)]], token: t })) });
    const required = base.query.filter(([k]) => !q.safeParse(Object.fromEntries(base.query.filter(([x]) => x !== k))).success);
    if (required.length) defects.push({ weight: 1, arbitrary: fc.tuple(fc.constantFrom(...required), goodToken).map(([[k], t]) => make(`query ${k}: missing`, { query: base.query.filter(([x]) => x !== k), token: t })) });
  }

  // Idempotency keys: empty, too long, spaces, control and 8-bit characters.
  if (route.idempotencyKey) {
    const bad = fc.oneof(
      fc.constantFrom('', ' ', 'a b', '\t', 'ключ'.replace(/./g, 'é'), 'key\u00ff', 'k'.repeat(201)),
      fc.integer({ min: 201, max: 8000 }).map((n) => 'k'.repeat(n)),
      fc.string({ unit: 'binary', maxLength: 30 }).map((x) => x.replace(/[^\t\x20-\xff]/g, ' ')).filter((x) => !/^[\x21-\x7e]{1,200}$/.test(x.trim())), // (HTTP trims a header value's outer whitespace)
    );
    defects.push({ weight: 2, arbitrary: fc.tuple(bad, goodToken).map(([k, t]) => make('idempotency-key', { headers: { 'idempotency-key': k }, token: t, expect: 400 })) });
  }

  // Bodies.
  if (route.body) {
    const schema = route.body.schema;
    const entries = base.body ?? [];
    const rejectedBySchema = (text: string) => {
      if (!schema) return true;
      try {
        return !schema.safeParse(JSON.parse(text)).success;
      } catch {
        return true;
      }
    };
    const wrongTop = fc.oneof(
      fc.constantFrom('null', 'true', '0', '"text"', '1e400', '{}', '{"a":1}', '""', '[]', '[[]]', `[${objectText(entries)}]`, '{', '}', '{"type":', '{"a":1,}', "{'a':1}", 'NaN', '\u0000', '{"a":1}{"b":2}'),
      fc.constantFrom<'array' | 'object'>('array', 'object').map((k) => deep(10_000, k)),
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
    );
    if (schema) {
      const names = entries.map(([k]) => k);
      const mutated = fc.oneof(
        // a field's value of the wrong type or hostile
        ...(names.length ? [fc.tuple(fc.constantFrom(...names), hostileJson).map(([k, v]) => objectText(entries.map(([x, y]) => [x, x === k ? v : y])))] : []),
        // a field 10,000 levels deep
        ...(names.length ? [fc.tuple(fc.constantFrom(...names), fc.constantFrom<'array' | 'object'>('array', 'object')).map(([k, kind]) => objectText(entries.map(([x, y]) => [x, x === k ? { raw: deep(10_000, kind) } : y])))] : []),
        // a missing field
        ...(names.length ? [fc.constantFrom(...names).map((k) => objectText(entries.filter(([x]) => x !== k)))] : []),
        // an unknown field (prototype pollution keys included)
        fc.tuple(fc.oneof(fc.constantFrom('__proto__', 'constructor', 'prototype', '$where', 'isAdmin', 'role', 'custom:role', 'ownerOrgUnitId', 'caseId', 'status', 'history'), fc.string({ maxLength: 12 })), hostileJson)
          .filter(([k]) => !names.includes(k))
          .map(([k, v]) => objectText([...entries, [k, k === '__proto__' || k === 'constructor' ? { prototype: { isAdmin: true }, isAdmin: true } : v]])),
        // a field named twice (the last wins in JSON.parse)
        ...(names.length ? [fc.tuple(fc.constantFrom(...names), hostileJson).map(([k, v]) => objectText([...entries, [k, v]]))] : []),
      );
      defects.push({ weight: 5, arbitrary: fc.tuple(fc.oneof({ arbitrary: mutated, weight: 4 }, { arbitrary: wrongTop, weight: 1 }), goodToken).filter(([text]) => rejectedBySchema(text)).map(([text, t]) => make('body', { body: jsonBody(text), token: t })) });
    } else if (route.path.startsWith('/imports/')) {
      // Imports: anything but an array (or CSV) is refused; an array of bad rows is 200 with every row rejected.
      // (Other raw bodies, POST /events, are signed batches: their own test is test/exchange/.)
      const topLevel = wrongTop.filter((text) => {
        try {
          return !Array.isArray(JSON.parse(text));
        } catch {
          return true;
        }
      });
      defects.push({ weight: 3, arbitrary: fc.tuple(topLevel, fc.constant(tokens['dm-tiny']!)).map(([text, t]) => make('import body: not an array', { body: jsonBody(text), token: t })) });
      const row = route.path.endsWith('/staff') ? staffImportRow : subjectImportRow;
      const goodRow: Record<string, string> = route.path.endsWith('/staff')
        ? { staffId: 'fz-staff', name: 'Fuzz', role: 'community_officer', orgUnitId: 'east-a', phone: '+8613900000999', email: 'fz@example.cn' }
        : { subjectId: 'fz-subject', class: 'primary', communityId: 'east-a', registeredOn: '2026-01-01' };
      const checked = Object.keys(goodRow).filter((k) => k !== 'name');
      const badRow = fc.tuple(fc.constantFrom(...checked), fc.oneof(hostileJson, fc.constantFrom(...OTHER_DISTRICT.orgs))).map(([k, v]) => objectText(Object.entries({ ...goodRow, [k]: v }) as [string, unknown][]));
      const badRowChecked = badRow.filter((text) => {
        const r = JSON.parse(text) as Record<string, unknown>;
        const parsed = row.safeParse(r);
        return !parsed.success || OTHER_DISTRICT.orgs.includes(String(r.orgUnitId ?? r.communityId));
      });
      defects.push({
        weight: 2,
        arbitrary: fc.tuple(fc.array(fc.oneof(badRowChecked, fc.constantFrom('null', '1', '"row"', '[]', objectText([['__proto__', { isAdmin: true }]]), deep(10_000, 'array'))), { minLength: 1, maxLength: 30 })).map(([rows]) => make('import rows: all bad', { body: jsonBody(`[${rows.join(',')}]`), token: tokens['dm-tiny']!, rows: rows.length })),
      });
      const columns = Object.keys(row.shape);
      defects.push({
        weight: 1,
        arbitrary: fc.oneof(
          fc.tuple(fc.constantFrom('__proto__', 'constructor', 'toString', '=cmd|" /C calc"!A0', 'unknown', '"', ''), fc.subarray(columns)).map(([bad, cols]) => `${[...cols, bad].join(',')}\nx\n`),
          fc.constantFrom(`${columns[0]},${columns[0]}\na,b\n`, `"${columns[0]}\nunterminated`, `${columns.join(',')}\n"a,b\n`),
        ).map((csv) => make('import body: bad CSV', { body: jsonBody(csv), headers: { 'content-type': 'text/csv' }, token: tokens['dm-tiny']! })),
      });
      defects.push({ weight: 1, arbitrary: fc.constant(make('import body: over 20,000 rows', { body: jsonBody(`[${Array(20_001).fill('{}').join(',')}]`), token: tokens['dm-tiny']!, expect: 413 })) });
    }
    // Media types other than JSON in UTF-8 (and CSV for imports).
    const types = fc.constantFrom(
      'x-no-content-type',
      'text/plain',
      'application/x-www-form-urlencoded',
      'multipart/form-data; boundary=x',
      'application/xml',
      'application/json; charset=latin1',
      'application/json; charset=utf-16',
      'application/jsonx',
      '*/*',
      'json',
      'application/octet-stream',
      ...(route.body.csv ? [] : ['text/csv']),
    );
    defects.push({ weight: 2, arbitrary: fc.tuple(types, goodToken).map(([ct, t]) => make(`content-type ${ct}`, { headers: ct === 'x-no-content-type' ? { 'x-no-content-type': '1' } : { 'content-type': ct }, token: t, expect: 415 })) });
    // Not UTF-8: lone continuation bytes, overlong encodings, surrogates, truncated sequences inside a string value.
    const badBytes = fc.constantFrom([0xff], [0xfe, 0xff], [0xc0, 0xaf], [0xe0, 0x80, 0xaf], [0xed, 0xa0, 0x80], [0xc3], [0x80], [0xf8, 0x88, 0x80, 0x80, 0x80], [0xf4, 0x90, 0x80, 0x80]);
    defects.push({
      weight: 1,
      arbitrary: fc.tuple(badBytes, goodToken).map(([bytes, t]) => {
        const text = baseBodyText ?? '[]';
        const at = text.lastIndexOf('"') > 0 ? text.lastIndexOf('"') : 1;
        return make('body: invalid UTF-8', { body: Buffer.concat([Buffer.from(text.slice(0, at)), Buffer.from(bytes), Buffer.from(text.slice(at))]), token: t, expect: 415 });
      }),
    });
    defects.push({ weight: 1, arbitrary: goodToken.map((t) => make('body: empty', { body: Buffer.alloc(0), token: t, expect: 400 })) });
  }

  // Routes with nothing else to get wrong (health, openapi.json, me, org-units) still get the token,
  // method and path defects above; junk queries and headers ride along as noise on every route without a query schema.
  const noise = fc.record({
    junkQuery: q ? fc.constant('') : fc.oneof(fc.constant(''), fc.constantFrom('?a=1', '?__proto__[x]=1', `?x=${'y'.repeat(2000)}`, '?limit=-1&limit=abc', "?id='%20OR%201=1--")),
    spoof: fc.constantFrom<Record<string, string>>({}, { 'x-forwarded-for': '10.0.0.1' }, { 'x-amzn-oidc-identity': 'dm-tiny' }, { 'x-api-key': 'x' }, { 'x-http-method-override': 'DELETE' }, { cookie: 'session=dm-tiny' }),
  });
  return fc.tuple(fc.oneof(...defects.map((d) => ({ arbitrary: d.arbitrary, weight: Math.round(d.weight * 10) }))), noise).map(([g, n]) => ({ ...g, path: g.path.includes('?') ? g.path : g.path + n.junkQuery, headers: { ...n.spoof, ...g.headers } }));
}

// ---------------------------------------------------------------------------------------------

beforeAll(async () => {
  s = await startApiServer(START);
  for (const id of TINY_STAFF) tokens[id] = await s.token(id);
  badTokens = await hostileTokens(s, DevAuth.claimsOf({ staffId: 'dm-tiny', orgUnitId: 'tiny', role: 'district_manager' }, 'tiny'));
  const r = await s.call('POST', '/cases', { token: tokens['co-east-a-1'], body: { type: 'follow_up', subjectId: 's-000011', trigger: 'service', eventDate: '2026-03-01' } });
  if (r.status !== 201) throw new Error(r.text);
  realCaseId = r.body.caseId;
}, 120_000);
afterAll(async () => {
  agent.destroy();
  await s?.close();
});

describe('bad input', () => {
  it(`every route: ${PER_ROUTE} generated hostile requests each (seed ${SEED}): 4xx problem+json, the server stays up, nothing written`, async () => {
    const routes = s.api.routes;
    const t0 = Date.now();
    const generated: Gen[] = [];
    routes.forEach((route, i) => {
      const big = oversized(route, tokens['dm-tiny']!, OVERSIZED_PER_ROUTE);
      generated.push(...big, ...fc.sample(arbitraryFor(route), { seed: SEED + i, numRuns: PER_ROUTE - big.length }));
    });

    const generatedIn = (Date.now() - t0) / 1000;
    const before = await countItems(s);
    const auditedBefore = await auditRequestIds();
    const started = Date.now();
    const replies = await pool(generated, CONCURRENCY, (g) => send(s.url, agent, g));
    const seconds = (Date.now() - started) / 1000;

    const failures: string[] = [];
    const histogram: Record<string, number> = {};
    const perRoute: Record<string, { sent: number; statuses: Record<number, number> }> = {};
    const accepted: string[] = [];
    let auditWrites = 0;
    /** Request ids whose reply must have appended exactly one audit entry. */
    const audited = new Map<string, string>();
    const requestIdOf = (r: RawReply) => (typeof r.headers['x-request-id'] === 'string' ? r.headers['x-request-id'] : undefined);
    /** Whether the API (not the local server's own checks) handled it on a staff route. */
    const staffRoute = (g: Gen) => {
      try {
        return s.api.router.match(g.method, new URL(g.path, 'http://localhost').pathname).route.auth === 'staff';
      } catch (err) {
        if (err instanceof HttpProblem) return false;
        throw err;
      }
    };
    let maxBody = 0;
    let notSent = 0;
    generated.forEach((g, i) => {
      const r = replies[i]! as RawReply & { error?: string };
      const pr = (perRoute[g.route] ??= { sent: 0, statuses: {} });
      if (r.status === -1) {
        notSent++; // the client refused to send it (a header character node:http will not write)
        if (notSent <= 3) console.log(`  not sendable: ${g.route} [${g.defect}] ${r.error}`);
        return;
      }
      pr.sent++;
      pr.statuses[r.status] = (pr.statuses[r.status] ?? 0) + 1;
      histogram[r.status] = (histogram[r.status] ?? 0) + 1;
      maxBody = Math.max(maxBody, r.bytes);
      const show = () => `${g.route} [${g.defect}] ${g.method} ${g.path.slice(0, 120)} → ${r.status} ${r.text.slice(0, 200)}`;
      if (g.rows && r.status === 200) {
        const b = JSON.parse(r.text) as { accepted: number; rejected: { row: number }[] };
        if (b.accepted !== 0 || new Set(b.rejected.map((x) => x.row)).size !== g.rows) failures.push(`import rows: ${show()}`);
        auditWrites++;
        audited.set(requestIdOf(r) ?? `missing-${i}`, show());
        return;
      }
      if (r.status >= 200 && r.status < 300) {
        // Meant to be bad, accepted: only a read may be (and an audited read appends one entry).
        accepted.push(show());
        if (g.method !== 'GET') failures.push(`ACCEPTED A WRITE: ${show()}`);
        else if (subjectIdsIn(JSON.parse(r.text)).length > 0) {
          auditWrites++;
          audited.set(requestIdOf(r) ?? `missing-${i}`, show());
        }
        return;
      }
      const rid = requestIdOf(r);
      if (r.status >= 400 && r.status < 500 && rid && staffRoute(g)) {
        auditWrites++;
        audited.set(rid, show());
      }
      const problems = refusalProblems(r);
      if (g.expect && r.status !== g.expect) problems.unshift(`expected ${g.expect}`);
      if (problems.length) failures.push(`${problems.join('; ')}: ${show()}`);
    });

    const health = await s.call('GET', '/health');
    const after = await countItems(s);
    // The entries written in the run, by request id: one per audited reply, none for anything else.
    const written = await auditRequestIds();
    for (const rid of auditedBefore.keys()) written.delete(rid);
    for (const [rid, what] of audited) if (written.get(rid) !== 1) failures.push(`audit: ${written.get(rid) ?? 0} entries for ${what}`);
    for (const [rid, n] of written) if (!audited.has(rid)) failures.push(`audit: ${n} entries for request ${rid}, which should have none`);

    console.log(`fuzz: ${generated.length - notSent} requests over ${routes.length} routes (generated in ${generatedIn.toFixed(1)} s) sent in ${seconds.toFixed(1)} s (${Math.round((generated.length - notSent) / seconds)}/s, ${CONCURRENCY} at a time, seed ${SEED}), ${notSent} not sendable by node:http`);
    for (const [route, v] of Object.entries(perRoute)) console.log(`  ${route.padEnd(42)} ${String(v.sent).padStart(5)}  ${Object.entries(v.statuses).map(([k, n]) => `${k}:${n}`).join(' ')}`);
    console.log(`  statuses: ${Object.entries(histogram).map(([k, n]) => `${k}:${n}`).join(' ')}; largest response ${maxBody} bytes`);
    console.log(`  accepted although meant to be bad: ${accepted.length} (reads); import bodies of bad rows: ${generated.filter((g) => g.rows).length}`);
    for (const a of accepted.slice(0, 10)) console.log(`    ${a}`);
    console.log(`  items before ${JSON.stringify(before)}, after ${JSON.stringify(after)}, audit entries expected from reads carrying subject ids, imports and refusals ${auditWrites}`);
    for (const f of failures.slice(0, 40)) console.log(`  FAIL ${f}`);

    expect(health.status).toBe(200);
    expect(failures).toEqual([]);
    expect(after.other).toBe(before.other);
    expect(after.audit - before.audit).toBe(auditWrites);
    expect(generated.length - notSent).toBeGreaterThanOrEqual(5000);
    for (const route of routes) expect(perRoute[`${route.method} ${route.path}`]?.sent ?? 0).toBeGreaterThan(0);
  }, 600_000);
});
