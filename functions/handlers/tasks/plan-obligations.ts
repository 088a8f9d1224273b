// PlanObligations (recurring-obligations): the org units that owe a change report or a unit notice. No table access.
import * as z from 'zod/mini';
import type { Clock } from '../../domain/clock';
import type { Territory } from '../../domain/territory';
import { businessDateOf } from '../../domain/time';
import { parse } from './task-support';

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

export function planObligationsHandler(d: { territory: Territory; clock: Clock }) {
  const schema = z.discriminatedUnion('kind', [
    z.object({ kind: z.literal('change_report'), period: z.optional(z.string().check(z.regex(/^\d{4}-(0[1-9]|1[0-2])$/))) }),
    z.object({ kind: z.literal('unit_notice'), period: z.optional(z.string().check(z.regex(/^\d{4}-H[12]$/))) }),
  ]);
  return async (event: unknown) => {
    const e = parse(schema, event);
    // Without a period (the scheduled run), the one that opens today in Asia/Shanghai.
    const period = e.period ?? obligationPeriodOn(e.kind, businessDateOf(d.clock.now()));
    const kinds = e.kind === 'change_report' ? 'community' : 'unit';
    return { kind: e.kind, period, targets: d.territory.ofKind(kinds).map((u) => ({ orgUnitId: u.id })) };
  };
}
