// The Task handlers the workflows call: the same functions run as Lambdas on AWS and in-process
// on the local engine. Each parses its event, calls the case service, and returns plain JSON.
import * as z from 'zod';
import type { Actor } from '../domain/case';
import type { OpenCaseInput } from '../domain/case-machines';
import { businessDateOf } from '../domain/time';
import { CaseRejected, subjectRefOf, type CaseService } from '../app/case-service';
import { checkPeriodOf } from '../domain/case-machines';
import { dueInPeriod } from '../domain/due-for-check';
import type { Clock } from '../domain/clock';
import type { CaseStore } from '../store/case-store';
import type { RegisterStore } from '../store/register-store';
import type { DistrictContext } from '../app/district-context';

export interface HandlerDeps {
  service: CaseService;
  cases: CaseStore;
  register: RegisterStore;
  district: DistrictContext;
  clock: Clock;
}

export type TaskHandler = (event: unknown) => Promise<unknown>;

const actorSchema = z.discriminatedUnion('kind', [
  z.strictObject({ kind: z.literal('staff'), staffId: z.string().min(1).max(80) }),
  z.strictObject({ kind: z.literal('system'), process: z.string().min(1).max(80) }),
]);
const systemActor: Actor = { kind: 'system', process: 'workflow' };
const isoDate = z.iso.date();
const SUBJECT_PAGE = 100;

function parse<T extends z.ZodType>(schema: T, event: unknown): z.output<T> {
  const r = schema.safeParse(event);
  if (!r.success) throw new CaseRejected('invalid', r.error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`).join('; '));
  return r.data;
}

/**
 * The obligation period a run on `date` opens when none is given: a change report is for the
 * current month (opened on the 1st); a unit notice is for the half-year that just ended.
 */
export function obligationPeriodOn(kind: 'change_report' | 'unit_notice', date: string): string {
  const year = Number(date.slice(0, 4));
  const month = Number(date.slice(5, 7));
  if (kind === 'change_report') return date.slice(0, 7);
  return month <= 6 ? `${year - 1}-H2` : `${year}-H1`;
}

/**
 * Opens one case per item, each on its own (one transaction each): a failed opening does not stop
 * the others. If any failed, the call fails after all were tried, with a transient error when there
 * is one (the workflow's Retry then redoes only what is missing: openings are idempotent), else with
 * the first rejection. Stopping at the first failure would make one opening of progress per attempt,
 * and a page could run out of attempts under throttling or conflicts.
 */
async function openEach<T>(items: readonly T[], open: (item: T) => Promise<unknown>): Promise<void> {
  const errors: unknown[] = [];
  for (const item of items) {
    try {
      await open(item);
    } catch (err) {
      errors.push(err);
    }
  }
  if (errors.length > 0) throw errors.find((err) => !(err instanceof CaseRejected)) ?? errors[0];
}

const summary = (c: { caseId: string; status: string; state: string; queueOrgUnitId: string; version: number }) => ({
  caseId: c.caseId,
  status: c.status,
  state: c.state,
  queueOrgUnitId: c.queueOrgUnitId,
  version: c.version,
});

export function createWorkflowHandlers(deps: HandlerDeps) {
  const { service, cases, register, district, clock } = deps;
  const { territory } = district;

  /** Fills in the subject's routing facts from the register when the caller names only her id. */
  async function withSubject(input: Record<string, unknown>): Promise<OpenCaseInput> {
    if (typeof input.subjectId === 'string' && input.subject === undefined) {
      const { subjectId, ...rest } = input;
      return { ...rest, subject: await service.subjectRef(subjectId) } as OpenCaseInput;
    }
    return input as OpenCaseInput;
  }

  const handlers = {
    async openCase(event: unknown) {
      const e = parse(z.object({ input: z.record(z.string(), z.unknown()), actor: actorSchema.optional() }), event);
      const r = await service.open(await withSubject(e.input), e.actor ?? systemActor);
      return { ...summary(r.case), created: r.created };
    },

    async applyAction(event: unknown) {
      const e = parse(
        z.object({
          caseId: z.string().min(1).max(200),
          command: z.record(z.string(), z.unknown()),
          actor: actorSchema,
          actorOrgUnitId: z.string().min(1).max(63).optional(),
          commandId: z.string().min(1).max(200),
        }),
        event,
      );
      const r = await service.act(e.caseId, e.command, e.actor, e.commandId, e.actorOrgUnitId);
      return { ...summary(r.case), applied: r.applied };
    },

    async listDueTimers(event: unknown) {
      const e = parse(z.object({ limit: z.number().int().min(1).max(500).optional() }).loose(), event ?? {});
      const limit = e.limit ?? 100;
      const due = await cases.dueTimers(clock.now().toISOString(), limit);
      return { timers: due.slice(0, limit).map((t) => ({ timerId: t.timerId, caseId: t.caseId, at: t.at })), more: due.length >= limit };
    },

    async fireTimer(event: unknown) {
      const e = parse(z.object({ timerId: z.string().min(1), caseId: z.string().min(1), at: z.iso.datetime() }), event);
      return { timerId: e.timerId, outcome: await service.fireTimer(e) };
    },

    async planHealthChecks(event: unknown) {
      const e = parse(z.object({ periodOf: isoDate.optional() }).loose(), event ?? {});
      const periodOf = e.periodOf ?? businessDateOf(clock.now());
      // Subjects are managed by their community, or by their unit when co_managed.
      const orgUnits = [...territory.ofKind('community'), ...territory.ofKind('unit')].map((u) => ({ orgUnitId: u.id }));
      return { periodOf, orgUnits };
    },

    async generateHealthChecksPage(event: unknown) {
      const e = parse(z.object({ orgUnitId: z.string().min(1), periodOf: isoDate, cursor: z.string().optional() }), event);
      const org = territory.get(e.orgUnitId);
      if (!org || (org.kind !== 'community' && org.kind !== 'unit')) throw new CaseRejected('invalid', `"${e.orgUnitId}" is not a community or unit`);
      const page = await register.listSubjects({ id: org.id, kind: org.kind }, { limit: SUBJECT_PAGE, cursor: e.cursor });
      let opened = 0;
      let existing = 0;
      let notDue = 0;
      const today = businessDateOf(clock.now());
      await openEach(page.items, async (s) => {
        // Checks are for the women who are due: a "not due until" reaching past the period skips her this period.
        if (!dueInPeriod(s.notDueUntil, checkPeriodOf(s, e.periodOf, district.rules).end, today)) {
          notDue++;
          return;
        }
        const r = await service.open({ type: 'health_check', subject: subjectRefOf(s), periodOf: e.periodOf }, { kind: 'system', process: 'health-checks' });
        if (r.created) opened++;
        else existing++;
      });
      return { orgUnitId: e.orgUnitId, periodOf: e.periodOf, ...(page.cursor ? { cursor: page.cursor } : {}), opened, existing, notDue };
    },

    async planObligations(event: unknown) {
      const e = parse(
        z.discriminatedUnion('kind', [
          z.object({ kind: z.literal('change_report'), period: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/).optional() }),
          z.object({ kind: z.literal('unit_notice'), period: z.string().regex(/^\d{4}-H[12]$/).optional() }),
        ]),
        event,
      );
      // Without a period (the scheduled run), the one that opens today in Asia/Shanghai.
      const period = e.period ?? obligationPeriodOn(e.kind, businessDateOf(clock.now()));
      const kinds = e.kind === 'change_report' ? 'community' : 'unit';
      return { kind: e.kind, period, targets: territory.ofKind(kinds).map((u) => ({ orgUnitId: u.id })) };
    },

    async openObligations(event: unknown) {
      const e = parse(z.object({ kind: z.enum(['change_report', 'unit_notice']), period: z.string().min(6).max(7), orgUnitId: z.string().min(1) }), event);
      const actor: Actor = { kind: 'system', process: 'recurring-obligations' };
      let opened = 0;
      let existing = 0;
      const count = (r: { created: boolean }) => (r.created ? opened++ : existing++);
      if (e.kind === 'change_report') {
        count(await service.open({ type: 'change_report', communityId: e.orgUnitId, month: e.period }, actor));
      } else {
        // One notice per residence community of the unit's co_managed subjects.
        const communities = new Set<string>();
        let cursor: string | undefined;
        do {
          const page = await register.listSubjects({ id: e.orgUnitId, kind: 'unit' }, { limit: 500, cursor });
          for (const s of page.items) if (s.class === 'co_managed') communities.add(s.communityId);
          cursor = page.cursor;
        } while (cursor);
        await openEach([...communities].sort(), async (communityId) => count(await service.open({ type: 'unit_notice', unitId: e.orgUnitId, communityId, period: e.period }, actor)));
      }
      return { opened, existing };
    },
  } satisfies Record<string, TaskHandler>;

  return handlers;
}

export type WorkflowHandlers = ReturnType<typeof createWorkflowHandlers>;
export type FunctionKey = keyof WorkflowHandlers;
