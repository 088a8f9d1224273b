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
import { openEach, parse } from './task-support';

const SUBJECT_PAGE = 100;

export function generateHealthChecksPageHandler(d: { service: Pick<CaseService, 'open'>; register: Pick<RegisterStore, 'listSubjects'>; territory: Territory; rules: RoutingRules; clock: Clock }) {
  const schema = z.object({ orgUnitId: z.string().min(1), periodOf: z.iso.date(), cursor: z.string().optional() });
  return async (event: unknown) => {
    const e = parse(schema, event);
    const org = d.territory.get(e.orgUnitId);
    if (!org || (org.kind !== 'community' && org.kind !== 'unit')) throw new CaseRejected('invalid', `"${e.orgUnitId}" is not a community or unit`);
    const page = await d.register.listSubjects({ id: org.id, kind: org.kind }, { limit: SUBJECT_PAGE, cursor: e.cursor });
    let opened = 0;
    let existing = 0;
    let notDue = 0;
    const today = businessDateOf(d.clock.now());
    await openEach(page.items, async (s) => {
      // Checks are for the women who are due: a "not due until" reaching past the period skips her this period.
      if (!dueInPeriod(s.notDueUntil, checkPeriodOf(s, e.periodOf, d.rules).end, today)) {
        notDue++;
        return;
      }
      const r = await d.service.open({ type: 'health_check', subject: subjectRefOf(s), periodOf: e.periodOf }, { kind: 'system', process: 'health-checks' });
      if (r.created) opened++;
      else existing++;
    });
    return { orgUnitId: e.orgUnitId, periodOf: e.periodOf, ...(page.cursor ? { cursor: page.cursor } : {}), opened, existing, notDue };
  };
}
