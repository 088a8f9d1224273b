// The API under test: a seeded local runtime (tiny district, virtual clock) behind the local HTTP
// server on a free port, with tokens from an in-memory dev key. Requests go over real HTTP (fetch).
import { QueryCommand, ScanCommand } from '@aws-sdk/client-dynamodb';
import { unmarshall } from '@aws-sdk/util-dynamodb';
import { businessDateOf } from '../../functions/domain/time';
import { Logger } from '@aws-lambda-powertools/logger';
import { LocalSink } from '../../functions/adapters/local-sink';
import { createApi, type Api } from '../../functions/api/app';
import type { DistrictConfig } from '../../functions/domain/district-config';
import { DevAuth, type StaffClaims } from '../../dev/local/dev-auth';
import { runtimeClockControl, startLocalServer } from '../../dev/local/http-server';
import type { LocalRuntime } from '../../dev/local/runtime';
import { testRuntime } from '../support/runtime';

export interface Reply {
  status: number;
  headers: Headers;
  body: any;
  text: string;
}

export interface ApiServer {
  rt: LocalRuntime;
  auth: DevAuth;
  api: Api;
  url: string;
  /** A token for a staff member of the district (claims from the register). */
  token(staffId: string): Promise<string>;
  /** A token with any claims (tests of refusals). */
  tokenFor(claims: StaffClaims, opts?: { ttlSeconds?: number; issuedAt?: number }): Promise<string>;
  call(method: string, path: string, opts?: { token?: string; body?: unknown; raw?: string | Buffer; headers?: Record<string, string> }): Promise<Reply>;
  /** Items in the table (a Scan: tests only): all of them, the audit entries only, or all but the audit entries. */
  countItems(which?: 'all' | 'audit' | 'data'): Promise<number>;
  /** The audit entries a request wrote (by its x-request-id), from today's and yesterday's partitions. */
  auditOf(requestId: string | null): Promise<Record<string, any>[]>;
  close(): Promise<void>;
}

export async function startApiServer(start: string, opts: { config?: DistrictConfig } = {}): Promise<ApiServer> {
  const rt = await testRuntime(start, opts.config ? { config: opts.config } : {});
  const districtId = rt.district.territory.districtId;
  const auth = await DevAuth.create({ districtId });
  const api = createApi({ ...rt.parts, logger: new Logger({ serviceName: 'shudi-api-test', logLevel: 'SILENT' }) });
  const sink = rt.notifier instanceof LocalSink ? rt.notifier : undefined;
  const server = await startLocalServer({ api, auth, register: rt.register, clock: runtimeClockControl(rt), ...(sink ? { outbox: sink } : {}) });
  const tokens = new Map<string, string>();
  return {
    rt,
    auth,
    api,
    url: server.url,
    async token(staffId) {
      const hit = tokens.get(staffId);
      if (hit) return hit;
      const staff = await rt.register.getStaff(staffId);
      if (!staff) throw new Error(`no staff ${staffId}`);
      const { token } = await auth.issue(DevAuth.claimsOf(staff, districtId));
      tokens.set(staffId, token);
      return token;
    },
    async tokenFor(claims, o) {
      return (await auth.issue(claims, o)).token;
    },
    async call(method, path, o = {}) {
      const headers: Record<string, string> = { accept: 'application/json', ...(o.headers ?? {}) };
      if (o.token) headers.authorization = `Bearer ${o.token}`;
      let body: string | Buffer | undefined;
      if (o.raw !== undefined) body = o.raw;
      else if (o.body !== undefined) {
        body = JSON.stringify(o.body);
        headers['content-type'] ??= 'application/json';
      }
      const res = await fetch(`${server.url}${path}`, { method, headers, ...(body !== undefined ? { body: typeof body === "string" ? body : new Uint8Array(body) } : {}) });
      const text = await res.text();
      let parsed: unknown = undefined;
      try {
        parsed = text ? JSON.parse(text) : undefined;
      } catch {
        parsed = undefined;
      }
      return { status: res.status, headers: res.headers, body: parsed, text };
    },
    async auditOf(requestId) {
      if (!requestId) return [];
      const items: Record<string, any>[] = [];
      let start: Record<string, any> | undefined;
      do {
        const out = await rt.client.send(
          new QueryCommand({
            TableName: rt.tableName,
            KeyConditionExpression: 'PK = :pk',
            FilterExpression: 'requestId = :r',
            ExpressionAttributeValues: { ':pk': { S: `AUDIT#${businessDateOf(rt.clock.now().toISOString())}` }, ':r': { S: requestId } },
            ConsistentRead: true,
            ExclusiveStartKey: start,
          }),
        );
        items.push(...(out.Items ?? []).map((i) => unmarshall(i)));
        start = out.LastEvaluatedKey;
      } while (start);
      return items;
    },
    async countItems(which = 'all') {
      let n = 0;
      let start: Record<string, any> | undefined;
      const filter =
        which === 'all'
          ? {}
          : { FilterExpression: which === 'audit' ? 'begins_with(PK, :a)' : 'NOT begins_with(PK, :a)', ExpressionAttributeValues: { ':a': { S: 'AUDIT#' } } };
      do {
        const out = await rt.client.send(new ScanCommand({ TableName: rt.tableName, Select: 'COUNT', ExclusiveStartKey: start, ConsistentRead: true, ...filter }));
        n += out.Count ?? 0;
        start = out.LastEvaluatedKey;
      } while (start);
      return n;
    },
    close: () => server.close(),
  };
}
