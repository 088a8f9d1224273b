// Least privilege, checked against what the code does: the workflow handlers run a season of
// routing (every case type opened and acted on, timers fired by sweeps, the monthly, half-yearly
// and health-check jobs) on DynamoDB Local, every request each one sends is recorded as the IAM
// action and resource it needs, and each must be in that function's profile in infra/access.ts,
// which is what the stack grants. A grant the run never needed is listed (not failed: some paths,
// a lost race or a timer whose command no longer applies, are rare by design).
// The same for the job Lambdas: the daily digest, the publisher, the SMS-gateway subscriber (fed the
// SNS records the publisher's messages become), a bounce, the subscription sync and retention, each
// run through the code its Lambda entry runs, on a district after seven weeks of routing.
import { AsyncLocalStorage } from 'node:async_hooks';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { describe, expect, it } from 'vitest';
import type { Subject } from '../../functions/domain/people';
import { businessInstant } from '../../functions/domain/time';
import type { TaskHandler } from '../../functions/handlers/workflow-handlers';
import type { LocalRuntime } from '../../dev/local/runtime';
import { createDynamoClient } from '../../functions/store/client';
import { functionKeys, type FunctionKey } from '../../functions/workflows/catalog';
import { Logger } from '@aws-lambda-powertools/logger';
import { createApi } from '../../functions/api/app';
import { documentClient } from '../../functions/store/client';
import type { SNSClient } from '@aws-sdk/client-sns';
import type { SNSEvent } from 'aws-lambda';
import { DynamoDedupeStore } from '../../functions/adapters/dedupe-store';
import type { DeliveryResult, Notifier, OutboundMessage } from '../../functions/adapters/notifier';
import type { SmsGateway } from '../../functions/adapters/sms-gateway';
import { publishInput } from '../../functions/adapters/sns-notifier';
import { VirtualClock } from '../../functions/domain/clock';
import { subjectItem } from '../../functions/store/keys';
import { createReminderHandlers } from '../../functions/handlers/reminder-handlers';
import { createRetentionHandler } from '../../functions/handlers/retention-handler';
import { runSubscriptionSync } from '../../functions/handlers/lambda/subscription-sync';
import { LocalRuntime as Runtime } from '../../dev/local/runtime';
import { apiAccess, jobAccess, jobFunctionKeys, workflowAccess, type JobFunctionKey, type TableAccess } from '../../infra/access';
import { SMS_GATEWAY_FILTER_POLICY } from '../../infra/reminder-wiring';
import { dynamoEndpoint, uniqueTableName } from '../support/dynamodb';
import { allSubjects, testRuntime } from '../support/runtime';
import { tinyDistrict } from '../support/tiny-district';

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
  const current = new AsyncLocalStorage<FunctionKey | JobFunctionKey | 'api'>();
  const used = new Map<FunctionKey | JobFunctionKey | 'api', Set<string>>();
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
  const api = createApi({ ...rt.parts, logger: new Logger({ serviceName: 'shudi-api-test', logLevel: 'SILENT' }) });
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

  it('cover every DynamoDB request of the job Lambdas: digest, publisher, SMS gateway, bounce, subscription sync, retention', async () => {
    const { client, used, current } = recorder();
    const TOPIC = 'arn:aws:sns:ap-east-1:123456789012:reminders';
    // What the publisher hands SNS, kept to feed the gateway subscriber as SNS would.
    const published: OutboundMessage[] = [];
    const notifier: Notifier = { send: async (m): Promise<DeliveryResult> => (published.push(m), { status: 'sent' }) };
    const rt = await Runtime.create({
      endpoint: dynamoEndpoint(),
      config: tinyDistrict,
      clock: new VirtualClock(at('2026-03-02')),
      tableName: uniqueTableName('iam-jobs'),
      fastRetries: true,
      client,
      notifier,
      // The jobs run below, each under its own name; advancing the clock only fires timers.
      reminders: false,
    });
    await rt.seed();
    await season(rt);
    const run = <T>(key: JobFunctionKey, fn: () => Promise<T>) => current.run(key, fn);

    // The gateway: accepts, except one number it refuses for good and one call that fails (retried).
    let calls = 0;
    const gateway: SmsGateway = {
      send: async () => {
        calls++;
        if (calls === 2) return { status: 'rejected', reason: 'gateway_400:bad_number' };
        if (calls === 3) throw new Error('gateway 503');
        return { status: 'accepted' };
      },
    };
    const handlers = createReminderHandlers({
      publisher: rt.publisher,
      digest: rt.digest,
      outbox: rt.outbox,
      register: rt.register,
      clock: rt.clock,
      gateway,
      dedupe: new DynamoDedupeStore(documentClient(client), rt.tableName),
    });

    const digest = await run('dailyDigest', () => handlers.dailyDigest({}));
    expect(digest.written).toBeGreaterThan(0);
    const published1 = await run('publishDue', () => handlers.publishDue());
    expect(published1.outcomes.sent).toBeGreaterThan(0);

    // The SNS records the gateway's subscription receives: the messages whose attributes match its filter policy.
    const records = published
      .map((m) => publishInput(TOPIC, m))
      .filter((p) => Object.entries(SMS_GATEWAY_FILTER_POLICY).every(([k, values]) => values.includes(p.MessageAttributes![k]!.StringValue!)))
      .map((p, i) => ({
        EventSource: 'aws:sns',
        Sns: {
          MessageId: `m-${i}`,
          TopicArn: TOPIC,
          Message: p.Message!,
          MessageAttributes: Object.fromEntries(Object.entries(p.MessageAttributes!).map(([k, v]) => [k, { Type: v.DataType, Value: v.StringValue }])),
        },
      }));
    expect(records.length).toBeGreaterThanOrEqual(3);
    const event = (r: (typeof records)[number]) => ({ Records: [r] }) as unknown as SNSEvent;
    for (const r of records.slice(0, 3)) await run('smsGateway', () => attempt(handlers.smsGateway(event(r))));
    // A redelivery of the first (already sent) and a retry of the third (released after the failure).
    await run('smsGateway', () => handlers.smsGateway(event(records[0]!)));
    await run('smsGateway', () => handlers.smsGateway(event(records[2]!)));

    await run('deliveryFailure', () => handlers.deliveryFailure({ staffId: 'sm-east', channel: 'email', reason: 'ses_bounce' }));

    // The subscription sync against a stand-in SNS (SMS by SNS, so every staff member has a subscription): the first
    // address is refused.
    let subscribes = 0;
    const sns = {
      send: async (cmd: { constructor: { name: string }; input: Record<string, any> }) => {
        if (cmd.constructor.name === 'ListSubscriptionsByTopicCommand') return { Subscriptions: [] };
        if (cmd.constructor.name === 'SubscribeCommand' && ++subscribes === 1) throw Object.assign(new Error('bad address'), { name: 'InvalidParameterException' });
        return {};
      },
    } as unknown as SNSClient;
    const sync = await run('syncSubscriptions', () => runSubscriptionSync({ digest: rt.digest, outbox: rt.outbox, sns, topicArn: TOPIC, smsVia: 'sns', emailVia: 'sns', clock: rt.clock }));
    expect(sync).toMatchObject({ rejected: 1, flagged: 1 });
    expect(sync.subscribed).toBeGreaterThan(0);

    // Retention: two subjects who left the register over two years ago, one of them with an open case.
    const subjects = await allSubjects(rt);
    const open = await Promise.all(subjects.map(async (x) => (await rt.cases.listForSubject(x.subjectId, 'open')).length));
    const withCase = subjects.find((_, i) => open[i]! > 0)!;
    // Every seeded subject has an open health check by now: one registered afterwards has none.
    const without = { subjectId: 's-iam-left', class: 'primary' as const, communityId: 'east-a', registeredOn: '2023-05-02' };
    await rt.register.putMany([subjectItem(without, rt.district.territory)]);
    for (const x of [withCase, without]) await rt.register.markSubjectLeft(x.subjectId, '2024-01-10', 'moved_away');
    // And a "not due until" mark whose date has come (cleared with its audit entry).
    const marked = { subjectId: 's-iam-mark', class: 'primary' as const, communityId: 'east-a', registeredOn: '2023-05-02', notDueUntil: '2026-03-02' };
    await rt.register.putMany([subjectItem(marked, rt.district.territory)]);
    const retention = await run('retention', () => createRetentionHandler({ register: rt.register, cases: rt.cases, audit: rt.parts.audit, clock: rt.clock, config: rt.district.config })({}));
    expect(retention).toMatchObject({ due: 2, erased: 1, heldByOpenCases: 1, notDueMarks: { due: 1, cleared: 1 } });

    const missing: string[] = [];
    const unused: string[] = [];
    for (const key of jobFunctionKeys) {
      const grants = allowed(jobAccess[key]);
      const did = used.get(key) ?? new Set<string>();
      expect(did.size, key).toBeGreaterThan(0);
      for (const p of did) if (!grants.has(p)) missing.push(`${key}: ${p}`);
      for (const g of grants) if (!did.has(g)) unused.push(`${key}: ${g}`);
      console.log(`${key} used: ${[...did].sort().join(', ')}`);
    }
    if (unused.length) console.log(`job grants not needed in this run: ${unused.join('; ')}`);
    expect(missing).toEqual([]);
  }, 120_000);
});
