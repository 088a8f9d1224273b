// Privacy over a month of the tiny district: staff with recognisable names, phone numbers and
// e-mail addresses, and staff who type a subject's name, ID number and phone number into a reason.
// None of it may reach a log line (Powertools logger and metrics of the Lambda wrapper, console),
// an outbox item, an SMS or e-mail body, a case, a feedback item or a subject record.
//
// Scanned: logs, outbox items, the sink's messages (SMS/e-mail bodies and subjects), cases,
// history, feedback, and the HTTP API's responses and problems (the GET routes for every role,
// refusals, not-founds, invalid bodies) with the API's own log lines. TODO(issue 8): the SNS
// message bodies of the AWS notifier, the imports' responses, and the API over a longer run with
// writes through it; the helper takes any list of texts.
import type { Context } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import type { LocalSink } from '../../functions/adapters/local-sink';
import { districtConfig } from '../../functions/domain/district-config';
import { businessInstant } from '../../functions/domain/time';
import { observability } from '../../functions/handlers/lambda/observability';
import { wrapTaskHandler } from '../../functions/handlers/lambda/task-handler';
import type { TaskHandler } from '../../functions/handlers/workflow-handlers';
import type { FunctionKey } from '../../functions/workflows/catalog';
import { testDocumentClient } from '../support/dynamodb';
import { reliabilityRuntime } from './support/runtime';
import { tinyDistrict } from '../support/tiny-district';
import { captureOutput, scanTexts, type CapturedText, type Hit, type Needle } from './support/privacy';
import { Logger } from '@aws-lambda-powertools/logger';
import { createApi } from '../../functions/api/app';
import { DevAuth } from '../../dev/local/dev-auth';
import { runtimeClockControl, startLocalServer } from '../../dev/local/http-server';
import type { LocalRuntime } from '../../dev/local/runtime';
import { runScenario, SCENARIO_START } from './support/scenario';
import { scanAll } from './support/table';

/** A month of the scenario: 27 April to 26 May. */
const MONTH_END = businessInstant('2026-05-26', '12:00');
const NAMES = ['张伟', '王芳', '李娜', '刘洋', '陈静', '杨敏', '赵磊', '黄丽', '周杰', '吴婷', '徐强'];
const privateDistrict = districtConfig.parse({
  ...tinyDistrict,
  staff: tinyDistrict.staff.map((s, i) => ({ ...s, name: NAMES[i % NAMES.length]!, phone: `+86139${String(81000000 + i * 7919).padStart(8, '0')}`, email: `${s.id}.private@example.cn` })),
});
/** What a staff member might type into a reason about the subject: never meant to leave the case history. */
const CANARY = { name: '李秀梅', idNumber: '41270219900101002X', phone: '13800138000' };

const needles: Needle[] = [
  ...privateDistrict.staff.flatMap((s) => [
    { label: `staff name (${s.id})`, value: s.name },
    { label: `staff phone (${s.id})`, value: s.phone },
    { label: `staff email (${s.id})`, value: s.email },
  ]),
  { label: 'subject name (typed in a reason)', value: CANARY.name },
  { label: 'subject ID number (typed in a reason)', value: CANARY.idNumber },
  { label: 'subject phone (typed in a reason)', value: CANARY.phone },
];

const lambdaContext = (functionName: string): Context =>
  ({ functionName, functionVersion: '$LATEST', awsRequestId: 'req-0001', invokedFunctionArn: `arn:aws-cn:lambda:cn-north-1:000000000000:function:${functionName}`, memoryLimitInMB: '512', logGroupName: `/aws/lambda/${functionName}`, logStreamName: 'local', getRemainingTimeInMillis: () => 30_000, callbackWaitsForEmptyEventLoop: true, done: () => {}, fail: () => {}, succeed: () => {} }) as unknown as Context;

describe('no personal data outside the register and the case history', () => {
  let month: LocalRuntime | undefined;

  it('a month, with Powertools logging as on Lambda: logs, outbox, SMS/e-mail bodies, cases, feedback carry none', async () => {
    // Every Task handler runs inside the Lambda wrapper (middy + Powertools logger and metrics).
    const wrap = (key: string, fn: TaskHandler): TaskHandler => {
      const o = observability({ serviceName: `shudi-${key}`, districtId: privateDistrict.id });
      const lambda = wrapTaskHandler(key as FunctionKey, fn, o);
      return (event) => lambda(event, lambdaContext(`shudi-tiny-${key}`));
    };
    const { result: rt, lines } = await captureOutput(async () => {
      const rt = await reliabilityRuntime(SCENARIO_START, { config: privateDistrict, wrapHandler: wrap, reminders: true });
      await runScenario(rt, { end: MONTH_END });
      // A receiving community rejects a handover, naming the subject and her numbers in the reason,
      // and a refused command (a reassign to somewhere that is not a community) is logged as rejected.
      await rt.openCase({ type: 'handover', caseId: 'ho-p', subjectId: 's-000013', reason: 'resigned', separationDate: '2026-05-26' });
      // A reason carrying her ID number or phone is refused outright (nothing stored); one naming her
      // cannot be recognised by pattern and is kept, in the case history only.
      await expect(
        rt.act('ho-p', { action: 'reject', reason: `不是本社区的：${CANARY.name}，身份证${CANARY.idNumber}，电话${CANARY.phone}` }, { kind: 'staff', staffId: 'co-east-b-1' }, 'reject-p0', 'east-b'),
      ).rejects.toMatchObject({ name: 'CaseRejected' });
      await rt.act('ho-p', { action: 'reject', reason: `不是本社区的：${CANARY.name}` }, { kind: 'staff', staffId: 'co-east-b-1' }, 'reject-p', 'east-b');
      await rt.act('ho-p', { action: 'reassign', toOrgUnitId: 'west-mill' }, { kind: 'staff', staffId: 'so-east-1' }, 'bad-p', 'east').catch((e: Error) => console.error(`refused: ${e.message}`));
      await rt.advanceTo(businessInstant('2026-05-29', '12:00'));
      return rt;
    });
    expect(rt.clock.now().toISOString() > MONTH_END).toBe(true);
    month = rt;

    const table = await scanAll(testDocumentClient(), rt.tableName);
    const sink = (rt.notifier as LocalSink).list({ limit: 100_000 });
    const texts: CapturedText[] = [
      ...lines.map((l) => ({ source: `log:${l.source}`, text: l.text })),
      ...sink.map((m) => ({ source: `${m.channel}:${m.staffId}:${m.kind}`, text: [m.subject ?? '', m.text].join('\n') })),
      ...table.filter((i) => !['staff', 'history', 'org_unit'].includes(String(i.entity))).map((i) => ({ source: `${String(i.entity)}:${String(i.PK)}|${String(i.SK)}`, text: JSON.stringify(i) })),
    ];
    const hits = scanTexts({ needles, patterns: ['cn_mobile', 'cn_id_number'] }, texts);
    const history = table.filter((i) => i.entity === 'history');
    const historyHits = scanTexts({ needles }, history.map((h) => ({ source: `history:${String(h.caseId)}#${String(h.seq)}`, text: JSON.stringify(h) })));
    const logKinds = new Set(lines.map((l) => (l.text.includes('"_aws"') ? 'emf' : l.text.includes('"level"') ? 'logger' : 'other')));
    console.log(
      `[privacy] scanned ${texts.length} texts (${lines.length} log lines [${[...logKinds].join(', ')}], ${sink.length} SMS/e-mail messages, ${texts.length - lines.length - sink.length} items) ` +
        `for ${needles.length} recognisable strings and 2 patterns: ${hits.length} hits; history: ${historyHits.length} hits, all in staff-typed reasons (${[...new Set(historyHits.map((h) => h.source))].join(', ')})`,
    );
    expect(lines.some((l) => l.text.includes('task rejected'))).toBe(true); // the Powertools logger was captured
    expect(sink.length).toBeGreaterThan(10);
    expect(hits).toEqual([]);
    // The case history keeps what staff typed (the reason of a rejection): the only place it is, by design.
    expect(historyHits.length).toBeGreaterThan(0);
    expect(historyHits.every((h) => h.source === 'history:ho-p#2')).toBe(true);
  });

  it('the HTTP API over the same month: responses and problems carry no contact data of other staff, and the typed reason only in its case', async () => {
    const rt = month;
    if (!rt) throw new Error('needs the month of the previous test');
    const districtId = rt.district.territory.districtId;
    const auth = await DevAuth.create({ districtId });
    const api = createApi({ ...rt.parts, logger: new Logger({ serviceName: 'shudi-api', persistentKeys: { district: districtId } }) });
    const server = await startLocalServer({ api, auth, register: rt.register, clock: runtimeClockControl(rt) });
    const replies: CapturedText[] = [];
    try {
      const { lines } = await captureOutput(async () => {
        const as = async (staffId: string) => {
          const staff = (await rt.register.getStaff(staffId))!;
          return (await auth.issue(DevAuth.claimsOf(staff, districtId))).token;
        };
        const call = async (who: string, method: string, path: string, body?: unknown) => {
          const res = await fetch(`${server.url}${path}`, {
            method,
            headers: { accept: 'application/json', authorization: `Bearer ${await as(who)}`, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
            ...(body !== undefined ? { body: JSON.stringify(body) } : {}),
          });
          replies.push({ source: `api:${who}:${method} ${path}:${res.status}`, text: await res.text() });
        };
        const everyone = ['dm-tiny', 'sm-east', 'so-east-1', 'co-east-a-1', 'co-east-b-1', 'co-west-a-1', 'ul-east-school'];
        for (const who of everyone) {
          await call(who, 'GET', '/me');
          await call(who, 'GET', '/org-units');
          const org = (await rt.register.getStaff(who))!.orgUnitId;
          await call(who, 'GET', `/queues/${org}?status=open`);
          await call(who, 'GET', `/queues/${org}?status=open&include=descendants`);
          await call(who, 'GET', `/subjects?orgUnitId=${org}`);
          await call(who, 'GET', '/reports/overdue-handovers');
          await call(who, 'GET', '/reports/on-time?from=2026-04-01&to=2026-05-31');
          for (const caseId of ['ho-a', 'ho-b', 'ho-c', 'ho-d', 'ho-p', 'fu-b', 'cc-a', 'no-such-case']) await call(who, 'GET', `/cases/${encodeURIComponent(caseId)}`);
          await call(who, 'POST', '/cases/ho-p/actions', { action: 'escalate', reason: 'x'.repeat(600) });
          await call(who, 'POST', '/cases', { type: 'follow_up', subjectId: 'nobody', trigger: 'service', eventDate: '2026-05-26' });
        }
        await call('dm-tiny', 'GET', '/audit?date=2026-05-26');
      });
      const texts = [...replies, ...lines.map((l) => ({ source: `api-log:${l.source}`, text: l.text }))];
      const hits = scanTexts({ needles, patterns: ['cn_mobile', 'cn_id_number'] }, texts);
      const staffName = (label: string) => /^staff name \((.+)\)$/.exec(label)?.[1];
      // Allowed: a staff member's own name in her own /me; what staff typed, in the case it belongs to.
      const allowed = (h: Hit) =>
        (staffName(h.label) !== undefined && h.source.startsWith(`api:${staffName(h.label)}:GET /me:`)) ||
        (h.source.includes('GET /cases/ho-p:200') && (h.label.startsWith('subject') || h.label.startsWith('pattern')));
      const unexpected = hits.filter((h) => !allowed(h));
      const statuses = [...new Set(replies.map((r) => r.source.split(':').at(-1)))].sort();
      console.log(`[privacy] API: ${replies.length} responses (statuses ${statuses.join(', ')}), ${lines.length} API log lines; ${hits.length} hits, ${hits.length - unexpected.length} allowed (own name in /me, the typed reason in its case), ${unexpected.length} unexpected`);
      expect(replies.some((r) => r.source.endsWith(':200'))).toBe(true);
      expect(replies.some((r) => r.source.endsWith(':404'))).toBe(true);
      expect(unexpected).toEqual([]);
    } finally {
      await server.close();
    }
  });

  it('the scanner finds a needle in the spellings it may take, and not its masked form', () => {
    const n: Needle[] = [
      { label: 'phone', value: '+8613912345678' },
      { label: 'id', value: '41270219900101002X' },
      { label: 'name', value: '王秀英' },
    ];
    const found = (text: string) => scanTexts({ needles: n }, [{ source: 't', text }]).map((h) => h.label);
    expect(found('call 139 1234 5678 now')).toEqual(['phone']);
    expect(found('tel:0086-139-1234-5678')).toEqual(['phone']);
    expect(found('{"to":"+86139****5678"}')).toEqual([]);
    expect(found('id 41270219900101002x.')).toEqual(['id']);
    expect(found(JSON.stringify({ n: '王秀英' }))).toEqual(['name']);
    expect(found('{"n":"\\u738b\\u79c0\\u82f1"}')).toEqual(['name']);
    expect(found(`/subjects?name=${encodeURIComponent('王秀英')}`)).toEqual(['name']);
    expect(found('s-000013 2026-05-04T02:00:00.000Z 1777777777777')).toEqual([]);
    const byPattern = scanTexts({ needles: [], patterns: ['cn_mobile', 'cn_id_number', 'email'] }, [{ source: 't', text: 'a 13800138000 b 110105199003071234 c x.y@example.cn d 1777777777777' }]);
    expect(byPattern.map((h) => h.label)).toEqual(['pattern:cn_mobile', 'pattern:cn_id_number', 'pattern:email']);
    expect(byPattern.every((h) => !h.excerpt.includes('13800138000'))).toBe(true);
  });
});
