// 月变更报告单: a community's monthly change report to its street.
import * as z from 'zod';
import { orgId } from './commands';
import { lastDayOn, notify, str, type MachineContext, type Opening, type Rejection } from './decision';
import { outcomeMachine, type CaseTypeModule } from './machine';
import { requireKind } from './routing';

export const changeReportInput = z.strictObject({
  type: z.literal('change_report'),
  communityId: orgId,
  /** The month reported on. The case id is derived: one per community and month. */
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, 'a month is YYYY-MM'),
});
type Input = z.output<typeof changeReportInput>;

function open(input: Input, ctx: MachineContext): Opening | Rejection {
  const bad = requireKind(ctx.territory, input.communityId, 'community', 'the community');
  if (bad) return bad;
  const [y, m] = input.month.split('-').map(Number) as [number, number];
  const next = m === 12 ? `${y + 1}-01` : `${y}-${String(m + 1).padStart(2, '0')}`;
  const dueDate = `${next}-${String(ctx.rules.change_report.dueDayOfNextMonth).padStart(2, '0')}`;
  return {
    caseId: `change_report:${input.communityId}:${input.month}`,
    owner: input.communityId,
    level: 'community',
    state: 'awaiting_filing',
    due: lastDayOn(ctx, dueDate),
    data: { month: input.month },
    effects: [],
  };
}

export const changeReport: CaseTypeModule<Input> = {
  machine: outcomeMachine('change_report', 'awaiting_filing', ['filed']),
  notifyOnOpen: false,
  open,
  outcome: {
    allowed: () => ['filed'],
    earliest: (c) => `${str(c.data, 'month')}-01`,
    effects: (c, _cmd, _ctx, seq) => [notify(c.caseId, seq, 'change_report.filed', c.ownerStreetId, 'street_officer', { month: str(c.data, 'month') ?? '' })],
  },
};
