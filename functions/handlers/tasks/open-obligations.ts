// OpenObligations (recurring-obligations): one org unit's change report, or a unit's notices (one per residence community).
import * as z from 'zod';
import type { CaseService } from '../../app/case-service';
import type { Actor } from '../../domain/case';
import type { RegisterStore } from '../../store/register-store';
import { openEach, parse } from './task-support';

export function openObligationsHandler(d: { service: Pick<CaseService, 'open'>; register: Pick<RegisterStore, 'listSubjects'> }) {
  const schema = z.object({ kind: z.enum(['change_report', 'unit_notice']), period: z.string().min(6).max(7), orgUnitId: z.string().min(1) });
  return async (event: unknown) => {
    const e = parse(schema, event);
    const actor: Actor = { kind: 'system', process: 'recurring-obligations' };
    let opened = 0;
    let existing = 0;
    const count = (r: { created: boolean }) => (r.created ? opened++ : existing++);
    if (e.kind === 'change_report') {
      count(await d.service.open({ type: 'change_report', communityId: e.orgUnitId, month: e.period }, actor));
    } else {
      // One notice per residence community of the unit's co_managed subjects.
      const communities = new Set<string>();
      let cursor: string | undefined;
      do {
        const page = await d.register.listSubjects({ id: e.orgUnitId, kind: 'unit' }, { limit: 500, cursor });
        for (const s of page.items) if (s.class === 'co_managed') communities.add(s.communityId);
        cursor = page.cursor;
      } while (cursor);
      await openEach([...communities].sort(), async (communityId) => count(await d.service.open({ type: 'unit_notice', unitId: e.orgUnitId, communityId, period: e.period }, actor)));
    }
    return { opened, existing };
  };
}
