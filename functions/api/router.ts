// The route table's types and the path matcher. The table itself is ./routes.ts; the OpenAPI
// generator (./openapi.ts) reads the same table, so every route is documented as it is served.
import type { Logger } from '@aws-lambda-powertools/logger';
import type { z } from 'zod';
import type { CaseService } from '../app/case-service';
import type { ExchangeParts } from '../app/compose';
import type { DistrictContext } from '../app/district-context';
import type { Clock } from '../domain/clock';
import type { AuditStore } from '../store/audit-store';
import type { CursorSeal } from '../store/paging';
import type { CaseStore } from '../store/case-store';
import type { RegisterStore } from '../store/register-store';
import type { Caller } from './access';
import type { StaffAdmin } from '../store/staff-admin';
import { HttpProblem } from './problem';

export interface ApiDeps {
  cases: CaseStore;
  register: RegisterStore;
  audit: AuditStore;
  service: CaseService;
  district: DistrictContext;
  clock: Clock;
  logger: Logger;
  /** Seals and opens the page cursors the API hands out (per-district key). */
  cursors: CursorSeal;
  /** Preferences and undeliverable flags (GET /staff/undeliverable, its clear, PATCH …/preferences); absent: those routes answer 500. */
  staffAdmin?: StaffAdmin;
  /** The exchange with other districts (functions/app/compose.ts); absent: the exchange routes answer 404. */
  exchange?: ExchangeParts;
}

export const MiB = 1024 * 1024;

export interface RequestBody {
  /** Parsed and validated with this schema; absent: the handler gets the raw rows (imports). */
  schema?: z.ZodType;
  /** The OpenAPI component the body is described by. */
  componentId: string;
  maxBytes: number;
  /** json: application/json (and +json); csv: text/csv as well. */
  csv?: boolean;
}

export interface Ctx<P, Q, B> {
  params: P;
  query: Q;
  body: B;
  /** The signed-in caller (absent on public routes). */
  caller: Caller;
  headers: Record<string, string>;
  /** The request's media type (lowercase, without parameters), when it had a body. */
  mediaType?: string;
  requestId: string;
  /** The instant the request is handled at (the clock's now), ISO-8601 UTC. */
  now: string;
  deps: ApiDeps;
}

/** What a handler adds to the audit entry of its response (the pipeline writes it: ./app.ts). */
export interface AuditFacts {
  /** Subject ids the request wrote (imports); the ids the response carries are added by the pipeline. */
  subjectIds?: string[];
  targetOrgUnitId?: string;
  caseId?: string;
  count?: number;
}

export interface ApiResult {
  status: number;
  body: unknown;
  headers?: Record<string, string>;
  /** Facts for the audit entry; a result with them is audited even when it carries no subject id. */
  audit?: AuditFacts;
}

export interface Route<P = any, Q = any, B = any> {
  method: 'GET' | 'POST' | 'PATCH';
  /** OpenAPI path template: `/cases/{caseId}/actions`. */
  path: string;
  operationId: string;
  summary: string;
  description?: string;
  tag: string;
  /** public: no token needed (health, openapi). staff: a verified token of this district. */
  auth: 'public' | 'staff';
  /** Who may call it, in words (the OpenAPI description). */
  access?: string;
  params?: z.ZodType<P>;
  query?: z.ZodType<Q>;
  body?: RequestBody;
  /** Accepts an Idempotency-Key header. */
  idempotencyKey?: boolean;
  /**
   * The audit action of a response that carries subject data (`case.read`). Every response that
   * carries a subject id is audited with the ids it carries; this names the entry's action.
   */
  audit?: string;
  /** A paged list: `query.cursor` arrives sealed and `body.cursor` leaves sealed (../store/paging.ts CursorSeal). */
  pages?: boolean;
  response: { status: number; componentId: string; description: string; alsoStatus?: { status: number; description: string }[] };
  /** Problem statuses this route may answer with (besides 401 on staff routes and 500). */
  problems: number[];
  handler: (ctx: Ctx<P, Q, B>) => Promise<ApiResult>;
}

/** Keeps a route's parameter, query and body types tied to its handler. */
export function route<P = Record<string, never>, Q = Record<string, never>, B = undefined>(r: Route<P, Q, B>): Route {
  return r as Route;
}

interface Compiled {
  route: Route;
  re: RegExp;
  names: string[];
}

export class Router {
  private readonly compiled: Compiled[];

  constructor(readonly routes: Route[]) {
    this.compiled = routes.map((route) => {
      const names: string[] = [];
      const pattern = route.path.replace(/[.*+?^$()|[\]\\]/g, '\\$&').replace(/\{(\w+)\}/g, (_m, n: string) => {
        names.push(n);
        return '([^/]+)';
      });
      return { route, re: new RegExp(`^${pattern}$`), names };
    });
  }

  /** The route for a request; 404 for no such path, 405 for a path without that method. */
  match(method: string, path: string): { route: Route; params: Record<string, string> } {
    const allowed: string[] = [];
    for (const c of this.compiled) {
      const m = c.re.exec(path);
      if (!m) continue;
      if (c.route.method !== method) {
        allowed.push(c.route.method);
        continue;
      }
      const params: Record<string, string> = {};
      try {
        c.names.forEach((n, i) => (params[n] = decodeURIComponent(m[i + 1]!)));
      } catch {
        throw new HttpProblem('validation', 'the path is not valid', [{ path: 'path', message: 'a path segment is not valid percent-encoding' }]);
      }
      return { route: c.route, params };
    }
    if (allowed.length) throw new HttpProblem('method-not-allowed', `${method} is not allowed on ${path}`, undefined, { allow: [...new Set(allowed)].join(', ') });
    throw new HttpProblem('not-found', `no route ${method} ${path}`);
  }

  /** Whether a request needs no token (the local server lets such requests through unauthenticated). */
  isPublic(method: string, path: string): boolean {
    try {
      return this.match(method, path).route.auth === 'public';
    } catch {
      return false;
    }
  }
}
