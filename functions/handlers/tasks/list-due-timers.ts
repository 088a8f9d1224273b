// ListDueTimers (sweeper): a page of the timers due now, from the due index: the earliest due timer of each case listed,
// so one case's timers fire one after the other (a case with more due is listed again in the sweep's next round).
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
    const first = new Map<string, (typeof due)[number]>();
    for (const t of due) if (!first.has(t.caseId)) first.set(t.caseId, t);
    const page = [...first.values()].slice(0, limit);
    return { timers: page.map((t) => ({ timerId: t.timerId, caseId: t.caseId, at: t.at })), more: first.size >= limit || due.length > first.size };
  };
}
