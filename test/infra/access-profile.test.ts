// Least privilege, checked against what the code does: the workflow handlers run a season of
// routing (every case type opened and acted on, timers fired by sweeps, the monthly, half-yearly
// and health-check jobs) on DynamoDB Local, every request each one sends is recorded as the IAM
// action and resource it needs, and each must be in that function's profile in infra/access.ts,
// which is what the stack grants. A grant the run never needed is listed (not failed: some paths,
// a lost race or a timer whose command no longer applies, are rare by design).
import { AsyncLocalStorage } from 'node:async_hooks';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import type { Subject } from '../../functions/domain/people';
import { businessInstant } from '../../functions/domain/time';
import type { TaskHandler } from '../../functions/handlers/workflow-handlers';
import type { LocalRuntime } from '../../functions/local/runtime';
import { createDynamoClient } from '../../functions/store/client';
import { functionKeys, type FunctionKey } from '../../functions/workflows/catalog';
import { Logger } from '@aws-lambda-powertools/logger';
import { createApi } from '../../functions/api/app';
import { AuditStore } from '../../functions/store/audit-store';
import { documentClient } from '../../functions/store/client';
import { apiAccess, workflowAccess, type TableAccess } from '../../infra/access';
import { dynamoEndpoint } from '../support/dynamodb';
import { allSubjects, testRuntime } from '../support/runtime';

const staff = (staffId: string) => ({ kind: 'staff' as const, staffId });
const at = (date: string, hhmm = '10:00') => businessInstant(date, hhmm);

/** The IAM permissions one DynamoDB request needs, as `Action resource` (resource: `table` or an index). */
function permissionsOf(command: string, input: Record<string, any>): string[] {
  const action = command.replace(/Command$/, '');
  switch (action) {
    case 'Query':
    case 'Scan':
      return [`${action} ${input.IndexName ?? 'table'}`];
    case 'TransactWriteItems':
      return (input.TransactItems as Record<string, unknown>[]).map((item) => {
        const kind = Object.keys(item)[0];
        return `${{ Put: 'PutItem', Delete: 'DeleteItem', Update: 'UpdateItem', ConditionCheck: 'ConditionCheckItem' }[kind!] ?? kind} table`;
      });
    case 'TransactGetItems':
      return ['GetItem table'];
    default:
      return [`${action} table`];
  }
}

function allowed(a: TableAccess): Set<string> {
  return new Set([...a.table.map((x) => `${x} table`), ...a.indexes.map((i) => `Query ${i}`)]);
}

/** Records, per function key, the permissions of every request sent while that handler ran. */
function recorder() {
  const current = new AsyncLocalStorage<FunctionKey | 'api'>();
  const used = new Map<FunctionKey | 'api', Set<string>>();
  const client: DynamoDBClient = createDynamoClient({ endpoint: dynamoEndpoint() });
  client.middlewareStack.add(
    (next, context) => async (args) => {
      const key = current.getStore();
      if (key) {
        const set = used.get(key) ?? new Set<string>();
        for (const p of permissionsOf(context.commandName ?? '?', args.input as Record<string, any>)) set.add(p);
        used.set(key, set);
      }
      return next(args);
    },
    { step: 'initialize', name: 'iamRecorder' },
  );
  const wrapHandler = (functionKey: string, handler: TaskHandler): TaskHandler => (event) => current.run(functionKey as FunctionKey, () => handler(event));
  return { client, wrapHandler, used, current };
}

async function attempt(p: Promise<unknown>) {
  try {
    await p;
  } catch {
    // A rejection is a path too: the reads before it are recorded all the same.
  }
}

async function season(rt: LocalRuntime) {
  const subjects = await allSubjects(rt);
  const pick = (cls: Subject['class'], n = 0) => subjects.filter((s) => s.class === cls && (cls !== 'co_managed' || s.unitId))[n]!;
  const [w1, w2, w3] = [pick('co_managed', 0), pick('co_managed', 1), pick('co_managed', 2)];
  const p = pick('primary');
  const m = pick('mobile');

  // Handovers: acknowledged; rejected then reassigned by the street; cancelled; one left to go overdue.
  await rt.openCase({ type: 'handover', caseId: 'iam-ho-ack', subjectId: w1.subjectId, reason: 'resigned', separationDate: '2026-03-01' }, staff(`ul-${w1.unitId}`));
  await attempt(rt.act('iam-ho-ack', { action: 'acknowledge' }, staff(`co-${w1.communityId}-1`), 'iam-1', w1.communityId));
  await rt.openCase({ type: 'handover', caseId: 'iam-ho-rej', subjectId: w2.subjectId, reason: 'dismissed', separationDate: '2026-03-01' }, staff(`ul-${w2.unitId}`));
  await attempt(rt.act('iam-ho-rej', { action: 'reject', reason: 'not resident here' }, staff(`co-${w2.communityId}-1`), 'iam-2', w2.communityId));
  await attempt(rt.act('iam-ho-rej', { action: 'reassign', toOrgUnitId: 'east-b' }, staff('so-east-1'), 'iam-3', 'east'));
  await rt.openCase({ type: 'handover', caseId: 'iam-ho-late', subjectId: w3.subjectId, reason: 'resigned', separationDate: '2026-03-01' }, staff(`ul-${w3.unitId}`));
  // Follow-up: moved away (a follow-on handover in the same transaction); escalated; cancelled.
  await rt.openCase({ type: 'follow_up', caseId: 'iam-fu', subjectId: p.subjectId, trigger: 'service', eventDate: '2026-03-02' }, staff(`co-${p.communityId}-1`));
  await attempt(rt.act('iam-fu', { action: 'escalate', reason: 'needs the street' }, staff(`co-${p.communityId}-1`), 'iam-4', p.communityId));
  await attempt(
    rt.act('iam-fu', { action: 'record_outcome', outcome: 'moved_away', date: '2026-03-03', toCommunityId: 'west-a' }, staff(`co-${p.communityId}-1`), 'iam-5', p.communityId),
  );
  // Certificate check with its feedback to the region of origin; a health check; a rejection.
  await rt.openCase({ type: 'certificate_check', caseId: 'iam-cc', subjectId: m.subjectId, startDate: '2026-03-02' }, staff(`co-${m.communityId}-1`));
  await attempt(rt.act('iam-cc', { action: 'record_outcome', outcome: 'valid', date: '2026-03-04' }, staff(`co-${m.communityId}-1`), 'iam-6', m.communityId));
  const hc = await rt.openCase({ type: 'health_check', subjectId: m.subjectId }, staff(`co-${m.communityId}-1`));
  await attempt(rt.act(hc.caseId, { action: 'cancel', reason: 'duplicate' }, staff(`co-${m.communityId}-1`), 'iam-7', m.communityId));
  await attempt(rt.act('iam-no-such-case', { action: 'acknowledge' }, staff('co-east-a-1'), 'iam-8', 'east-a'));
  // Seven weeks: every timer fires at its instant (sweeps: reminders, overdue, escalation to the
  // district), the April change reports open on 1 April; then the other two jobs, as scheduled.
  await rt.advanceTo(at('2026-04-20'));
  await rt.runJob({ kind: 'health_checks', at: rt.clock.now().toISOString(), periodOf: '2026-05-01' });
  await rt.runJob({ kind: 'unit_notice', at: rt.clock.now().toISOString(), period: '2026-H1' });
}

/** The API's requests, as API Gateway passes them (HTTP API payload 2.0, JWT claims verified). */
async function apiSession(rt: LocalRuntime, run: <T>(fn: () => Promise<T>) => Promise<T>): Promise<string[]> {
  const api = createApi({
    cases: rt.cases,
    register: rt.register,
    audit: new AuditStore(documentClient(rt.client), rt.tableName),
    service: rt.service,
    district: rt.district,
    clock: rt.clock,
    logger: new Logger({ serviceName: 'shudi-api-test', logLevel: 'SILENT' }),
  });
  const statuses: string[] = [];
  const call = async (staffId: string, method: string, path: string, opts: { query?: Record<string, string>; body?: unknown; headers?: Record<string, string> } = {}) => {
    const staff = await rt.register.getStaff(staffId);
    const claims = { 'custom:staffId': staffId, 'custom:orgUnitId': staff!.orgUnitId, 'custom:role': staff!.role, 'custom:district': rt.district.territory.districtId };
    const qs = new URLSearchParams(opts.query ?? {}).toString();
    const event = {
      version: '2.0',
      routeKey: `${method} ${path}`,
      rawPath: path,
      rawQueryString: qs,
      ...(opts.query ? { queryStringParameters: opts.query } : {}),
      headers: { accept: 'application/json', ...(opts.body !== undefined ? { 'content-type': 'application/json' } : {}), ...(opts.headers ?? {}) },
      requestContext: { http: { method, path }, requestId: `req-${statuses.length}`, stage: '$default', authorizer: { jwt: { claims, scopes: null } } },
      ...(opts.body !== undefined ? { body: JSON.stringify(opts.body), isBase64Encoded: false } : {}),
    };
    const res = await run(() => api.handler(event as never));
    statuses.push(`${res.statusCode} ${method} ${path}`);
    return res;
  };
  const today = rt.clock.now().toISOString().slice(0, 10);
  const subjects = await allSubjects(rt);
  const w = subjects.find((x) => x.class === 'co_managed' && x.unitId && !x.subjectId.startsWith('iam'))!;
  await call('co-east-a-1', 'GET', '/me');
  await call('dm-tiny', 'GET', '/org-units');
  await call('co-east-a-1', 'GET', '/subjects', { query: { orgUnitId: 'east-a' } });
  const opened = await call(`ul-${w.unitId}`, 'POST', '/cases', {
    body: { type: 'handover', subjectId: w.subjectId, reason: 'resigned', effectiveDate: today, fromUnitId: w.unitId },
    headers: { 'idempotency-key': 'iam-api-open-1' },
  });
  const caseId = (JSON.parse(String(opened.body)) as { caseId?: string }).caseId ?? 'iam-ho-late';
  await call(`co-${w.communityId}-1`, 'GET', `/cases/${caseId}`);
  await call(`co-${w.communityId}-1`, 'POST', `/cases/${caseId}/actions`, { body: { action: 'acknowledge' }, headers: { 'idempotency-key': 'iam-api-ack-1' } });
  await call('sm-east', 'GET', '/queues/east', { query: { include: 'descendants' } });
  await call('sm-east', 'GET', '/queues/east', { query: { overdue: 'true', status: 'open' } });
  await call('dm-tiny', 'GET', '/reports/overdue-handovers', { query: { orgUnitId: 'tiny' } });
  await call('dm-tiny', 'GET', '/reports/on-time', { query: { orgUnitId: 'tiny', from: '2026-03-01', to: today } });
  await call('dm-tiny', 'POST', '/imports/staff', {
    body: [{ staffId: 'co-east-a-9', name: 'Staff nine', role: 'community_officer', orgUnitId: 'east-a', phone: '+8613900000099', email: 'co-east-a-9@example.cn' }],
  });
  await call('dm-tiny', 'POST', '/imports/subjects', { body: [{ subjectId: 's-iam-1', class: 'primary', communityId: 'east-a', registeredOn: '2026-01-05' }] });
  await call('dm-tiny', 'GET', '/audit', { query: { date: today } });
  return statuses;
}

describe('IAM table access profiles', () => {
  it('cover every DynamoDB request each workflow function, and the API, sends in a season of routing', async () => {
    const { client, wrapHandler, used, current } = recorder();
    const rt = await testRuntime(at('2026-03-02'), { client, wrapHandler });
    await season(rt);
    const statuses = await apiSession(rt, (fn) => current.run('api', fn));
    // The session went through (a few refusals are fine; most calls must have done their work).
    expect(statuses.filter((x) => x.startsWith('2')).length, statuses.join('; ')).toBeGreaterThanOrEqual(statuses.length - 2);
    const apiUsed = used.get('api') ?? new Set<string>();
    const apiMissing = [...apiUsed].filter((p) => !allowed(apiAccess).has(p));
    const apiUnused = [...allowed(apiAccess)].filter((p) => !apiUsed.has(p));
    console.log(`api: ${statuses.join('; ')}\napi used: ${[...apiUsed].sort().join(', ')}\napi granted, not needed in this run: ${apiUnused.join(', ')}`);
    expect(apiMissing).toEqual([]);

    const missing: string[] = [];
    const unused: string[] = [];
    for (const key of functionKeys) {
      const grants = allowed(workflowAccess[key]);
      const did = used.get(key) ?? new Set<string>();
      for (const p of did) if (!grants.has(p)) missing.push(`${key}: ${p}`);
      for (const g of grants) if (!did.has(g)) unused.push(`${key}: ${g}`);
    }
    if (unused.length) console.log(`granted, not needed in this run: ${unused.join('; ')}`);
    expect(missing).toEqual([]);
    // The run exercised every function that touches the table.
    for (const key of functionKeys) {
      const a = workflowAccess[key];
      if (a.table.length + a.indexes.length > 0) expect(used.get(key)?.size ?? 0, key).toBeGreaterThan(0);
      else expect(used.get(key), key).toBeUndefined();
    }
  }, 120_000);
});
