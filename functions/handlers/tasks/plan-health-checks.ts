// PlanHealthChecks (health-checks): the org units whose subjects get a check this period. No table access.
import * as z from 'zod/mini';
import type { Clock } from '../../domain/clock';
import type { Territory } from '../../domain/territory';
import { businessDateOf } from '../../domain/time';
import { parse } from './task-support';

export function planHealthChecksHandler(d: { territory: Territory; clock: Clock }) {
  const schema = z.looseObject({ periodOf: z.optional(z.iso.date()) });
  return async (event: unknown) => {
    const e = parse(schema, event ?? {});
    const periodOf = e.periodOf ?? businessDateOf(d.clock.now());
    // Subjects are managed by their community, or by their unit when co_managed.
    const orgUnits = [...d.territory.ofKind('community'), ...d.territory.ofKind('unit')].map((u) => ({ orgUnitId: u.id }));
    return { periodOf, orgUnits };
  };
}
