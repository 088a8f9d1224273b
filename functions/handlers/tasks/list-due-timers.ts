// ListDueTimers (sweeper): a page of the timers due now, from the due index.
import * as z from 'zod/mini';
import type { Clock } from '../../domain/clock';
import type { CaseStore } from '../../store/case-store';
import { parse } from './task-support';

export function listDueTimersHandler(d: { cases: Pick<CaseStore, 'dueTimers'>; clock: Clock }) {
  const schema = z.looseObject({ limit: z.optional(z.number().check(z.int(), z.minimum(1), z.maximum(500))) });
  return async (event: unknown) => {
    const e = parse(schema, event ?? {});
    const limit = e.limit ?? 100;
    const due = await d.cases.dueTimers(d.clock.now().toISOString(), limit);
    return { timers: due.slice(0, limit).map((t) => ({ timerId: t.timerId, caseId: t.caseId, at: t.at })), more: due.length >= limit };
  };
}
