// FireTimer (sweeper): one due timer delivered to its case by the case service.
import * as z from 'zod';
import type { CaseService } from '../../app/case-service';
import { parse } from './task-support';

export function fireTimerHandler(d: { service: Pick<CaseService, 'fireTimer'> }) {
  const schema = z.object({ timerId: z.string().min(1), caseId: z.string().min(1), at: z.iso.datetime() });
  return async (event: unknown) => {
    const e = parse(schema, event);
    return { timerId: e.timerId, outcome: await d.service.fireTimer(e) };
  };
}
