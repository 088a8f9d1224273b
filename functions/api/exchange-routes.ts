// The exchange's routes: each parses (the pipeline's zod), calls one service method and shapes the view; reads of
// subject data are audited. docs/exchange.md describes them.
import { createHash, randomUUID } from 'node:crypto';
import type { z } from 'zod';
import { CaseRejected } from '../app/case-service';
import { verifySignature } from '../domain/department-events';
import { exportFields } from '../domain/exchange';
import { businessDateOf, daysBetween } from '../domain/time';
import type { AuditEntry, ExchangeMessage } from '../store/keys';
import { canSeeCase, isDistrictManager, orgInScope } from './access';
import { caseView } from './case-view';
import { answerBody, eventsBody, exchangeReportQuery, exportQuery, handoverOutBody, importAnswersBody, type HandoverOutBody } from './exchange-schemas';
import { parseOr400 } from './problem';
import { HttpProblem } from './problem';
import { MiB, route, type Ctx, type Route } from './router';
import { caseIdParams } from './schemas';

const MAX_REPORT_DAYS = 366;

function exchangeOf(ctx: Ctx<unknown, unknown, unknown>) {
  const x = ctx.deps.exchange;
  if (!x) throw new HttpProblem('not-found', 'this district exchanges with no other district (no division code in its config)');
  return x;
}

function rejection(err: unknown): never {
  if (err instanceof CaseRejected) {
    if (err.code === 'not_found') throw new HttpProblem('not-found', err.reason);
    if (err.code === 'invalid') throw new HttpProblem('validation', err.reason, [{ path: 'body', message: err.reason }]);
    throw new HttpProblem('conflict', err.reason);
  }
  throw err;
}

async function audit(ctx: Ctx<unknown, unknown, unknown>, entry: Omit<AuditEntry, 'auditId' | 'at' | 'date' | 'staffId' | 'role' | 'orgUnitId' | 'requestId'>) {
  const { caller, now } = ctx;
  await ctx.deps.audit.append({ auditId: randomUUID(), at: now, date: businessDateOf(now), staffId: caller.staffId, role: caller.role, orgUnitId: caller.orgUnitId, requestId: ctx.requestId, ...entry });
}

const messageView = (m: ExchangeMessage) => ({
  messageId: m.messageId,
  type: m.type,
  to: m.to,
  route: m.route,
  state: m.state,
  createdAt: m.createdAt,
  deadlineAt: m.deadlineAt,
  attempts: m.attempts,
  ...(m.ackedAt ? { ackedAt: m.ackedAt } : {}),
});

const csvCell = (v: string) => (/[",\r\n]/.test(v) ? `"${v.replace(/"/g, '""')}"` : v);

export function exchangeRoutes(): Route[] {
  return [
    route<Record<string, never>, Record<string, never>, unknown>({
      method: 'POST',
      path: '/events',
      operationId: 'departmentEvents',
      summary: 'Events from another department: births, marriages, household moves in and out, deaths',
      description:
        'A department system signs each batch with its own key: headers x-shudi-department (its id in the district config), x-shudi-timestamp (Unix seconds, within 5 minutes) and x-shudi-signature (v1= hex HMAC-SHA256 of "<timestamp>.<raw body>"). Up to 1,000 events; each is applied on its own, idempotent by eventId, and answered with its outcome: applied, already_applied, or refused with a reason (unknown subject, bad date, …) and nothing of it written.',
      tag: 'exchange',
      auth: 'public',
      access: 'department systems with a signing key',
      body: { componentId: 'DepartmentEvents', maxBytes: 2 * MiB },
      response: { status: 200, componentId: 'DepartmentEventsResult', description: 'each event’s outcome, in order' },
      problems: [400, 401, 413, 415],
      handler: async (ctx) => {
        const x = exchangeOf(ctx);
        const departmentId = ctx.headers['x-shudi-department'] ?? '';
        const key = await x.events.keyOf(departmentId);
        // An unknown department and a bad signature get the same answer.
        const check = key ? verifySignature(key, ctx.headers['x-shudi-timestamp'], ctx.headers['x-shudi-signature'], ctx.body as string, Date.parse(ctx.now)) : { ok: false as const };
        if (!check.ok) throw new HttpProblem('unauthenticated', 'a department request needs x-shudi-department, x-shudi-timestamp and a valid x-shudi-signature');
        let parsed: unknown;
        try {
          parsed = JSON.parse(ctx.body as string);
        } catch {
          throw new HttpProblem('validation', 'not valid JSON', [{ path: 'body', message: 'not valid JSON' }]);
        }
        const { events } = parseOr400(eventsBody, parsed, 'body');
        return { status: 200, body: { items: await x.events.apply(departmentId, events) } };
      },
    }),
    route<Record<string, never>, Record<string, never>, HandoverOutBody>({
      method: 'POST',
      path: '/exchange/handovers',
      operationId: 'handoverOut',
      summary: 'Hand a subject over to a community of another district',
      description:
        'Opens a handover that waits in the sending community’s queue for the receiving district’s receipt, and writes its handover_out message in the same transaction (to the partner’s bus, or to the export outbox for a region with no partner). With an Idempotency-Key, a repeat returns the same case.',
      tag: 'exchange',
      auth: 'staff',
      access: 'the subject’s community or one above it',
      body: { schema: handoverOutBody, componentId: 'HandoverOut', maxBytes: MiB },
      idempotencyKey: true,
      response: { status: 201, componentId: 'Case', description: 'the handover', alsoStatus: [{ status: 200, description: 'the handover this key opened before' }] },
      problems: [400, 404, 409, 415],
      handler: async (ctx) => {
        const x = exchangeOf(ctx);
        const key = ctx.headers['idempotency-key'];
        const caseId = `xho-${key ? createHash('sha256').update(`${ctx.caller.staffId}|${key}`).digest('base64url').slice(0, 22) : randomUUID()}`;
        const out = await x.service.handoverOut({ caseId, ...ctx.body }, { kind: 'staff', staffId: ctx.caller.staffId }, ctx.caller.orgUnitId).catch(rejection);
        return { status: out.created ? 201 : 200, body: caseView(out.case, ctx.caller, ctx.deps.district, ctx.now), headers: { location: `/cases/${encodeURIComponent(out.case.caseId)}` } };
      },
    }),
    route<z.output<typeof caseIdParams>, Record<string, never>, z.output<typeof answerBody>>({
      method: 'POST',
      path: '/exchange/requests/{caseId}/answer',
      operationId: 'answerVerification',
      summary: 'Answer a verification request from another district',
      description: 'Closes the request with the certificate’s result and writes the verification_feedback back to the requesting district in the same transaction.',
      tag: 'exchange',
      auth: 'staff',
      access: 'the district (requests arrive in the district queue)',
      params: caseIdParams,
      body: { schema: answerBody, componentId: 'VerificationAnswer', maxBytes: MiB },
      response: { status: 200, componentId: 'Case', description: 'the answered request' },
      problems: [400, 404, 409, 415],
      handler: async (ctx) => {
        const x = exchangeOf(ctx);
        const c = await x.service.answer(ctx.params.caseId, ctx.body.result, ctx.body.date, { kind: 'staff', staffId: ctx.caller.staffId }, ctx.caller.orgUnitId).catch(rejection);
        return { status: 200, body: caseView(c, ctx.caller, ctx.deps.district, ctx.now) };
      },
    }),
    route<z.output<typeof caseIdParams>>({
      method: 'GET',
      path: '/cases/{caseId}/messages',
      operationId: 'caseMessages',
      summary: 'The exchange messages of a case (pending until acknowledged)',
      tag: 'exchange',
      auth: 'staff',
      access: 'who may see the case',
      params: caseIdParams,
      response: { status: 200, componentId: 'ExchangeMessages', description: 'its messages, oldest first' },
      problems: [404],
      handler: async (ctx) => {
        const x = exchangeOf(ctx);
        const c = await ctx.deps.cases.get(ctx.params.caseId);
        // Not yours and does not exist look the same.
        if (!c || !canSeeCase(ctx.caller, c, ctx.deps.district.territory)) throw new HttpProblem('not-found', `no case "${ctx.params.caseId}"`);
        const items = await x.service.messagesOf(c.caseId);
        return { status: 200, body: { items: items.map(messageView) } };
      },
    }),
    route<Record<string, never>, z.output<typeof exportQuery>>({
      method: 'GET',
      path: '/exchange/export',
      operationId: 'exportOutbox',
      summary: 'The export outbox: messages to regions with no partner, for a hand send',
      description: `Rows in the field order of the national exchange platform's verification form: ${exportFields.join(', ')}. format=csv answers text/csv with a header row.`,
      tag: 'exchange',
      auth: 'staff',
      access: 'district managers',
      query: exportQuery,
      response: { status: 200, componentId: 'ExportOutbox', description: 'the rows' },
      problems: [400, 403],
      handler: async (ctx) => {
        if (!isDistrictManager(ctx.caller)) throw new HttpProblem('forbidden', 'the export outbox is for district managers');
        const rows = await exchangeOf(ctx).service.exportRows();
        await audit(ctx, { action: 'exchange.export', count: rows.length, subjectIds: rows.map((r) => r.subjectRef).filter(Boolean) });
        if (ctx.query.format === 'csv') {
          const text = [exportFields.join(','), ...rows.map((r) => exportFields.map((f) => csvCell(r[f])).join(','))].join('\r\n') + '\r\n';
          return { status: 200, body: text, headers: { 'content-type': 'text/csv; charset=utf-8', 'content-disposition': 'attachment; filename="exchange-export.csv"' } };
        }
        return { status: 200, body: { fields: exportFields, rows } };
      },
    }),
    route<Record<string, never>, Record<string, never>, z.output<typeof importAnswersBody>>({
      method: 'POST',
      path: '/exchange/import',
      operationId: 'importAnswers',
      summary: 'Take back the answers to exported messages',
      description: 'Each answer closes the origin sub-case waiting for it (one transaction) and marks its message answered; an answer given before changes nothing; one for an unknown message is refused on its own.',
      tag: 'exchange',
      auth: 'staff',
      access: 'district managers',
      body: { schema: importAnswersBody, componentId: 'ImportAnswers', maxBytes: MiB },
      response: { status: 200, componentId: 'ImportAnswersResult', description: 'each answer’s outcome' },
      problems: [400, 403, 415],
      handler: async (ctx) => {
        if (!isDistrictManager(ctx.caller)) throw new HttpProblem('forbidden', 'imports are for district managers');
        const items = await exchangeOf(ctx).service.importAnswers(ctx.body.answers);
        await audit(ctx, { action: 'exchange.import', count: items.length });
        return { status: 200, body: { items } };
      },
    }),
    route<Record<string, never>, z.output<typeof exchangeReportQuery>>({
      method: 'GET',
      path: '/reports/exchange',
      operationId: 'exchangeReport',
      summary: 'Messages with other districts: sent, acknowledged, overdue; submission and feedback rates',
      description: `Messages caused by cases owned beneath the org unit, created between from and to (Asia/Shanghai dates, inclusive, at most ${MAX_REPORT_DAYS} days), beside the source's targets: 90% of verification requests submitted, 100% fed back.`,
      tag: 'reports',
      auth: 'staff',
      access: 'the org unit or one above it',
      query: exchangeReportQuery,
      response: { status: 200, componentId: 'ExchangeReport', description: 'the report' },
      problems: [400, 403, 404],
      handler: async (ctx) => {
        const { query } = ctx;
        if (query.from > query.to) throw new HttpProblem('validation', 'the period ends before it starts', [{ path: 'query.to', message: 'to is on or after from' }]);
        if (daysBetween(query.from, query.to) >= MAX_REPORT_DAYS) throw new HttpProblem('validation', 'the period is too long', [{ path: 'query.to', message: `a report covers at most ${MAX_REPORT_DAYS} days` }]);
        const org = orgInScope(ctx.caller, query.orgUnitId ?? ctx.caller.orgUnitId, ctx.deps.district.territory);
        return { status: 200, body: await exchangeOf(ctx).service.report({ id: org.id, kind: org.kind }, query.from, query.to) };
      },
    }),
  ];
}
