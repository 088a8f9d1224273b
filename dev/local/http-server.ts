// The local HTTP server of `npm start` and the API tests: plain node:http. Each API request becomes
// an APIGatewayProxyEventV2 (as API Gateway's HTTP API sends it, with the claims of a token verified
// as its JWT authorizer would in requestContext.authorizer.jwt.claims) and goes to the same handler
// the Lambda runs. Besides the API it serves /dev/login, /dev/clock, /dev/outbox, the dashboard's
// built files and, with `oidc`, the local OpenID provider at /oidc and the dashboard's /config.js
// naming it.
import { randomUUID } from 'node:crypto';
import { isUtf8 } from 'node:buffer';
import { createReadStream, existsSync, statSync } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { extname, posix, resolve, sep } from 'node:path';
import type { Api, ApiEvent } from '../../functions/api/app';
import { HttpProblem, PROBLEM_BASE, parseOr400, problemResponse, validationProblem } from '../../functions/api/problem';
import { devClockBody, devLoginBody, devOutboxQuery } from '../../functions/api/schemas';
import type { SinkRecord } from '../../functions/adapters/local-sink';
import { maskPhone } from '../../functions/domain/reminders';
import { jobsBetween } from '../../functions/app/schedule';
import type { RegisterStore } from '../../functions/store/register-store';
import { AuthError, type DevAuth } from './dev-auth';
import { createDevOidc, OIDC_MOUNT, type DevOidc } from './oidc-provider';
import type { LocalRuntime } from './runtime';

/** Hard cap on what the server reads of a body (the API's own limits are lower: 1 MiB, imports 5 MiB). */
const MAX_READ = 6 * 1024 * 1024;

export interface ClockControl {
  now(): Date;
  /** Moves the clock forward, running whatever falls due; returns what happened. */
  advance(ms: number): Promise<Record<string, unknown>>;
  /** Runs what is due at the clock's current time (the background loop). */
  tick(): Promise<void>;
}

/** What the local sink would have sent (functions/adapters/local-sink.ts), for GET /dev/outbox. */
export interface OutboxSource {
  list(filter: { staffId?: string; channel?: 'sms' | 'email'; kind?: string; since?: string; limit?: number }): readonly SinkRecord[];
}

export interface LocalServerOptions {
  api: Api;
  auth: DevAuth;
  register: RegisterStore;
  clock?: ClockControl;
  /** The local sink: GET /dev/outbox lists it (absent: 404, and the dashboard shows no Outbox page). */
  outbox?: OutboxSource;
  /** The dashboard's build output; served when it exists. */
  staticDir?: string;
  /** Unexpected errors of the server itself (not the API's). */
  onError?: (err: unknown) => void;
  /**
   * Runs the local OpenID provider at /oidc (startLocalServer only: its issuer is the server's URL),
   * its accounts the register's staff, and the tokens the API accepts become its tokens.
   */
  oidc?: { accessTokenTtlSeconds?: number; refreshTokenTtlSeconds?: number; redirectUris?: string[] };
}

const CONTENT_TYPES: Record<string, string> = {
  '.html': 'text/html; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.mjs': 'text/javascript; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.json': 'application/json; charset=utf-8',
  '.map': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.jpg': 'image/jpeg',
  '.jpeg': 'image/jpeg',
  '.gif': 'image/gif',
  '.webp': 'image/webp',
  '.ico': 'image/x-icon',
  '.woff': 'font/woff',
  '.woff2': 'font/woff2',
  '.ttf': 'font/ttf',
  '.wasm': 'application/wasm',
  '.webmanifest': 'application/manifest+json',
};

const NOT_BUILT = `<!doctype html><meta charset="utf-8"><title>shudi</title>
<body style="font-family: system-ui, sans-serif; max-width: 40rem; margin: 3rem auto">
<h1>shudi 属地</h1>
<p>The dashboard is not built (<code>functions/dashboard/dist</code> is missing). The API is running:
try <a href="/health">/health</a> and <a href="/openapi.json">/openapi.json</a>, and sign in with
<code>curl -s -X POST localhost:PORT/dev/login -H 'content-type: application/json' -d '{"staffId":"…"}'</code>.</p>
</body>`;

function send(res: ServerResponse, status: number, headers: Record<string, string | number | boolean | undefined>, body?: string | Buffer) {
  const h: Record<string, string> = {};
  for (const [k, v] of Object.entries(headers)) if (v !== undefined) h[k] = String(v);
  res.writeHead(status, h);
  res.end(body);
}

function sendProblem(res: ServerResponse, p: HttpProblem) {
  const r = problemResponse(p, { 'x-content-type-options': 'nosniff', 'cache-control': 'no-store' });
  send(res, r.statusCode ?? 500, r.headers ?? {}, r.body);
}

function sendJson(res: ServerResponse, status: number, body: unknown) {
  send(res, status, { 'content-type': 'application/json; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' }, JSON.stringify(body));
}

/** The address of a sink record, masked again if it somehow is not (a record must never show a whole phone or e-mail). */
function masked(r: SinkRecord): string {
  if (r.to.includes('*')) return r.to;
  if (r.channel === 'sms') return maskPhone(r.to);
  const at = r.to.indexOf('@');
  return at > 0 ? `${r.to[0]}***${r.to.slice(at)}` : '***';
}

/** One GET /dev/outbox item: what would have been sent, to whom (staff id, masked address), when, by which channel. */
export function outboxView(r: SinkRecord) {
  return {
    at: r.at,
    channel: r.channel,
    staffId: r.staffId,
    orgUnitId: r.orgUnitId,
    to: masked(r),
    kind: r.kind,
    language: r.language,
    ...(r.subject !== undefined ? { subject: r.subject } : {}),
    text: r.text,
    ...(r.caseId !== undefined ? { caseId: r.caseId } : {}),
  };
}

/** The body, up to MAX_READ bytes; past that, `tooLarge` (the rest is read and dropped). */
function readBody(req: IncomingMessage): Promise<{ body: Buffer; tooLarge: boolean }> {
  return new Promise((ok, fail) => {
    const chunks: Buffer[] = [];
    let size = 0;
    let tooLarge = false;
    req.on('data', (c: Buffer) => {
      size += c.length;
      if (size > MAX_READ) tooLarge = true;
      else chunks.push(c);
    });
    req.on('end', () => ok({ body: Buffer.concat(chunks), tooLarge }));
    req.on('error', fail);
  });
}

function isTextual(contentType: string | undefined): boolean {
  if (!contentType) return true;
  const t = contentType.split(';')[0]!.trim().toLowerCase();
  return t.startsWith('text/') || t === 'application/json' || t.endsWith('+json') || t === 'application/x-www-form-urlencoded';
}

/** A file under `root` for a URL path, or undefined (never a path outside `root`). */
function fileUnder(root: string, urlPath: string): string | undefined {
  let decoded: string;
  try {
    decoded = decodeURIComponent(urlPath);
  } catch {
    return undefined;
  }
  if (decoded.includes('\0')) return undefined;
  const full = resolve(root, `.${posix.normalize(`/${decoded}`)}`);
  if (full !== root && !full.startsWith(root + sep)) return undefined;
  try {
    return statSync(full).isFile() ? full : undefined;
  } catch {
    return undefined;
  }
}

function serveFile(req: IncomingMessage, res: ServerResponse, file: string, urlPath: string) {
  const type = CONTENT_TYPES[extname(file).toLowerCase()] ?? 'application/octet-stream';
  const immutable = urlPath.startsWith('/assets/');
  res.writeHead(200, {
    'content-type': type,
    'content-length': statSync(file).size,
    'x-content-type-options': 'nosniff',
    'cache-control': immutable ? 'public, max-age=31536000, immutable' : 'no-cache',
  });
  if (req.method === 'HEAD') res.end();
  else createReadStream(file).pipe(res);
}

/** The APIGatewayProxyEventV2 API Gateway's HTTP API would send for this request. */
function toEvent(req: IncomingMessage, url: URL, body: Buffer, claims: Record<string, unknown> | undefined): ApiEvent {
  const headers: Record<string, string> = {};
  for (const [k, v] of Object.entries(req.headers)) if (v !== undefined) headers[k] = Array.isArray(v) ? v.join(',') : v;
  // Repeated keys joined with commas, as API Gateway does; every key an own property (`__proto__` and
  // `constructor` too), so the API's strict query schemas see them as API Gateway's JSON would carry them.
  const joined = new Map<string, string>();
  for (const [k, v] of url.searchParams) joined.set(k, joined.has(k) ? `${joined.get(k)},${v}` : v);
  const query: Record<string, string> = Object.fromEntries(joined);
  const now = new Date();
  // A body that is not UTF-8 goes base64-encoded, so the API sees its bytes (and refuses them) instead of U+FFFD.
  const text = isTextual(headers['content-type']) && isUtf8(body);
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    ...(Object.keys(query).length ? { queryStringParameters: query } : {}),
    requestContext: {
      accountId: 'local',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'localhost',
      http: { method: req.method ?? 'GET', path: url.pathname, protocol: `HTTP/${req.httpVersion}`, sourceIp: req.socket.remoteAddress ?? '127.0.0.1', userAgent: headers['user-agent'] ?? '' },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
      ...(claims ? { authorizer: { jwt: { claims, scopes: null } } } : {}),
    },
    ...(body.length ? { body: text ? body.toString('utf8') : body.toString('base64') } : {}),
    isBase64Encoded: body.length > 0 && !text,
  } as ApiEvent;
}

export function createLocalServer(opts: LocalServerOptions): Server {
  return buildServer(opts, {});
}

function buildServer(opts: LocalServerOptions, signIn: { oidc?: DevOidc }): Server {
  const { api, auth, register } = opts;
  const staticDir = opts.staticDir ? resolve(opts.staticDir) : undefined;

  async function devRoute(req: IncomingMessage, res: ServerResponse, url: URL, body: Buffer) {
    const path = url.pathname;
    const json = () => {
      const type = (req.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
      if (type !== 'application/json') throw new HttpProblem('unsupported-media-type', 'send application/json');
      try {
        return JSON.parse(body.toString('utf8')) as unknown;
      } catch {
        throw validationProblem([{ path: 'body', message: 'not valid JSON' }]);
      }
    };
    if (path === '/dev/login' && req.method === 'POST') {
      const { staffId } = parseOr400(devLoginBody, json(), 'body');
      const staff = await register.getStaff(staffId);
      if (!staff) throw new HttpProblem('not-found', `no staff member "${staffId}" in district ${auth.districtId}`);
      const issued = await auth.issue(auth.claimsFor(staff));
      return sendJson(res, 200, { ...issued, staffId: staff.staffId, role: staff.role, orgUnitId: staff.orgUnitId, district: auth.districtId });
    }
    if (path === '/dev/clock' && opts.clock) {
      if (req.method === 'GET') return sendJson(res, 200, { now: opts.clock.now().toISOString() });
      if (req.method === 'POST') {
        const b = parseOr400(devClockBody, json(), 'body');
        const ms = 'advanceDays' in b ? b.advanceDays * 86_400_000 : b.advanceHours * 3_600_000;
        const fired = await opts.clock.advance(Math.round(ms));
        return sendJson(res, 200, { now: opts.clock.now().toISOString(), fired });
      }
      throw new HttpProblem('method-not-allowed', `${req.method} is not allowed on ${path}`, undefined, { allow: 'GET, POST' });
    }
    if (path === '/dev/outbox' && opts.outbox) {
      if (req.method !== 'GET') throw new HttpProblem('method-not-allowed', `${req.method} is not allowed on ${path}`, undefined, { allow: 'GET' });
      const query: Record<string, string> = {};
      for (const [k, v] of url.searchParams) if (v !== '') query[k] = v;
      const q = parseOr400(devOutboxQuery, query, 'query');
      const items = opts.outbox.list({ ...(q.staffId ? { staffId: q.staffId } : {}), ...(q.channel ? { channel: q.channel } : {}), ...(q.kind ? { kind: q.kind } : {}), ...(q.since ? { since: new Date(q.since).toISOString() } : {}), limit: q.limit });
      return sendJson(res, 200, { items: items.map(outboxView) });
    }
    throw new HttpProblem('not-found', `no route ${req.method} ${path}`);
  }

  async function handle(req: IncomingMessage, res: ServerResponse) {
    const url = new URL(req.url ?? '/', 'http://localhost');
    const path = url.pathname;
    const method = req.method ?? 'GET';
    // The provider reads its own bodies; the dashboard learns from /config.js where to sign in.
    if (signIn.oidc && (path === OIDC_MOUNT || path.startsWith(`${OIDC_MOUNT}/`))) return signIn.oidc.handle(req, res);
    if (signIn.oidc && path === '/config.js' && (method === 'GET' || method === 'HEAD')) {
      const config = { oidc: { issuer: signIn.oidc.issuer, clientId: signIn.oidc.clientId } };
      return send(res, 200, { 'content-type': 'text/javascript; charset=utf-8', 'cache-control': 'no-store', 'x-content-type-options': 'nosniff' }, method === 'HEAD' ? undefined : `window.SHUDI_CONFIG = Object.assign({}, window.SHUDI_CONFIG, ${JSON.stringify(config)});\n`);
    }
    const { body, tooLarge } = await readBody(req);
    if (tooLarge) return sendProblem(res, new HttpProblem('too-large', 'the body is over the limit'));

    if (path.startsWith('/dev/')) return devRoute(req, res, url, body);

    // The dashboard: its files, and index.html for a page the browser navigates to (the API has no
    // HTML). An API call from a script (Accept: application/json or */*) goes to the API.
    if (method === 'GET' || method === 'HEAD') {
      const file = staticDir && existsSync(staticDir) ? fileUnder(staticDir, path) : undefined;
      if (file) return serveFile(req, res, file, path);
      const wantsHtml = (req.headers.accept ?? '').includes('text/html');
      if (path === '/' || (wantsHtml && path !== '/openapi.json' && path !== '/health')) {
        const index = staticDir ? fileUnder(staticDir, '/index.html') : undefined;
        if (index) return serveFile(req, res, index, '/index.html');
        const port = (req.socket.localPort ?? 3000).toString();
        return send(res, 200, { 'content-type': 'text/html; charset=utf-8', 'x-content-type-options': 'nosniff', 'cache-control': 'no-cache' }, NOT_BUILT.replace('PORT', port));
      }
    }

    // The API, behind what API Gateway's JWT authorizer does: a bad token stops a protected route.
    let claims: Record<string, unknown> | undefined;
    const authorization = req.headers.authorization;
    if (authorization) {
      const m = /^Bearer\s+(\S+)$/i.exec(authorization);
      try {
        if (!m) throw new AuthError('the Authorization header is "Bearer <token>"');
        claims = await auth.verify(m[1]!);
      } catch (err) {
        if (!(err instanceof AuthError)) throw err;
        if (!api.router.isPublic(method, path)) return sendProblem(res, new HttpProblem('unauthenticated', err.message, undefined, { 'www-authenticate': 'Bearer error="invalid_token"' }));
      }
    }
    const out = await api.handler(toEvent(req, url, body, claims));
    const headers: Record<string, string> = {};
    for (const [k, v] of Object.entries(out.headers ?? {})) headers[k] = String(v);
    if (out.statusCode === 401 && !headers['www-authenticate']) headers['www-authenticate'] = 'Bearer';
    const payload = out.body === undefined ? undefined : out.isBase64Encoded ? Buffer.from(out.body, 'base64') : out.body;
    send(res, out.statusCode ?? 200, headers, method === 'HEAD' ? undefined : payload);
  }

  const server = createServer((req, res) => {
    handle(req, res).catch((err: unknown) => {
      if (err instanceof HttpProblem) return sendProblem(res, err);
      const ref = randomUUID();
      (opts.onError ?? ((e) => console.error(`[http] ${ref}`, e)))(err);
      if (!res.headersSent) sendProblem(res, new HttpProblem('internal', `Internal error, reference ${ref}`));
      else res.destroy();
    });
  });
  // A request node:http cannot parse (headers over its 16 KiB limit, a request line without a leading
  // slash) is answered with a problem too, not node's bare 400/431.
  server.on('clientError', (err: NodeJS.ErrnoException, socket) => {
    if (err.code === 'ECONNRESET' || !socket.writable) return socket.destroy();
    const tooLarge = err.code === 'HPE_HEADER_OVERFLOW';
    const status = tooLarge ? 431 : 400;
    const body = JSON.stringify({
      type: `${PROBLEM_BASE}${tooLarge ? 'headers-too-large' : 'validation'}`,
      title: tooLarge ? 'Request header fields too large' : 'The request is not valid',
      status,
      detail: tooLarge ? 'the request line and headers are over 16 KiB' : 'the request could not be parsed as HTTP',
    });
    socket.end(
      `HTTP/1.1 ${status} ${tooLarge ? 'Request Header Fields Too Large' : 'Bad Request'}\r\ncontent-type: application/problem+json\r\ncontent-length: ${Buffer.byteLength(body)}\r\n` +
        `x-content-type-options: nosniff\r\ncache-control: no-store\r\nconnection: close\r\n\r\n${body}`,
    );
  });
  return server;
}

export async function startLocalServer(
  opts: LocalServerOptions & { port?: number; host?: string },
): Promise<{ server: Server; url: string; port: number; oidc?: DevOidc; close(): Promise<void> }> {
  const signIn: { oidc?: DevOidc } = {};
  const server = buildServer(opts, signIn);
  await new Promise<void>((ok, fail) => {
    server.once('error', fail);
    server.listen(opts.port ?? 0, opts.host ?? '127.0.0.1', () => ok());
  });
  const { port } = server.address() as AddressInfo;
  const local = !opts.host || ['0.0.0.0', '127.0.0.1', '::', '::1'].includes(opts.host);
  const url = `http://${local ? 'localhost' : opts.host}:${port}`;
  if (opts.oidc) {
    // The issuer is this server's URL, known once it listens; from now on the API accepts its tokens.
    const origins = [url, ...(local ? [`http://127.0.0.1:${port}`] : [])];
    signIn.oidc = await createDevOidc({
      issuer: `${url}${OIDC_MOUNT}`,
      auth: opts.auth,
      findStaff: (id) => opts.register.getStaff(id),
      redirectUris: [...origins.map((o) => `${o}/`), ...(opts.oidc.redirectUris ?? [])],
      ...(opts.oidc.accessTokenTtlSeconds !== undefined ? { accessTokenTtlSeconds: opts.oidc.accessTokenTtlSeconds } : {}),
      ...(opts.oidc.refreshTokenTtlSeconds !== undefined ? { refreshTokenTtlSeconds: opts.oidc.refreshTokenTtlSeconds } : {}),
    });
    opts.auth.useIssuer(signIn.oidc.issuer);
  }
  return {
    server,
    url,
    port,
    ...(signIn.oidc ? { oidc: signIn.oidc } : {}),
    close: () =>
      new Promise<void>((ok) => {
        server.close(() => ok());
        server.closeAllConnections();
      }),
  };
}

/**
 * The clock control of a LocalRuntime: advancing runs every timer and scheduled job that falls due,
 * in time order, and reports what happened. Advances and background ticks run one at a time.
 */
export function runtimeClockControl(rt: LocalRuntime, onAdvanced?: (now: Date) => void): ClockControl {
  let chain: Promise<unknown> = Promise.resolve();
  const serial = <T>(fn: () => Promise<T>): Promise<T> => {
    const next = chain.then(fn, fn);
    chain = next.catch(() => undefined);
    return next;
  };
  const snapshot = () => Object.fromEntries(Object.entries(rt.transitions).map(([k, v]) => [k, { ...v }]));
  return {
    now: () => rt.clock.now(),
    advance: (ms) =>
      serial(async () => {
        const from = rt.clock.now().toISOString();
        const to = new Date(rt.clock.now().getTime() + ms).toISOString();
        const before = snapshot();
        const dueBefore = (await rt.cases.dueTimers(to, 1000)).length;
        const jobs: Record<string, number> = {};
        for (const j of jobsBetween(from, to)) jobs[j.kind] = (jobs[j.kind] ?? 0) + 1;
        await rt.advanceTo(to);
        const stillDue = (await rt.cases.dueTimers(rt.clock.now().toISOString(), 1000)).length;
        const workflows: Record<string, number> = {};
        let transitions = 0;
        for (const [w, t] of Object.entries(rt.transitions)) {
          const b = before[w] ?? { executions: 0, transitions: 0 };
          if (t.executions > b.executions) workflows[w] = t.executions - b.executions;
          transitions += t.transitions - b.transitions;
        }
        onAdvanced?.(rt.clock.now());
        return { from, to: rt.clock.now().toISOString(), timersFired: Math.max(0, dueBefore - stillDue), jobs, workflows, transitions };
      }),
    tick: () =>
      serial(async () => {
        await rt.advanceTo(rt.clock.now());
      }),
  };
}
