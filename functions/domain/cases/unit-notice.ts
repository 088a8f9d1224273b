// 信息通报单: an employer unit's half-yearly notice to a residence community; the community acknowledges receipt.
import * as z from 'zod';
import { orgId } from './commands';
import { notify, str, todayOf, type MachineContext, type Opening, type Rejection } from './decision';
import { cancelled, common, done, type CaseTypeModule, type Handler, type MachineDef } from './machine';
import { requireKind } from './routing';

export const unitNoticeInput = z.strictObject({
  type: z.literal('unit_notice'),
  unitId: orgId,
  communityId: orgId,
  /** The half-year reported on. The case id is derived: one per unit, community and half-year. */
  period: z.string().regex(/^\d{4}-H[12]$/, 'a half-year is YYYY-H1 or YYYY-H2'),
});
type Input = z.output<typeof unitNoticeInput>;

const machine: MachineDef = {
  type: 'unit_notice',
  initial: ['awaiting_receipt'],
  outcomes: [],
  states: {
    awaiting_receipt: { status: 'open', on: { acknowledge: ['received'], ...common('awaiting_receipt') } },
    escalated: { status: 'open', on: { acknowledge: ['received'], ...common('escalated') } },
    overdue: { status: 'open', on: { acknowledge: ['received'], ...common('overdue') } },
    received: done(),
    cancelled: cancelled(),
  },
};

function open(input: Input, ctx: MachineContext): Opening | Rejection {
  const bad = requireKind(ctx.territory, input.unitId, 'unit', 'the unit') ?? requireKind(ctx.territory, input.communityId, 'community', 'the community');
  if (bad) return bad;
  const year = input.period.slice(0, 4);
  const periodEnd = input.period.endsWith('H1') ? `${year}-06-30` : `${year}-12-31`;
  return {
    caseId: `unit_notice:${input.unitId}:${input.communityId}:${input.period}`,
    owner: input.unitId,
    level: 'unit',
    state: 'awaiting_receipt',
    due: ctx.deadline(ctx.rules.unit_notice.due, periodEnd),
    data: { toCommunityId: input.communityId, period: input.period, periodEnd },
    effects: [],
  };
}

const acknowledge: Handler<'acknowledge'> = (c, _cmd, ctx, seq) => ({
  state: 'received',
  data: { ...c.data, receivedOn: todayOf(ctx) },
  effects: [{ kind: 'cancel_all_timers', caseId: c.caseId }, notify(c.caseId, seq, 'unit_notice.receipt', c.ownerOrgUnitId, 'unit_liaison', { period: str(c.data, 'period') ?? '' })],
});

export const unitNotice: CaseTypeModule<Input> = {
  machine,
  notifyOnOpen: false,
  open,
  handlers: { acknowledge },
  // The unit owns the notice; the community it is addressed to confirms receipt.
  permissions: { acknowledge: { who: 'the community the notice is addressed to', may: (c, org) => org === str(c.data, 'toCommunityId') } },
};
