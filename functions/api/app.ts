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
import { BadCursorError } from '../store/paging';
import { callerFromClaims, type Caller } from './access';
import { openApiDocument } from './openapi';
import { HttpProblem, parseOr400, problemResponse, validationProblem } from './problem';
import { Router, type ApiDeps, type Ctx, type Route } from './router';
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

export type ApiDepsInput = Omit<ApiDeps, 'logger'> & { logger?: Logger };

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
  staffId?: string;
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

export function createApi(input: ApiDepsInput): Api {
  const deps: ApiDeps = { ...input, logger: input.logger ?? new Logger({ serviceName: 'shudi-api' }) };
  const { logger } = deps;
  const { territory } = deps.district;
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
    const caller = callerFromClaims(event.requestContext?.authorizer?.jwt?.claims, territory);
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
    const headers = lowerHeaders(event.headers);

    const caller = route.auth === 'staff' ? await authenticate(event) : (undefined as unknown as Caller);
    if (caller) m.staffId = caller.staffId;

    const parsedParams = route.params ? parseOr400(route.params, params, 'path') : params;
    const query = route.query ? parseOr400(route.query, event.queryStringParameters ?? {}, 'query') : {};
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
    return {
      statusCode: result.status,
      headers: { 'content-type': 'application/json; charset=utf-8', ...(result.headers ?? {}) },
      // A text answer (the exchange's CSV export) goes as it is; everything else is JSON.
      body: typeof result.body === 'string' && result.headers?.['content-type']?.startsWith('text/') ? result.body : JSON.stringify(result.body),
    };
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
    onError: (request) => {
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
      request.response = finish(request.event, problemResponse(problem));
    },
  };

  const handler = middy<ApiEvent, APIGatewayProxyStructuredResultV2>()
    .use(shell)
    .handler(async (event: ApiEvent) => dispatch(event)) as unknown as ApiHandler;

  return { handler: (event, context) => handler(event, context ?? ({} as Context)), router, routes, openapi };
}
