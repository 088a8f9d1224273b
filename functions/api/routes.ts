// The route table: each route parses (zod, in the pipeline), authorizes, calls the case service or
// the stores, and shapes the response. docs/api.md is the contract; ./openapi.ts documents this table.
import { randomUUID } from 'node:crypto';
import { CaseRejected, subjectRefOf } from '../app/case-service';
import type { Case } from '../domain/case';
import type { OpenCaseInput } from '../domain/case-machines';
import { managingOrgUnitId, type Subject } from '../domain/people';
import { checkNotDueUntil, notDueUntilOn } from '../domain/due-for-check';
import { lateReportingReport, onTimeReport, overdueHandoverReport } from '../domain/reports';
import { businessDateOf, daysBetween, endOfBusinessDay, startOfBusinessDay } from '../domain/time';
import type { Page } from '../store/paging';
import { canSeeCase, canSeeSubject, canViewOrg, isDistrictManager, notFound, orgInScope, type Caller } from './access';
import { maskPhone } from '../domain/reminders';
import type { Staff } from '../domain/people';
import { StaffChangeConflict, type StaffAdmin } from '../store/staff-admin';
import { caseView } from './case-view';
import { exchangeRoutes } from './exchange-routes';
import { importStaff, importSubjects, readRows, staffColumns, subjectColumns } from './imports';
import { HttpProblem } from './problem';
import { MiB, route, type ApiDeps, type Ctx, type Route } from './router';
import {
  auditQuery,
  caseActionBody,
  clearUndeliverableBody,
  preferencesBody,
  staffIdParams,
  undeliverableQuery,
  type ClearUndeliverableBody,
  type PreferencesBody,
  caseIdParams,
  createCaseBody,
  onTimeReportQuery,
  orgUnitParams,
  overdueReportQuery,
  queueQuery,
  subjectParams,
  subjectPatchBody,
  subjectsQuery,
  type CaseActionBody,
  type CreateCaseBody,
} from './schemas';
import type { z } from 'zod';


const actorOf = (caller: Caller) => ({ kind: 'staff' as const, staffId: caller.staffId });

const viewPage = (page: Page<Case>, ctx: Ctx<unknown, unknown, unknown>) => ({
  items: page.items.map((c) => caseView(c, ctx.caller, ctx.deps.district, ctx.now)),
  ...(page.cursor ? { cursor: page.cursor } : {}),
});

/** Maps a refusal to its problem. */
function rejectionProblem(err: CaseRejected): HttpProblem {
  switch (err.code) {
    case 'not_found':
      return new HttpProblem('not-found', err.reason);
    case 'invalid':
      return new HttpProblem('validation', err.reason, [{ path: 'body', message: err.reason }]);
    case 'forbidden':
      return new HttpProblem('forbidden', err.reason);
    default:
      return new HttpProblem('conflict', err.reason);
  }
}

/** A service refusal as its problem; anything else as it is. */
const asProblem = (err: unknown): never => {
  throw err instanceof CaseRejected ? rejectionProblem(err) : err;
};

// ---------------------------------------------------------------------------------------------
// POST /cases

const idPrefix: Record<CreateCaseBody['type'], string> = { handover: 'ho', follow_up: 'fu', health_check: 'hc', certificate_check: 'cc', application: 'ap' };

/**
 * The org unit a caller must hold (or be above) to open the case: the sending unit or community
 * of a handover, otherwise the org unit that will own it.
 */
function openerOrg(body: CreateCaseBody, subject: Subject): string {
  switch (body.type) {
    case 'handover':
      return body.fromUnitId ?? body.fromCommunityId!;
    case 'health_check':
      return managingOrgUnitId(subject);
    default:
      return subject.communityId;
  }
}

function openInput(body: CreateCaseBody, subject: Subject, caseId: string): OpenCaseInput {
  const ref = subjectRefOf(subject);
  switch (body.type) {
    case 'handover': {
      if (body.reason === 'moved') {
        if (subject.communityId !== body.fromCommunityId)
          throw new HttpProblem('conflict', `the register has subject ${subject.subjectId} living in another community than "${body.fromCommunityId}"`);
      } else if (subject.class !== 'co_managed' || subject.unitId !== body.fromUnitId) {
        throw new HttpProblem('conflict', `the register does not have subject ${subject.subjectId} employed by unit "${body.fromUnitId}"`);
      }
      return { type: 'handover', caseId, subject: ref, reason: body.reason, separationDate: body.effectiveDate, ...(body.toCommunityId ? { toCommunityId: body.toCommunityId } : {}) };
    }
    case 'follow_up':
      return { type: 'follow_up', caseId, subject: ref, trigger: body.trigger, eventDate: body.eventDate, ...(body.windowEnd ? { windowEnd: body.windowEnd } : {}) };
    case 'health_check':
      return { type: 'health_check', subject: ref, ...(body.periodOf ? { periodOf: body.periodOf } : {}) };
    case 'certificate_check':
      return { type: 'certificate_check', caseId, subject: ref, task: 'verify', startDate: body.registeredOn };
    case 'application':
      return { type: 'application', caseId, subject: ref, code: body.code, receivedOn: body.receivedOn };
  }
}

async function createCase(ctx: Ctx<unknown, unknown, CreateCaseBody>) {
  const { body, caller, deps, now } = ctx;
  const { district } = deps;
  // A subject the district does not have and one outside the caller's scope: the same 404.
  const subject = await deps.register.getSubject(body.subjectId);
  if (!subject || !canSeeSubject(caller, subject, district.territory)) throw notFound('subject', body.subjectId);
  const opener = openerOrg(body, subject);
  if (!canViewOrg(caller, opener, district.territory)) throw new HttpProblem('forbidden', `opening a ${body.type} for this subject is for "${opener}" or an org unit above it; you act for "${caller.orgUnitId}"`);

  const key = ctx.headers['idempotency-key'];
  const idempotency = key ? deps.service.idempotency(caller.staffId, key, body) : undefined;
  const caseId = `${idPrefix[body.type]}-${idempotency ? idempotency.keyHash.slice(0, 22) : randomUUID()}`;
  const opened = await deps.service.open(() => openInput(body, subject, caseId), actorOf(caller), idempotency ? { idempotency } : {}).catch(asProblem);
  const headers: Record<string, string> = { location: `/cases/${encodeURIComponent(opened.case.caseId)}`, ...(opened.replayed ? { 'idempotent-replayed': 'true' } : {}) };
  return { status: opened.created ? 201 : 200, body: caseView(opened.case, caller, district, now), headers };
}

// ---------------------------------------------------------------------------------------------
// POST /cases/{caseId}/actions

async function actOnCase(ctx: Ctx<{ caseId: string }, unknown, CaseActionBody>) {
  const { body, caller, deps, now, params } = ctx;
  const { district } = deps;
  const { commandId, keyPart } = deps.service.staffCommandId(caller.staffId, ctx.headers['idempotency-key'], body);
  const visible = (c: Case) => canSeeCase(caller, c, district.territory);
  const r = await deps.service.act(params.caseId, body, actorOf(caller), commandId, caller.orgUnitId, { visible, ...(keyPart ? { keyPart } : {}) }).catch(asProblem);
  const headers: Record<string, string> = r.applied ? {} : { 'idempotent-replayed': 'true' };
  return { status: 200, body: caseView(r.case, caller, district, now), headers };
}

// ---------------------------------------------------------------------------------------------
// GET /queues/{orgUnitId}

async function queue(ctx: Ctx<{ orgUnitId: string }, z.output<typeof queueQuery>, undefined>) {
  const { query: q, deps, now } = ctx;
  const org = orgInScope(ctx.caller, ctx.params.orgUnitId, deps.district.territory);
  const overdue = q.overdue === 'true';
  if (overdue && q.status !== 'open') throw new HttpProblem('validation', 'overdue is for open cases', [{ path: 'query.overdue', message: 'overdue=true goes with status=open' }]);
  const paging = { limit: q.limit, ...(q.cursor ? { cursor: q.cursor } : {}), ...(q.type ? { type: q.type } : {}) };
  let page: Page<Case>;
  if (q.include === 'descendants') {
    page =
      q.status === 'open'
        ? await deps.cases.listOpenUnder({ id: org.id, kind: org.kind }, { ...paging, ...(overdue ? { dueBefore: now } : {}) })
        : await deps.cases.listClosedUnderPage({ id: org.id, kind: org.kind }, { ...paging, status: q.status });
  } else {
    page = await deps.cases.listQueue(org.id, q.status, { ...paging, ...(overdue ? { dueBefore: now } : {}) });
  }
  return { status: 200, body: viewPage(page, ctx) };
}

// ---------------------------------------------------------------------------------------------
// Staff: undeliverable flags and preferences

const isManagerRole = (caller: Caller) => caller.role === 'district_manager' || caller.role === 'street_manager';

/** A district manager is over every staff member; a street manager over the staff of her street and beneath it. */
const managesStaff = (caller: Caller, staff: Pick<Staff, 'orgUnitId'>, ctx: Ctx<unknown, unknown, unknown>) =>
  isManagerRole(caller) && canViewOrg(caller, staff.orgUnitId, ctx.deps.district.territory);

function adminOf(ctx: Ctx<unknown, unknown, unknown>): StaffAdmin {
  if (!ctx.deps.staffAdmin) throw new Error('the API was created without staffAdmin');
  return ctx.deps.staffAdmin;
}

/** `+86139****0001`, `c***@example.cn`: enough to recognise the address, never the whole of it. */
export function maskedAddress(channel: 'sms' | 'email', s: Pick<Staff, 'phone' | 'email'>): string {
  if (channel === 'sms') return s.phone ? maskPhone(s.phone) : '';
  const at = s.email?.indexOf('@') ?? -1;
  return at > 0 ? `${s.email![0]}***${s.email!.slice(at)}` : '***';
}

const preferencesOf = (s: Staff) => ({ channel: s.channel, language: s.language, quietHours: { start: s.quietHours.start, end: s.quietHours.end }, digestDays: s.digestDays ?? 'working' });

/** The staff member of the path: one the district does not have and one the caller may not act on get the same 404. */
async function staffInScope(ctx: Ctx<{ staffId: string }, unknown, unknown>, may: (s: Staff) => boolean): Promise<Staff> {
  const s = await ctx.deps.register.getStaff(ctx.params.staffId);
  if (!s || !may(s)) throw notFound('staff member', ctx.params.staffId);
  return s;
}

async function changed<T>(p: Promise<T | undefined>, staffId: string): Promise<T> {
  try {
    const r = await p;
    if (!r) throw new HttpProblem('not-found', `no staff member "${staffId}" in this district`);
    return r;
  } catch (err) {
    if (err instanceof StaffChangeConflict) throw new HttpProblem('conflict', err.message);
    throw err;
  }
}

// ---------------------------------------------------------------------------------------------
// The table

const MAX_REPORT_DAYS = 366;

export function apiRoutes(openapi: () => unknown): Route[] {
  return [
    ...exchangeRoutes(),
    route({
      method: 'GET',
      path: '/health',
      operationId: 'health',
      summary: 'Liveness',
      tag: 'meta',
      auth: 'public',
      response: { status: 200, componentId: 'Health', description: 'the API is up' },
      problems: [],
      handler: async () => ({ status: 200, body: { status: 'ok' } }),
    }),
    route({
      method: 'GET',
      path: '/openapi.json',
      operationId: 'openapi',
      summary: 'This document',
      tag: 'meta',
      auth: 'public',
      response: { status: 200, componentId: 'OpenApi', description: 'OpenAPI 3.1, generated from the route table and its zod schemas' },
      problems: [],
      handler: async () => ({ status: 200, body: openapi() }),
    }),
    route({
      method: 'GET',
      path: '/me',
      operationId: 'me',
      summary: 'The signed-in staff member',
      tag: 'identity',
      auth: 'staff',
      access: 'any staff member',
      response: { status: 200, componentId: 'Me', description: 'the caller' },
      problems: [],
      handler: async ({ caller, deps }) => {
        const staff = await deps.register.getStaff(caller.staffId);
        const u = caller.orgUnit;
        return {
          status: 200,
          body: {
            staffId: caller.staffId,
            role: caller.role,
            orgUnitId: caller.orgUnitId,
            district: caller.district,
            name: staff?.name ?? caller.staffId,
            orgUnit: orgUnitView(u),
            ...(staff ? { preferences: preferencesOf(staff) } : {}),
          },
        };
      },
    }),
    route({
      method: 'GET',
      path: '/org-units',
      operationId: 'listOrgUnits',
      summary: "The district's org-unit tree",
      tag: 'identity',
      auth: 'staff',
      access: 'any staff member',
      response: { status: 200, componentId: 'OrgUnitList', description: 'every org unit of the district' },
      problems: [],
      handler: async ({ deps }) => ({ status: 200, body: { items: deps.district.territory.all().map(orgUnitView) } }),
    }),
    route({
      method: 'GET',
      path: '/application-codes',
      operationId: 'listApplicationCodes',
      summary: 'What a community may receive an application for',
      description: "The district config's applications list, in its order: the codes POST /cases takes for an application, with their names. No free text goes with an application.",
      tag: 'identity',
      auth: 'staff',
      access: 'any staff member',
      response: { status: 200, componentId: 'ApplicationCodeList', description: 'every application code of the district' },
      problems: [],
      handler: async ({ deps }) => ({ status: 200, body: { items: (deps.district.config.applications ?? []).map((a) => ({ code: a.code, name: { 'zh-CN': a.name.zh, en: a.name.en } })) } }),
    }),
    route<Record<string, never>, z.output<typeof subjectsQuery>>({
      method: 'GET',
      path: '/subjects',
      operationId: 'listSubjects',
      summary: 'Subjects managed by an org unit (audited)',
      description: 'Subjects managed by a community or unit, or under a street or the district. Every call appends an audit entry.',
      tag: 'subjects',
      auth: 'staff',
      access: 'the org unit or one above it',
      query: subjectsQuery,
      response: { status: 200, componentId: 'SubjectPage', description: 'a page of subjects' },
      problems: [400, 404],
      audit: 'subjects.list',
      pages: true,
      handler: async (ctx) => {
        const { deps, query } = ctx;
        const org = orgInScope(ctx.caller, query.orgUnitId ?? ctx.caller.orgUnitId, deps.district.territory);
        const page = await deps.register.listSubjects({ id: org.id, kind: org.kind }, { limit: query.limit, ...(query.cursor ? { cursor: query.cursor } : {}) });
        return {
          status: 200,
          audit: { targetOrgUnitId: org.id },
          body: {
            items: page.items.map((s) => ({
              subjectId: s.subjectId,
              class: s.class,
              communityId: s.communityId,
              unitId: s.unitId ?? null,
              implantUntil: s.implantUntil ?? null,
              registeredOn: s.registeredOn,
              notDueUntil: notDueUntilOn(s.notDueUntil, businessDateOf(ctx.now)) ?? null,
            })),
            ...(page.cursor ? { cursor: page.cursor } : {}),
          },
        };
      },
    }),
    route<Record<string, never>, Record<string, never>, CreateCaseBody>({
      method: 'POST',
      path: '/cases',
      operationId: 'createCase',
      summary: 'Open a case',
      description:
        'With an Idempotency-Key, the same key and body return the same case (200, Idempotent-Replayed: true) and never open a second; the same key with another body is 409. Keys are per caller.',
      tag: 'cases',
      auth: 'staff',
      access: "the sending unit or community of a handover, the org unit that will own any other case, or an org unit above it",
      body: { schema: createCaseBody, componentId: 'CreateCase', maxBytes: MiB },
      idempotencyKey: true,
      response: { status: 201, componentId: 'Case', description: 'the new case', alsoStatus: [{ status: 200, description: 'the case this key (or this health-check period) opened before' }] },
      problems: [400, 403, 404, 409, 413, 415],
      audit: 'case.open',
      handler: createCase,
    }),
    route<{ caseId: string }>({
      method: 'GET',
      path: '/cases/{caseId}',
      operationId: 'getCase',
      summary: 'One case with its history (audited)',
      tag: 'cases',
      auth: 'staff',
      access: 'see docs/api.md "Who sees what"',
      params: caseIdParams,
      response: { status: 200, componentId: 'Case', description: 'the case, with history' },
      problems: [400, 404],
      audit: 'case.read',
      handler: async (ctx) => {
        const { deps, caller, now } = ctx;
        const got = await deps.cases.getWithHistory(ctx.params.caseId);
        if (!got || !canSeeCase(caller, got.case, deps.district.territory)) throw notFound('case', ctx.params.caseId);
        return { status: 200, body: caseView(got.case, caller, deps.district, now, got.history), audit: { caseId: got.case.caseId } };
      },
    }),
    route<{ caseId: string }, Record<string, never>, CaseActionBody>({
      method: 'POST',
      path: '/cases/{caseId}/actions',
      operationId: 'actOnCase',
      summary: 'Act on a case',
      description:
        'The Idempotency-Key is the command id: a repeated key with the same body changes nothing and returns the case (Idempotent-Replayed: true); with another body it is 409. 409 also when the type or state does not allow the action (the detail says why); 403 when the caller may see the case but not take that action.',
      tag: 'cases',
      auth: 'staff',
      access: "see the case's allowedActions",
      params: caseIdParams,
      body: { schema: caseActionBody, componentId: 'CaseAction', maxBytes: MiB },
      idempotencyKey: true,
      response: { status: 200, componentId: 'Case', description: 'the case after the action' },
      problems: [400, 403, 404, 409, 413, 415],
      audit: 'case.act',
      handler: actOnCase,
    }),
    route<{ orgUnitId: string }, z.output<typeof queueQuery>>({
      method: 'GET',
      path: '/queues/{orgUnitId}',
      operationId: 'getQueue',
      summary: "An org unit's queue",
      description:
        'Without include: the cases queued at the org unit with that status, soonest due first. include=descendants, status=open: every open case owned by the org unit or beneath it wherever it sits (for a street also the handovers it sent to another street), soonest due first. include=descendants with done or cancelled: cases owned beneath it that closed, most recently closed first. type filters within the query; pages are filled (short only if many cases in a row are filtered out) and a cursor follows whenever more may come.',
      tag: 'cases',
      auth: 'staff',
      access: 'the org unit or one above it',
      params: orgUnitParams,
      query: queueQuery,
      response: { status: 200, componentId: 'CasePage', description: 'a page of cases' },
      problems: [400, 404],
      audit: 'queue.read',
      pages: true,
      handler: queue,
    }),
    route<z.output<typeof subjectParams>, Record<string, never>, z.output<typeof subjectPatchBody>>({
      method: 'PATCH',
      path: '/subjects/{subjectId}',
      operationId: 'markSubjectNotDue',
      summary: 'Mark a subject not due a check until a date (audited)',
      description: 'Her residence or managing community (or a level above it) marks her not due a health check until notDueUntil (after today, at most 2 years ahead; null clears it). No reason is stored. The generator opens no check for a period ending before the date; from its date on the mark is ignored, and the daily job at 02:00 clears it.',
      tag: 'subjects',
      audit: 'subjects.not_due_until',
      auth: 'staff',
      access: "her community, her unit (co_managed), or a level above them",
      params: subjectParams,
      body: { schema: subjectPatchBody, componentId: 'SubjectPatch', maxBytes: MiB },
      response: { status: 200, componentId: 'Subject', description: 'the subject after the change' },
      problems: [400, 404, 409, 413, 415],
      handler: async (ctx) => {
        const { deps, caller, body, params, now } = ctx;
        const { territory } = deps.district;
        const check = checkNotDueUntil(body.notDueUntil, businessDateOf(now));
        if (!check.ok) throw new HttpProblem('validation', check.reason, [{ path: 'body.notDueUntil', message: check.reason }]);
        // Not hers and not there look the same.
        const s = await deps.register.getSubject(params.subjectId);
        if (!s || !(canViewOrg(caller, s.communityId, territory) || canViewOrg(caller, managingOrgUnitId(s), territory))) throw new HttpProblem('not-found', `no subject "${params.subjectId}" in your scope`);
        let after: Subject;
        try {
          after = await deps.service.setNotDueUntil(s.subjectId, check.value);
        } catch (err) {
          if (err instanceof CaseRejected) throw rejectionProblem(err);
          throw err;
        }
        return {
          status: 200,
          body: { subjectId: after.subjectId, class: after.class, communityId: after.communityId, unitId: after.unitId ?? null, implantUntil: after.implantUntil ?? null, registeredOn: after.registeredOn, notDueUntil: after.notDueUntil ?? null },
          audit: { targetOrgUnitId: s.communityId },
        };
      },
    }),
    route<Record<string, never>, z.output<typeof overdueReportQuery>>({
      method: 'GET',
      path: '/reports/overdue-handovers',
      operationId: 'overdueHandovers',
      summary: 'Overdue handovers by child org unit and age',
      description: 'Open handovers past their due date owned beneath the org unit, counted per child (district → streets; street → communities and units; a community or unit reports on itself) in buckets of days overdue (Asia/Shanghai calendar days after the due date).',
      tag: 'reports',
      auth: 'staff',
      access: 'the org unit or one above it',
      query: overdueReportQuery,
      response: { status: 200, componentId: 'OverdueHandoverReport', description: 'the report' },
      problems: [400, 404],
      audit: 'report.read',
      handler: async (ctx) => {
        const { deps, now } = ctx;
        const { territory } = deps.district;
        const org = orgInScope(ctx.caller, ctx.query.orgUnitId ?? ctx.caller.orgUnitId, territory);
        const cases: Case[] = [];
        let cursor: string | undefined;
        do {
          const page = await deps.cases.listOpenUnder({ id: org.id, kind: org.kind }, { dueBefore: now, type: 'handover', limit: 500, ...(cursor ? { cursor } : {}) });
          cases.push(...page.items);
          cursor = page.cursor;
        } while (cursor);
        const report = overdueHandoverReport({ orgUnitId: org.id, cases, territory, now });
        return { status: 200, body: { ...report, items: report.items.map((c) => caseView(c, ctx.caller, deps.district, now)) } };
      },
    }),
    route<Record<string, never>, z.output<typeof onTimeReportQuery>>({
      method: 'GET',
      path: '/reports/on-time',
      operationId: 'onTimeRates',
      summary: 'On-time rates by child org unit and case type',
      description: `Cases owned beneath the org unit that closed between from and to (Asia/Shanghai dates, inclusive, at most ${MAX_REPORT_DAYS} days): closed = done, onTime = done by the end of the due date, rate = onTime / closed; cancelled cases are counted apart.`,
      tag: 'reports',
      auth: 'staff',
      access: 'the org unit or one above it',
      query: onTimeReportQuery,
      response: { status: 200, componentId: 'OnTimeReport', description: 'the report' },
      problems: [400, 404],
      
      handler: async (ctx) => {
        const { deps, query } = ctx;
        const { territory } = deps.district;
        if (query.from > query.to) throw new HttpProblem('validation', 'the period ends before it starts', [{ path: 'query.to', message: 'to is on or after from' }]);
        if (daysBetween(query.from, query.to) >= MAX_REPORT_DAYS) throw new HttpProblem('validation', 'the period is too long', [{ path: 'query.to', message: `a report covers at most ${MAX_REPORT_DAYS} days` }]);
        const org = orgInScope(ctx.caller, query.orgUnitId ?? ctx.caller.orgUnitId, territory);
        const cases = await deps.cases.listClosedUnder({ id: org.id, kind: org.kind }, startOfBusinessDay(query.from), endOfBusinessDay(query.to));
        return { status: 200, body: onTimeReport({ orgUnitId: org.id, cases, territory, from: query.from, to: query.to }) };
      },
    }),
    route<Record<string, never>, z.output<typeof onTimeReportQuery>>({
      method: 'GET',
      path: '/reports/late-reporting',
      operationId: 'lateReporting',
      summary: 'Handovers reported after their due date, by reporting unit and street',
      description: `Handovers opened between from and to (Asia/Shanghai dates, inclusive, at most ${MAX_REPORT_DAYS} days) whose 30 days were already over when they were reported, counted against the reporter (the sending unit or community) and its street, for reporters within the org unit.`,
      tag: 'reports',
      auth: 'staff',
      access: 'the org unit or one above it',
      query: onTimeReportQuery,
      response: { status: 200, componentId: 'LateReportingReport', description: 'the report' },
      problems: [400, 403, 404],
      handler: async (ctx) => {
        const { deps, query, now } = ctx;
        const { territory } = deps.district;
        if (query.from > query.to) throw new HttpProblem('validation', 'the period ends before it starts', [{ path: 'query.to', message: 'to is on or after from' }]);
        if (daysBetween(query.from, query.to) >= MAX_REPORT_DAYS) throw new HttpProblem('validation', 'the period is too long', [{ path: 'query.to', message: `a report covers at most ${MAX_REPORT_DAYS} days` }]);
        const org = orgInScope(ctx.caller, query.orgUnitId ?? ctx.caller.orgUnitId, territory);
        // Reported in the period: still open, or closed since the period began.
        const cases = await deps.cases.listClosedUnder({ id: org.id, kind: org.kind }, startOfBusinessDay(query.from), now);
        let cursor: string | undefined;
        do {
          const page = await deps.cases.listOpenUnder({ id: org.id, kind: org.kind }, { type: 'handover', limit: 500, ...(cursor ? { cursor } : {}) });
          cases.push(...page.items);
          cursor = page.cursor;
        } while (cursor);
        return { status: 200, body: lateReportingReport({ orgUnitId: org.id, cases, territory, from: query.from, to: query.to }) };
      },
    }),
    route<Record<string, never>, Record<string, never>, unknown>({
      method: 'POST',
      path: '/imports/staff',
      operationId: 'importStaff',
      summary: 'Import staff (JSON array or CSV)',
      description: 'Each row is validated on its own; a rejected row writes nothing, the accepted rows are written (an existing staff id is replaced). Rows are never logged.',
      tag: 'imports',
      auth: 'staff',
      access: 'district managers',
      body: { componentId: 'StaffImport', maxBytes: 5 * MiB, csv: true },
      response: { status: 200, componentId: 'ImportResult', description: 'what was accepted and what was rejected, by row and field' },
      problems: [400, 403, 413, 415],
      audit: 'staff.import',
      handler: async (ctx) => {
        if (!isDistrictManager(ctx.caller)) throw new HttpProblem('forbidden', 'staff imports are for district managers');
        const rows = readRows(ctx.body as string, ctx.mediaType!, staffColumns);
        const result = await importStaff(rows, ctx.deps);
        return { status: 200, body: result, audit: { count: result.accepted } };
      },
    }),
    route<Record<string, never>, Record<string, never>, unknown>({
      method: 'POST',
      path: '/imports/subjects',
      operationId: 'importSubjects',
      summary: 'Import subjects (JSON array or CSV)',
      description:
        'Each row is validated on its own; a rejected row writes nothing. A new subject is added; an existing one is updated only while she has no open case (else the row is rejected); an unchanged one is accepted without a write. Street managers import subjects managed within their street.',
      tag: 'imports',
      auth: 'staff',
      access: 'district managers; street managers within their street',
      body: { componentId: 'SubjectImport', maxBytes: 5 * MiB, csv: true },
      response: { status: 200, componentId: 'ImportResult', description: 'what was accepted and what was rejected, by row and field' },
      problems: [400, 403, 413, 415],
      audit: 'subjects.import',
      handler: async (ctx) => {
        const { caller } = ctx;
        if (caller.role !== 'district_manager' && caller.role !== 'street_manager') throw new HttpProblem('forbidden', 'subject imports are for district and street managers');
        const rows = readRows(ctx.body as string, ctx.mediaType!, subjectColumns);
        const { written, ...result } = await importSubjects(rows, ctx.deps, caller, businessDateOf(ctx.now));
        // The entry names every subject written (the response names none).
        return { status: 200, body: result, audit: { targetOrgUnitId: caller.orgUnitId, count: written.length, subjectIds: written } };
      },
    }),
    route<Record<string, never>, z.output<typeof auditQuery>>({
      method: 'GET',
      path: '/audit',
      operationId: 'listAudit',
      summary: "A day's audit log",
      tag: 'audit',
      auth: 'staff',
      access: 'district managers',
      query: auditQuery,
      response: { status: 200, componentId: 'AuditPage', description: 'a page of audit entries in time order' },
      problems: [400, 403],
      audit: 'audit.read',
      pages: true,
      handler: async ({ caller, deps, query, now }) => {
        if (!isDistrictManager(caller)) throw new HttpProblem('forbidden', 'the audit log is for district managers');
        const page = await deps.audit.list(query.date ?? businessDateOf(now), { limit: query.limit, ...(query.cursor ? { cursor: query.cursor } : {}) });
        return { status: 200, body: { items: page.items.map(({ date: _d, expiresAt: _e, ...e }) => e), ...(page.cursor ? { cursor: page.cursor } : {}) } };
      },
    }),
    route<Record<string, never>, z.output<typeof undeliverableQuery>>({
      method: 'GET',
      path: '/staff/undeliverable',
      operationId: 'listUndeliverable',
      summary: 'Staff with an undeliverable channel',
      description:
        'One row per flagged channel (bad number, refused by the gateway, bounced e-mail) of staff working for the org unit or beneath it, by staff id. The address is masked; the reason is a code.',
      tag: 'staff',
      auth: 'staff',
      access: 'district managers; street managers for staff of their street and beneath',
      query: undeliverableQuery,
      response: { status: 200, componentId: 'UndeliverableList', description: 'the flags' },
      problems: [400, 403, 404],
      handler: async (ctx) => {
        const { caller, deps, query } = ctx;
        if (!isManagerRole(caller)) throw new HttpProblem('forbidden', 'undeliverable addresses are for district and street managers');
        const { territory } = deps.district;
        const org = orgInScope(caller, query.orgUnitId ?? caller.orgUnitId, territory);
        const staff = (await adminOf(ctx).listUndeliverable()).filter((s) => territory.isWithin(s.orgUnitId, org.id));
        staff.sort((a, b) => (a.staffId < b.staffId ? -1 : a.staffId > b.staffId ? 1 : 0));
        const items = staff.flatMap((s) =>
          (s.undeliverable ?? []).map((f) => ({ staffId: s.staffId, role: s.role, orgUnitId: s.orgUnitId, channel: f.channel, reason: f.reason, at: f.at, to: maskedAddress(f.channel, s) })),
        );
        return { status: 200, body: { items } };
      },
    }),
    route<{ staffId: string }, Record<string, never>, ClearUndeliverableBody>({
      method: 'POST',
      path: '/staff/{staffId}/undeliverable/clear',
      operationId: 'clearUndeliverable',
      summary: "Clear a staff member's undeliverable flag",
      description:
        'After the address is fixed (a staff import with the new phone or e-mail): clears the flag of `channel`, or of every channel, so the publisher uses it again. Clearing what is not flagged changes nothing and answers the same.',
      tag: 'staff',
      auth: 'staff',
      access: 'district managers; street managers for staff of their street and beneath',
      params: staffIdParams,
      body: { schema: clearUndeliverableBody, componentId: 'ClearUndeliverable', maxBytes: MiB },
      response: { status: 200, componentId: 'UndeliverableCleared', description: 'the flags still set' },
      problems: [400, 403, 404, 409, 413, 415],
      handler: async (ctx) => {
        if (!isManagerRole(ctx.caller)) throw new HttpProblem('forbidden', 'undeliverable addresses are for district and street managers');
        const s = await staffInScope(ctx, (x) => managesStaff(ctx.caller, x, ctx));
        const after = await changed(adminOf(ctx).clearUndeliverable(s.staffId, ctx.body.channel), s.staffId);
        return { status: 200, body: { staffId: after.staffId, undeliverable: (after.undeliverable ?? []).map((f) => ({ channel: f.channel, reason: f.reason, at: f.at })) } };
      },
    }),
    route<{ staffId: string }, Record<string, never>, PreferencesBody>({
      method: 'PATCH',
      path: '/staff/{staffId}/preferences',
      operationId: 'setPreferences',
      summary: "Change a staff member's reminder preferences",
      description:
        'channel (sms, email, both, none), language (zh-CN, en), quietHours {start, end} (HH:MM, Asia/Shanghai; start = end: none). Fields left out keep their value. One conditional write on the record as read.',
      tag: 'staff',
      auth: 'staff',
      access: 'the staff member herself; district managers; street managers for staff of their street and beneath',
      params: staffIdParams,
      body: { schema: preferencesBody, componentId: 'PreferencesPatch', maxBytes: MiB },
      response: { status: 200, componentId: 'Preferences', description: 'her preferences after the change' },
      problems: [400, 404, 409, 413, 415],
      handler: async (ctx) => {
        const { caller } = ctx;
        const s = await staffInScope(ctx, (x) => x.staffId === caller.staffId || managesStaff(caller, x, ctx));
        const after = await changed(adminOf(ctx).setPreferences(s.staffId, ctx.body), s.staffId);
        return { status: 200, body: { staffId: after.staffId, ...preferencesOf(after) } };
      },
    }),
  ];
}

function orgUnitView(u: { id: string; kind: string; name: { zh: string; en: string }; parentId?: string; streetKind?: string; checkDays?: string[] }) {
  return {
    id: u.id,
    kind: u.kind,
    name: { 'zh-CN': u.name.zh, en: u.name.en },
    parentId: u.parentId ?? null,
    ...(u.streetKind ? { streetKind: u.streetKind } : {}),
    ...(u.checkDays ? { checkDays: u.checkDays } : {}),
  };
}

export type { ApiDeps };
