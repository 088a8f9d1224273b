// The API as one Lambda-style handler: (APIGatewayProxyEventV2, context?) → APIGatewayProxyResultV2.
// middy carries the request through one shell middleware (correlation id, security headers, the
// access log, errors as problem+json); the route table does the rest:
//   match route → caller from the JWT claims → parse path, query, body (zod) → handler.
// The same handler runs in Lambda behind API Gateway and in the local HTTP server.
import { randomUUID } from 'node:crypto';
import { Logger } from '@aws-lambda-powertools/logger';
import middy, { type MiddlewareObj } from '@middy/core';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import type { Staff } from '../domain/people';
import { businessDateOf } from '../domain/time';
import type { AuditEntry } from '../store/keys';
import { BadCursorError, CursorSeal, type CursorKeySource } from '../store/paging';
import { callerFromClaims, type Caller } from './access';
import { claimNamesFromEnv, type ClaimNames } from './claims';
import { openApiDocument } from './openapi';
import { HttpProblem, parseOr400, problemResponse, validationProblem } from './problem';
import { Router, type ApiDeps, type AuditFacts, type Ctx, type Route } from './router';
import { canonical } from '../app/canonical-json';
import { apiRoutes } from './routes';

export type ApiEvent = APIGatewayProxyEventV2 & {
  requestContext: APIGatewayProxyEventV2['requestContext'] & { authorizer?: { jwt?: { claims?: Record<string, unknown>; scopes?: string[] | null } } };
};
export type ApiHandler = (event: ApiEvent, context?: Context) => Promise<APIGatewayProxyStructuredResultV2>;

export interface Api {
  handler: ApiHandler;
  router: Router;
  routes: Route[];
  openapi(): Record<string, unknown>;
}

export type ApiDepsInput = Omit<ApiDeps, 'logger' | 'cursors'> & {
  logger?: Logger;
  /** The district's cursor key (Lambda: Secrets Manager; npm start: .data/cursor-key); absent: a key for this process only. */
  cursorKey?: CursorKeySource;
  /** The claims that carry staff id, org unit, role and district (default: OIDC_CLAIMS, else Cognito's custom:*). */
  claimNames?: ClaimNames;
};

const SECURITY_HEADERS: Record<string, string> = {
  'x-content-type-options': 'nosniff',
  'cache-control': 'no-store',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'content-security-policy': "default-src 'none'; frame-ancestors 'none'",
  'strict-transport-security': 'max-age=63072000; includeSubDomains',
};
/** Staff records are re-read at most this often per process (an import takes effect within it). */
const STAFF_TTL_MS = 60_000;
const IDEMPOTENCY_KEY = /^[\x21-\x7e]{1,200}$/;
/** Strict UTF-8 (a byte sequence that is not UTF-8 throws); a byte-order mark is kept, as before. */
const utf8 = new TextDecoder('utf-8', { fatal: true, ignoreBOM: true });

interface Meta {
  requestId: string;
  startedMs: number;
  route?: string;
  /** The matched route (a refusal of a staff route is audited). */
  matched?: Route;
  caller?: Caller;
  /** Path ids and the query's org unit, once they passed their schemas (a refusal's audit names them). */
  targets?: Pick<AuditEntry, 'caseId' | 'targetOrgUnitId' | 'targetStaffId'>;
  staffId?: string;
}

/** Every subject id a response body carries (`subjectId`, `subjectIds` at any depth), each once. */
export function subjectIdsIn(body: unknown): string[] {
  const out = new Set<string>();
  const walk = (v: unknown, depth: number): void => {
    if (depth > 8 || !v || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      for (const x of v) walk(x, depth + 1);
      return;
    }
    for (const [k, x] of Object.entries(v)) {
      if (k === 'subjectId' && typeof x === 'string') out.add(x);
      else if (k === 'subjectIds' && Array.isArray(x)) {
        for (const id of x) if (typeof id === 'string') out.add(id);
      } else walk(x, depth + 1);
    }
  };
  walk(body, 0);
  return [...out];
}

/** What a cursor is bound to: the route, the caller, the path and the query but for cursor and page size. */
function cursorBinding(route: Route, caller: Caller | undefined, params: unknown, query: Record<string, unknown>): string {
  const { cursor: _c, limit: _l, ...rest } = query;
  return `${route.method} ${route.path}|${caller?.staffId ?? ''}|${canonical(params)}|${canonical(rest)}`;
}

function lowerHeaders(h: Record<string, string | undefined> | undefined): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [k, v] of Object.entries(h ?? {})) if (v !== undefined) out[k.toLowerCase()] = v;
  return out;
}

/** The media type of a body, and whether its charset (if any) is UTF-8. */
function mediaTypeOf(contentType: string | undefined): { type?: string; utf8: boolean } {
  if (!contentType) return { utf8: true };
  const [type, ...params] = contentType.split(';').map((s) => s.trim().toLowerCase());
  const charset = params.find((p) => p.startsWith('charset='))?.slice(8).replace(/"/g, '');
  return { type, utf8: !charset || charset === 'utf-8' || charset === 'utf8' };
}

/** The audit targets among a route's path parameters. */
function targetsOf(params: Record<string, unknown>): NonNullable<Meta['targets']> {
  const t: NonNullable<Meta['targets']> = {};
  if (typeof params.caseId === 'string') t.caseId = params.caseId;
  if (typeof params.orgUnitId === 'string') t.targetOrgUnitId = params.orgUnitId;
  if (typeof params.staffId === 'string') t.targetStaffId = params.staffId;
  return t;
}

export function createApi(input: ApiDepsInput): Api {
  const { cursorKey, ...rest } = input;
  const deps: ApiDeps = { ...rest, logger: input.logger ?? new Logger({ serviceName: 'shudi-api' }), cursors: cursorKey ? new CursorSeal(cursorKey) : CursorSeal.ephemeral() };
  const { logger } = deps;
  const { territory } = deps.district;
  const claimNames = input.claimNames ?? claimNamesFromEnv();
  let doc: Record<string, unknown> | undefined;
  const openapi = () => (doc ??= openApiDocument(routes, { title: `shudi API (${deps.district.config.name.en})`, version: '0.1.0', district: territory.districtId }));
  const routes = apiRoutes(openapi);
  const router = new Router(routes);
  const staffCache = new Map<string, { at: number; staff: Staff | undefined }>();
  const meta = new WeakMap<object, Meta>();

  async function staffOf(staffId: string): Promise<Staff | undefined> {
    const hit = staffCache.get(staffId);
    if (hit && Date.now() - hit.at < STAFF_TTL_MS) return hit.staff;
    const staff = await deps.register.getStaff(staffId);
    staffCache.set(staffId, { at: Date.now(), staff });
    return staff;
  }

  /** The caller, checked against the register: a token for someone the district no longer has (or who moved) is refused. */
  async function authenticate(event: ApiEvent): Promise<Caller> {
    const caller = callerFromClaims(event.requestContext?.authorizer?.jwt?.claims, territory, claimNames);
    const staff = await staffOf(caller.staffId);
    if (!staff || staff.orgUnitId !== caller.orgUnitId || staff.role !== caller.role)
      throw new HttpProblem('unauthenticated', 'the token does not match the staff register (sign in again)');
    return caller;
  }

  async function dispatch(event: ApiEvent): Promise<APIGatewayProxyStructuredResultV2> {
    const m = meta.get(event)!;
    const method = (event.requestContext?.http?.method ?? 'GET').toUpperCase();
    let path = event.rawPath ?? '/';
    const stage = event.requestContext?.stage;
    if (stage && stage !== '$default' && path.startsWith(`/${stage}/`)) path = path.slice(stage.length + 1);
    const { route, params } = router.match(method, path);
    m.route = route.path;
    m.matched = route;
    const headers = lowerHeaders(event.headers);

    const caller = route.auth === 'staff' ? await authenticate(event) : (undefined as unknown as Caller);
    if (caller) {
      m.staffId = caller.staffId;
      m.caller = caller;
    }

    // Path ids are checked for shape here, before any handler can look them up.
    const parsedParams = route.params ? parseOr400(route.params, params, 'path') : params;
    m.targets = targetsOf(parsedParams as Record<string, unknown>);
    const query = (route.query ? parseOr400(route.query, event.queryStringParameters ?? {}, 'query') : {}) as Record<string, unknown>;
    if (typeof query.orgUnitId === 'string') m.targets.targetOrgUnitId = query.orgUnitId;
    // A sealed cursor is opened before the handler runs: an edited or borrowed one is a 400 and never a read.
    const binding = route.pages ? cursorBinding(route, caller, parsedParams, query) : '';
    if (route.pages && typeof query.cursor === 'string') query.cursor = await deps.cursors.open(query.cursor, binding);
    if (route.idempotencyKey && headers['idempotency-key'] !== undefined && !IDEMPOTENCY_KEY.test(headers['idempotency-key']))
      throw validationProblem([{ path: 'header.idempotency-key', message: 'an idempotency key is 1–200 visible ASCII characters' }]);

    let body: unknown;
    let mediaType: string | undefined;
    if (route.body) {
      const raw = event.body == null ? undefined : Buffer.from(event.body, event.isBase64Encoded ? 'base64' : 'utf8');
      if (raw && raw.length > route.body.maxBytes) throw new HttpProblem('too-large', `the body is over ${route.body.maxBytes / 1024 / 1024} MiB`);
      if (!raw || raw.length === 0) throw validationProblem([{ path: 'body', message: 'a request body is required' }]);
      const ct = mediaTypeOf(headers['content-type']);
      const json = ct.type === 'application/json' || (!!ct.type && /^application\/[\w.+-]+\+json$/.test(ct.type));
      const csv = !!route.body.csv && ct.type === 'text/csv';
      if (!(json || csv) || !ct.utf8)
        throw new HttpProblem('unsupported-media-type', `send ${route.body.csv ? 'application/json or text/csv' : 'application/json'} in UTF-8 (got ${headers['content-type'] ?? 'no content-type'})`);
      mediaType = csv ? 'text/csv' : 'application/json';
      // Bytes that are not UTF-8 are refused, not replaced with U+FFFD (a reason would be stored altered).
      let text: string;
      try {
        text = utf8.decode(raw);
      } catch {
        throw new HttpProblem('unsupported-media-type', 'the body is not valid UTF-8');
      }
      if (route.body.schema) {
        let parsed: unknown;
        try {
          parsed = JSON.parse(text);
        } catch {
          throw validationProblem([{ path: 'body', message: 'not valid JSON' }]);
        }
        body = parseOr400(route.body.schema, parsed, 'body');
      } else body = text;
    }

    const ctx: Ctx<unknown, unknown, unknown> = {
      params: parsedParams,
      query,
      body,
      caller,
      headers,
      ...(mediaType ? { mediaType } : {}),
      requestId: m.requestId,
      now: deps.clock.now().toISOString(),
      deps,
    };
    const result = await route.handler(ctx);
    await auditResponse(route, ctx, result, m);
    if (route.pages && result.body && typeof (result.body as { cursor?: unknown }).cursor === 'string') {
      const b = result.body as { cursor: string };
      result.body = { ...b, cursor: await deps.cursors.seal(b.cursor, binding) };
    }
    return {
      statusCode: result.status,
      headers: { 'content-type': 'application/json; charset=utf-8', ...(result.headers ?? {}) },
      // A text answer (the exchange's CSV export) goes as it is; everything else is JSON.
      body: typeof result.body === 'string' && result.headers?.['content-type']?.startsWith('text/') ? result.body : JSON.stringify(result.body),
    };
  }

  const entryBase = (requestId: string, caller: Caller | undefined, now: string): Omit<AuditEntry, 'action'> => ({
    auditId: randomUUID(),
    at: now,
    date: businessDateOf(now),
    ...(caller ? { staffId: caller.staffId, role: caller.role, orgUnitId: caller.orgUnitId } : {}),
    requestId,
  });

  /**
   * A response that carries subject data (any subject id) is audited with every id it carries,
   * before it is sent: if the entry cannot be written, the caller gets a 500, not the data.
   */
  async function auditResponse(route: Route, ctx: Ctx<unknown, unknown, unknown>, result: { body: unknown; audit?: AuditFacts }, m: Meta): Promise<void> {
    const { subjectIds: written = [], ...facts } = result.audit ?? {};
    const ids = [...new Set([...subjectIdsIn(result.body), ...written])];
    if (ids.length === 0 && !result.audit) return;
    await deps.audit.append({
      ...entryBase(ctx.requestId, ctx.caller, ctx.now),
      action: route.audit ?? route.operationId,
      route: `${route.method} ${route.path}`,
      ...(m.targets ?? {}),
      ...facts,
      ...(ids.length ? { subjectIds: ids } : {}),
    });
  }

  /** A refused request (4xx on a staff route): who, which route and ids, when, and the answer; never the body. */
  async function auditRefusal(m: Meta, problem: HttpProblem): Promise<void> {
    const route = m.matched;
    if (!route || route.auth !== 'staff' || problem.status < 400 || problem.status >= 500) return;
    try {
      await deps.audit.append({
        ...entryBase(m.requestId, m.caller, deps.clock.now().toISOString()),
        action: 'refused',
        route: `${route.method} ${route.path}`,
        ...(m.targets ?? {}),
        status: problem.status,
        problem: problem.kind,
      });
    } catch (err) {
      // The refusal stands either way; a lost entry is an error for the operators' alarm.
      logger.error('audit of a refusal failed', { requestId: m.requestId, route: m.route ?? null, error: err as Error });
    }
  }

  const finish = (event: object, res: APIGatewayProxyStructuredResultV2): APIGatewayProxyStructuredResultV2 => {
    const m = meta.get(event);
    const out = { ...res, headers: { ...SECURITY_HEADERS, ...(res.headers ?? {}), ...(m ? { 'x-request-id': m.requestId } : {}) } };
    if (m) logger.info('request', { requestId: m.requestId, route: m.route ?? null, status: out.statusCode, ms: Date.now() - m.startedMs, ...(m.staffId ? { staffId: m.staffId } : {}) });
    return out;
  };

  const shell: MiddlewareObj<ApiEvent, APIGatewayProxyStructuredResultV2> = {
    before: (request) => {
      const event = request.event ?? ({} as ApiEvent);
      request.event = event;
      const id = event.requestContext?.requestId || randomUUID();
      meta.set(event, { requestId: id, startedMs: Date.now() });
    },
    after: (request) => {
      request.response = finish(request.event, request.response ?? { statusCode: 204 });
    },
    onError: async (request) => {
      const err = request.error;
      const m = meta.get(request.event);
      const requestId = m?.requestId ?? randomUUID();
      let problem: HttpProblem;
      if (err instanceof HttpProblem) problem = err;
      else if (err instanceof BadCursorError) problem = validationProblem([{ path: 'query.cursor', message: 'not a cursor this service issued (for this list)' }]);
      else {
        // The cause goes to the log under the reference; the caller sees the reference only.
        logger.error('unhandled error', { requestId, route: m?.route ?? null, error: err as Error });
        problem = new HttpProblem('internal', `Internal error, reference ${requestId}`);
      }
      if (m) await auditRefusal(m, problem);
      request.response = finish(request.event, problemResponse(problem));
    },
  };

  const handler = middy<ApiEvent, APIGatewayProxyStructuredResultV2>()
    .use(shell)
    .handler(async (event: ApiEvent) => dispatch(event)) as unknown as ApiHandler;

  return { handler: (event, context) => handler(event, context ?? ({} as Context)), router, routes, openapi };
}
