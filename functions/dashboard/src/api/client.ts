/// <reference lib="dom" />
// The API client: JSON over fetch with the bearer token; any non-2xx becomes an ApiError with its problem details.
import { ApiError, toProblem } from '../lib/problem';
import type { ActionBody, ApplicationCode, Case, CreateApplicationBody, SubjectRow, DeliveryChannel, ExchangeReport, LateReportingReport, Me, OnTimeReport, OrgUnit, OutboxMessage, OverdueHandoversReport, Page, Preferences, UndeliverableRow } from './types';

export interface ApiOptions {
  base: string;
  getToken: () => string | undefined;
  /** Called on any 401 (expired or missing token). */
  onUnauthenticated?: () => void;
  fetch?: typeof fetch;
}

type Query = Record<string, string | number | boolean | undefined>;

function withQuery(path: string, query?: Query): string {
  if (!query) return path;
  const qs = new URLSearchParams();
  for (const [k, v] of Object.entries(query)) if (v !== undefined && v !== '') qs.set(k, String(v));
  const s = qs.toString();
  return s ? `${path}?${s}` : path;
}

/** crypto.randomUUID is only there in secure contexts (https, localhost); a LAN address gets this. */
export function newIdempotencyKey(): string {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const b = crypto.getRandomValues(new Uint8Array(16));
  b[6] = (b[6]! & 0x0f) | 0x40;
  b[8] = (b[8]! & 0x3f) | 0x80;
  const hex = [...b].map((x) => x.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

export function createApi(opts: ApiOptions) {
  const doFetch = opts.fetch ?? fetch.bind(globalThis);

  async function request<T>(method: string, path: string, init: { query?: Query; body?: unknown; headers?: Record<string, string>; auth?: boolean } = {}): Promise<T> {
    const headers: Record<string, string> = { accept: 'application/json, application/problem+json', ...init.headers };
    if (init.auth !== false) {
      const token = opts.getToken();
      if (token) headers.authorization = `Bearer ${token}`;
    }
    if (init.body !== undefined) headers['content-type'] = 'application/json';
    let res: Response;
    try {
      res = await doFetch(opts.base + withQuery(path, init.query), {
        method,
        headers,
        ...(init.body !== undefined ? { body: JSON.stringify(init.body) } : {}),
      });
    } catch (e) {
      throw new ApiError(0, { detail: e instanceof Error ? e.message : String(e) });
    }
    const type = res.headers.get('content-type') ?? '';
    const text = await res.text();
    let body: unknown = text;
    if (/json/i.test(type) && text) {
      try {
        body = JSON.parse(text);
      } catch {
        body = text;
      }
    }
    if (!res.ok) {
      if (res.status === 401 && init.auth !== false) opts.onUnauthenticated?.();
      throw new ApiError(res.status, toProblem(res.status, body));
    }
    if (!/json/i.test(type)) throw new ApiError(res.status, { status: res.status, detail: `expected JSON from ${path}, got ${type || 'no content type'}` });
    return body as T;
  }

  return {
    me: () => request<Me>('GET', '/me'),
    orgUnits: () => request<{ items: OrgUnit[] }>('GET', '/org-units'),
    queue: (orgUnitId: string, query: { status?: 'open'; type?: string; overdue?: boolean; include?: 'descendants'; cursor?: string; limit?: number } = {}) =>
      request<Page<Case>>('GET', `/queues/${encodeURIComponent(orgUnitId)}`, { query }),
    getCase: (caseId: string) => request<Case>('GET', `/cases/${encodeURIComponent(caseId)}`),
    applicationCodes: () => request<{ items: ApplicationCode[] }>('GET', '/application-codes'),
    /** Subjects an org unit manages (audited by the API). */
    subjects: (orgUnitId: string, query: { cursor?: string; limit?: number } = {}) => request<Page<SubjectRow>>('GET', '/subjects', { query: { orgUnitId, ...query } }),
    openCase: (body: CreateApplicationBody, idempotencyKey = newIdempotencyKey()) => request<Case>('POST', '/cases', { body, headers: { 'idempotency-key': idempotencyKey } }),
    act: (caseId: string, body: ActionBody, idempotencyKey = newIdempotencyKey()) =>
      request<Case>('POST', `/cases/${encodeURIComponent(caseId)}/actions`, { body, headers: { 'idempotency-key': idempotencyKey } }),
    overdueHandovers: (orgUnitId: string) => request<OverdueHandoversReport>('GET', '/reports/overdue-handovers', { query: { orgUnitId } }),
    onTime: (orgUnitId: string, from: string, to: string) => request<OnTimeReport>('GET', '/reports/on-time', { query: { orgUnitId, from, to } }),
    exchange: (orgUnitId: string, from: string, to: string) => request<ExchangeReport>('GET', '/reports/exchange', { query: { orgUnitId, from, to } }),
    lateReporting: (orgUnitId: string, from: string, to: string) => request<LateReportingReport>('GET', '/reports/late-reporting', { query: { orgUnitId, from, to } }),
    undeliverable: (orgUnitId?: string) => request<{ items: UndeliverableRow[] }>('GET', '/staff/undeliverable', { query: { orgUnitId } }),
    clearUndeliverable: (staffId: string, channel?: DeliveryChannel) =>
      request<{ staffId: string; undeliverable: unknown[] }>('POST', `/staff/${encodeURIComponent(staffId)}/undeliverable/clear`, { body: channel ? { channel } : {} }),
    setPreferences: (staffId: string, body: Partial<Omit<Preferences, 'staffId'>>) =>
      request<Preferences>('PATCH', `/staff/${encodeURIComponent(staffId)}/preferences`, { body }),
    /** Local runtime only: 404 elsewhere (the Outbox page is shown only when this answers). */
    devOutbox: (query: Record<string, string | number> = {}) => request<{ items: OutboxMessage[] }>('GET', '/dev/outbox', { query, auth: false }),
    devClock: () => request<{ now: string }>('GET', '/dev/clock', { auth: false }),
    advanceClock: (advanceDays: number) => request<{ now: string; fired?: unknown }>('POST', '/dev/clock', { body: { advanceDays }, auth: false }),
  };
}

export type Api = ReturnType<typeof createApi>;
