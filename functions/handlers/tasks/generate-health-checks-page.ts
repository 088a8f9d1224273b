// GenerateHealthChecksPage (health-checks): one page of an org unit's subjects, a health check opened for each.
import * as z from 'zod';
import { CaseRejected } from '../../app/case-rejected';
import { subjectRefOf, type CaseService } from '../../app/case-service';
import { checkPeriodOf } from '../../domain/case-machines';
import type { Clock } from '../../domain/clock';
import { dueInPeriod } from '../../domain/due-for-check';
import type { RoutingRules } from '../../domain/rules';
import type { Territory } from '../../domain/territory';
import { businessDateOf } from '../../domain/time';
import type { RegisterStore } from '../../store/register-store';
import { parse, throwFirstFailure } from './task-support';

const SUBJECT_PAGE = 100;

export function generateHealthChecksPageHandler(d: { service: Pick<CaseService, 'openMany'>; register: Pick<RegisterStore, 'listSubjects'>; territory: Territory; rules: RoutingRules; clock: Clock }) {
  const schema = z.object({ orgUnitId: z.string().min(1), periodOf: z.iso.date(), cursor: z.string().optional() });
  return async (event: unknown) => {
    const e = parse(schema, event);
    const org = d.territory.get(e.orgUnitId);
    if (!org || (org.kind !== 'community' && org.kind !== 'unit')) throw new CaseRejected('invalid', `"${e.orgUnitId}" is not a community or unit`);
    const page = await d.register.listSubjects({ id: org.id, kind: org.kind }, { limit: SUBJECT_PAGE, cursor: e.cursor });
    let opened = 0;
    let existing = 0;
    const today = businessDateOf(d.clock.now());
    // Checks are for the women who are due: a "not due until" reaching past the period skips her this period.
    const due = page.items.filter((s) => dueInPeriod(s.notDueUntil, checkPeriodOf(s, e.periodOf, d.rules).end, today));
    const notDue = page.items.length - due.length;
    const results = await d.service.openMany(
      due.map((s) => ({ type: 'health_check' as const, subject: subjectRefOf(s), periodOf: e.periodOf })),
      { kind: 'system', process: 'health-checks' },
    );
    for (const r of results) if (!(r instanceof Error)) r.created ? opened++ : existing++;
    throwFirstFailure(results);
    return { orgUnitId: e.orgUnitId, periodOf: e.periodOf, ...(page.cursor ? { cursor: page.cursor } : {}), opened, existing, notDue };
  };
}
