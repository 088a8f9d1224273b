// The HTTP API's shapes, as zod schemas: every request is parsed with them, and GET /openapi.json
// is generated from them (./openapi.ts). docs/api.md explains what the schemas cannot.
import * as z from 'zod';
import { caseStatuses, caseTypes, queueLevels } from '../domain/case';
import { followUpTriggers, handoverReasons, staffActions } from '../domain/case-machines';
import { channels, digestDaysOptions, e164Phone, languages, staffRoles } from '../domain/district-config';
import { subjectClasses } from '../domain/people';
import { orgUnitKinds } from '../domain/territory';
import { assertBusinessDate } from '../domain/time';
import { overdueBuckets } from '../domain/reports';

/** Components of the OpenAPI document: request shapes (as sent) and response shapes (as returned). */
export const requestComponents = z.registry<{ id: string; description?: string }>();
export const responseComponents = z.registry<{ id: string; description?: string }>();

// ---------------------------------------------------------------------------------------------
// Primitives

export const isoDate = z
  .string()
  .regex(/^\d{4}-\d{2}-\d{2}$/, 'a date is YYYY-MM-DD')
  .refine((s) => {
    try {
      assertBusinessDate(s);
      return true;
    } catch {
      return false;
    }
  }, 'no such date')
  .meta({ format: 'date' });
export const orgUnitId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'an org unit id is lowercase letters, digits and dashes');
export const staffId = orgUnitId.describe('a staff id');
export const subjectId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._-]{0,79}$/, 'a subject id is letters, digits, dot, dash or underscore (up to 80)');
/** Case ids as the service makes them (`fu-<uuid>`, `health_check:<subject>:<date>`, a follow-on `<id>.<n>`): never `#`, `/` or spaces. */
export const caseId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9._:-]{0,199}$/, 'a case id is letters, digits, dot, colon, dash or underscore (up to 200)');
const reasonText = z.string().trim().min(1, 'a reason is required').max(500);
const instant = z.string().meta({ format: 'date-time' });
const cursor = z
  .string()
  .regex(/^[A-Za-z0-9_-]{1,2000}$/, 'a cursor is the opaque text a page carried')
  .describe('the cursor of the previous page (sealed: only the list and the caller it was issued to can use it)');
const limit = (max: number, dflt: number) => z.coerce.number().int().min(1).max(max).default(dflt).describe(`page size (1–${max})`);
const name = z.strictObject({ 'zh-CN': z.string(), en: z.string() });

// ---------------------------------------------------------------------------------------------
// Identity

/** The staff attributes the API reads from a verified token, under the claim names of ./claims.ts. */
export const claims = z.object({
  staffId,
  orgUnitId,
  role: z.enum(staffRoles),
  district: orgUnitId,
});

// ---------------------------------------------------------------------------------------------
// Path parameters and queries (query values arrive as strings)

export const caseIdParams = z.strictObject({ caseId });
export const orgUnitParams = z.strictObject({ orgUnitId });

export const subjectsQuery = z.strictObject({
  orgUnitId: orgUnitId.optional().describe("the org unit whose subjects to list (default: the caller's)"),
  cursor: cursor.optional(),
  limit: limit(200, 50),
});

export const queueQuery = z.strictObject({
  status: z.enum(caseStatuses).default('open'),
  type: z.enum(caseTypes).optional(),
  overdue: z.enum(['true', 'false']).optional().describe('true: only open cases past their due date'),
  include: z.enum(['descendants']).optional().describe('descendants: every case owned by the org unit or beneath it, wherever it is queued'),
  cursor: cursor.optional(),
  limit: limit(200, 50),
});

export const overdueReportQuery = z.strictObject({
  orgUnitId: orgUnitId.optional().describe("default: the caller's org unit"),
});

export const onTimeReportQuery = z.strictObject({
  orgUnitId: orgUnitId.optional().describe("default: the caller's org unit"),
  from: isoDate.describe('first business date (Asia/Shanghai), inclusive'),
  to: isoDate.describe('last business date (Asia/Shanghai), inclusive'),
});

export const staffIdParams = z.strictObject({ staffId });

export const undeliverableQuery = z.strictObject({
  orgUnitId: orgUnitId.optional().describe("staff of this org unit and beneath it (default: the caller's)"),
});

/** GET /dev/outbox (local server only: not in the route table, not on AWS). */
export const devOutboxQuery = z.strictObject({
  staffId: staffId.optional(),
  channel: z.enum(['sms', 'email']).optional(),
  kind: z.string().regex(/^[a-z_]+(\.[a-z_]+)*$/, 'a template kind, e.g. handover.overdue').max(80).optional(),
  since: z.iso.datetime({ offset: true }).optional().describe('ISO-8601 instant: messages at or after it'),
  limit: limit(1000, 200),
});

export const auditQuery = z.strictObject({
  date: isoDate.optional().describe('the Asia/Shanghai date (default: today)'),
  cursor: cursor.optional(),
  limit: limit(500, 100),
});

// ---------------------------------------------------------------------------------------------
// Request bodies

const handoverBody = z
  .strictObject({
    type: z.literal('handover'),
    subjectId,
    reason: z.enum(handoverReasons),
    effectiveDate: isoDate.describe('the separation or move date; the 30 days count from it'),
    fromUnitId: orgUnitId.optional().describe('the unit she left (resigned, dismissed, removed)'),
    fromCommunityId: orgUnitId.optional().describe('the community she moved from (moved)'),
    toCommunityId: orgUnitId.optional().describe('the receiving community, when known'),
  })
  .superRefine((b, ctx) => {
    if (b.reason === 'moved') {
      if (!b.fromCommunityId) ctx.addIssue({ code: 'custom', path: ['fromCommunityId'], message: 'a move is from a community: fromCommunityId is required' });
      if (b.fromUnitId) ctx.addIssue({ code: 'custom', path: ['fromUnitId'], message: 'a move is from a community, not a unit' });
    } else {
      if (!b.fromUnitId) ctx.addIssue({ code: 'custom', path: ['fromUnitId'], message: `a separation (${b.reason}) is from a unit: fromUnitId is required` });
      if (b.fromCommunityId) ctx.addIssue({ code: 'custom', path: ['fromCommunityId'], message: `a separation (${b.reason}) is from a unit, not a community` });
    }
  });

const followUpBody = z.strictObject({
  type: z.literal('follow_up'),
  subjectId,
  trigger: z.enum(followUpTriggers.filter((t) => t !== 'retry') as [Exclude<(typeof followUpTriggers)[number], 'retry'>, ...Exclude<(typeof followUpTriggers)[number], 'retry'>[]]),
  eventDate: isoDate,
  windowEnd: isoDate.optional(),
});

const healthCheckBody = z.strictObject({
  type: z.literal('health_check'),
  subjectId,
  periodOf: isoDate.optional().describe('any date in the check period (default: today)'),
});

const certificateCheckBody = z.strictObject({
  type: z.literal('certificate_check'),
  subjectId,
  registeredOn: isoDate.describe('the date she registered in the community'),
});

const applicationBody = z.strictObject({
  type: z.literal('application'),
  subjectId,
  code: z.string().min(1).max(40).describe("what is applied for: a code from the district config's applications list"),
  receivedOn: isoDate.describe('the day the community received it; the opinion is due 3 working days later'),
});

export const createCaseBody = z.discriminatedUnion('type', [handoverBody, followUpBody, healthCheckBody, certificateCheckBody, applicationBody]);
export type CreateCaseBody = z.output<typeof createCaseBody>;
requestComponents.add(createCaseBody, { id: 'CreateCase' });

export const caseActionBody = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('acknowledge') }),
  z.strictObject({ action: z.literal('reject'), reason: reasonText }),
  z.strictObject({ action: z.literal('record_outcome'), outcome: z.string().min(1).max(40), date: isoDate, toCommunityId: orgUnitId.optional() }),
  z.strictObject({ action: z.literal('reassign'), toOrgUnitId: orgUnitId, reason: reasonText.optional() }),
  z.strictObject({ action: z.literal('escalate'), reason: reasonText.optional() }),
  z.strictObject({ action: z.literal('cancel'), reason: reasonText }),
]);
export type CaseActionBody = z.output<typeof caseActionBody>;
requestComponents.add(caseActionBody, { id: 'CaseAction' });

/** One staff row of POST /imports/staff (a JSON object, or a CSV record under a header row). */
export const staffImportRow = z.strictObject({
  staffId,
  name: z.string().trim().min(1).max(40),
  role: z.enum(staffRoles),
  orgUnitId,
  phone: e164Phone,
  email: z.email('an email address'),
  channel: z.enum(channels).default('sms'),
  language: z.enum(languages).default('zh-CN'),
  quietHoursStart: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day is HH:MM').default('21:00'),
  quietHoursEnd: z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day is HH:MM').default('08:00'),
});
requestComponents.add(z.array(staffImportRow), { id: 'StaffImport', description: 'JSON array; or text/csv with these columns in a header row' });

/** One subject row of POST /imports/subjects. */
export const subjectImportRow = z.strictObject({
  subjectId,
  class: z.enum(subjectClasses),
  communityId: orgUnitId,
  unitId: orgUnitId.optional(),
  implantUntil: isoDate.optional(),
  registeredOn: isoDate,
});
requestComponents.add(z.array(subjectImportRow), { id: 'SubjectImport', description: 'JSON array; or text/csv with these columns in a header row' });

const timeOfDay = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$/, 'a time of day is HH:MM');

export const clearUndeliverableBody = z.strictObject({
  channel: z.enum(['sms', 'email']).optional().describe('the channel whose address was fixed (default: every flagged channel)'),
});
export type ClearUndeliverableBody = z.output<typeof clearUndeliverableBody>;
requestComponents.add(clearUndeliverableBody, { id: 'ClearUndeliverable' });

export const preferencesBody = z
  .strictObject({
    channel: z.enum(channels).optional(),
    language: z.enum(languages).optional(),
    quietHours: z
      .strictObject({ start: timeOfDay, end: timeOfDay })
      .optional()
      .describe('local (Asia/Shanghai) times; start = end means no quiet hours'),
    digestDays: z.enum(digestDaysOptions).optional().describe('working: the daily digest on working days only (default); every_day: also on rest days'),
  })
  .refine((b) => b.channel !== undefined || b.language !== undefined || b.quietHours !== undefined || b.digestDays !== undefined, 'name at least one of channel, language, quietHours, digestDays');
export type PreferencesBody = z.output<typeof preferencesBody>;
requestComponents.add(preferencesBody, { id: 'PreferencesPatch' });

export const devLoginBody = z.strictObject({ staffId });
export const devClockBody = z.union([
  z.strictObject({ advanceDays: z.number().min(0).max(400) }),
  z.strictObject({ advanceHours: z.number().min(0).max(9600) }),
]);

// ---------------------------------------------------------------------------------------------
// Responses

export const problem = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string().optional(),
    errors: z.array(z.object({ path: z.string(), message: z.string() })).optional(),
  })
  .meta({ description: 'RFC 9457 problem details' });
responseComponents.add(problem, { id: 'Problem' });

export const historyEntryView = z.object({
  seq: z.number().int(),
  at: instant,
  actor: z.union([z.object({ kind: z.literal('staff'), staffId: z.string() }), z.object({ kind: z.literal('system'), process: z.string() })]),
  action: z.string(),
  fromState: z.string().optional(),
  toState: z.string(),
  fromQueueOrgUnitId: z.string().optional(),
  toQueueOrgUnitId: z.string(),
  reason: z.string().optional(),
});
responseComponents.add(historyEntryView, { id: 'HistoryEntry' });

export const caseView = z.object({
  caseId: z.string(),
  type: z.enum(caseTypes),
  status: z.enum(caseStatuses),
  state: z.string(),
  subjectId: z.string().nullable(),
  ownerOrgUnitId: z.string(),
  queueOrgUnitId: z.string(),
  level: z.enum(queueLevels),
  dueDate: z.string().meta({ format: 'date' }),
  dueAt: instant,
  overdue: z.boolean(),
  daysOverdue: z.number().int(),
  provisional: z.boolean(),
  createdAt: instant,
  updatedAt: instant,
  closedAt: instant.nullable(),
  parentCaseId: z.string().nullable(),
  data: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
  allowedActions: z.array(z.enum(staffActions)).describe('the actions this caller may take now'),
  history: z.array(historyEntryView).optional().describe('GET /cases/{caseId} only'),
});
export type CaseView = z.infer<typeof caseView>;
responseComponents.add(caseView, { id: 'Case' });

const page = <T extends z.ZodType>(item: T) => z.object({ items: z.array(item), cursor: z.string().optional().describe('absent on the last page') });

export const casePage = page(caseView);
responseComponents.add(casePage, { id: 'CasePage' });

export const health = z.object({ status: z.literal('ok') });
responseComponents.add(health, { id: 'Health' });

export const orgUnitView = z.object({
  id: z.string(),
  kind: z.enum(orgUnitKinds),
  name,
  parentId: z.string().nullable(),
  streetKind: z.enum(['street', 'town']).optional(),
  checkDays: z.array(z.string()).optional(),
});
responseComponents.add(orgUnitView, { id: 'OrgUnit' });
export const orgUnitList = z.object({ items: z.array(orgUnitView) });
responseComponents.add(orgUnitList, { id: 'OrgUnitList' });

export const applicationCodeView = z.object({
  code: z.string().describe('what an application is for: the code POST /cases takes (type application)'),
  name,
});
responseComponents.add(applicationCodeView, { id: 'ApplicationCode' });
export const applicationCodeList = z.object({ items: z.array(applicationCodeView) });
responseComponents.add(applicationCodeList, { id: 'ApplicationCodeList' });

export const preferencesView = z.object({
  staffId: z.string(),
  channel: z.enum(channels),
  language: z.enum(languages),
  quietHours: z.object({ start: z.string(), end: z.string() }),
  digestDays: z.enum(digestDaysOptions),
});
responseComponents.add(preferencesView, { id: 'Preferences' });

export const meView = z.object({
  staffId: z.string(),
  role: z.enum(staffRoles),
  orgUnitId: z.string(),
  district: z.string(),
  name: z.string(),
  orgUnit: orgUnitView,
  preferences: preferencesView.omit({ staffId: true }).optional().describe('her own reminder preferences'),
});
responseComponents.add(meView, { id: 'Me' });

export const subjectView = z.object({
  subjectId: z.string(),
  class: z.enum(subjectClasses),
  communityId: z.string(),
  unitId: z.string().nullable(),
  implantUntil: z.string().nullable(),
  registeredOn: z.string(),
  notDueUntil: z.string().nullable().describe('not due a check until this date (set by her community); null once it is past'),
});
responseComponents.add(subjectView, { id: 'Subject' });

export const subjectParams = z.strictObject({ subjectId });
export const subjectPatchBody = z.strictObject({
  notDueUntil: isoDate.nullable().describe('not due a check until this date (after today, at most 2 years ahead); null clears it. No reason is kept.'),
});
requestComponents.add(subjectPatchBody, { id: 'SubjectPatch' });
export const subjectPage = page(subjectView);
responseComponents.add(subjectPage, { id: 'SubjectPage' });

export const overdueReport = z.object({
  orgUnitId: z.string(),
  asOf: instant,
  children: z.array(
    z.object({
      orgUnitId: z.string(),
      total: z.number().int(),
      buckets: z.object(Object.fromEntries(overdueBuckets.map((b) => [b, z.number().int()])) as Record<(typeof overdueBuckets)[number], z.ZodNumber>),
    }),
  ),
  items: z.array(caseView),
});
responseComponents.add(overdueReport, { id: 'OverdueHandoverReport' });

export const onTimeReportView = z.object({
  orgUnitId: z.string(),
  from: z.string(),
  to: z.string(),
  rows: z.array(
    z.object({
      orgUnitId: z.string(),
      type: z.enum(caseTypes),
      closed: z.number().int().describe('done in the period'),
      onTime: z.number().int().describe('done by the end of the due date'),
      rate: z.number().nullable().describe('onTime / closed'),
      cancelled: z.number().int().describe('cancelled in the period (not rated)'),
    }),
  ),
});
responseComponents.add(onTimeReportView, { id: 'OnTimeReport' });

export const lateReportingView = z.object({
  orgUnitId: z.string(),
  from: z.string(),
  to: z.string(),
  reporters: z.array(
    z.object({
      reporterId: z.string().describe('the unit or community that reported handovers after their due date'),
      streetId: z.string(),
      cases: z.number().int(),
      totalDelayDays: z.number().int().describe('calendar days past the due date at each report, summed'),
      maxDelayDays: z.number().int(),
    }),
  ),
  streets: z.array(z.object({ streetId: z.string(), cases: z.number().int(), totalDelayDays: z.number().int() })),
});
responseComponents.add(lateReportingView, { id: 'LateReportingReport' });

export const importResult = z.object({
  accepted: z.number().int(),
  rejected: z.array(z.object({ row: z.number().int().describe('1-based record number (CSV: after the header)'), field: z.string(), reason: z.string() })),
});
responseComponents.add(importResult, { id: 'ImportResult' });

export const auditEntryView = z.object({
  auditId: z.string(),
  at: instant,
  staffId: z.string().optional().describe('absent on a request refused before the caller was known (401), and on a change a scheduled job made'),
  process: z.string().optional().describe('a change a scheduled job made (no staff member): the job, e.g. not-due-marks'),
  role: z.string().optional(),
  orgUnitId: z.string().optional(),
  action: z.string().describe('case.read, case.open, case.act, queue.read, report.read, subjects.list, audit.read, subjects.import, staff.import, refused, subjects.not_due_until, subjects.not_due_cleared (a scheduled job)'),
  route: z.string().optional().describe('the route template, e.g. GET /cases/{caseId}'),
  caseId: z.string().optional(),
  subjectIds: z.array(z.string()).optional().describe('every subject id the response carried (imports: every subject written)'),
  targetOrgUnitId: z.string().optional(),
  targetStaffId: z.string().optional(),
  count: z.number().int().optional(),
  status: z.number().int().optional().describe('refused: the status answered'),
  problem: z.string().optional().describe('refused: the problem type answered'),
  part: z.number().int().optional(),
  parts: z.number().int().optional().describe('one response whose ids were split over several entries'),
  requestId: z.string().optional(),
});
responseComponents.add(auditEntryView, { id: 'AuditEntry' });
export const auditPage = page(auditEntryView);
responseComponents.add(auditPage, { id: 'AuditPage' });

export const undeliverableRow = z.object({
  staffId: z.string(),
  role: z.enum(staffRoles),
  orgUnitId: z.string(),
  channel: z.enum(['sms', 'email']),
  reason: z.string().describe('a reason code, never the address'),
  at: instant.describe('when the channel first failed'),
  to: z.string().describe('the address, masked: +86139****0001, c***@example.cn'),
});
responseComponents.add(undeliverableRow, { id: 'UndeliverableFlag' });
export const undeliverableList = z.object({ items: z.array(undeliverableRow) });
responseComponents.add(undeliverableList, { id: 'UndeliverableList' });

export const clearedView = z.object({
  staffId: z.string(),
  undeliverable: z.array(z.object({ channel: z.enum(['sms', 'email']), reason: z.string(), at: instant })).describe('the flags still set'),
});
responseComponents.add(clearedView, { id: 'UndeliverableCleared' });

export const openApiDocument = z.record(z.string(), z.unknown());
