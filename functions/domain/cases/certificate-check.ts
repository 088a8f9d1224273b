// 婚育证明查验: a mobile subject's marriage-and-childbearing certificate, checked when she registers; a missing or
// expired one opens a sub-case to apply for or renew it. A valid result goes back to her region of origin.
import * as z from 'zod';
import { caseIdField, isoDate, subjectRef } from './commands';
import { clean, followOnId, invalid, isRejection, str, todayOf, type MachineContext, type Opening, type Rejection } from './decision';
import { outcomeMachine, type CaseTypeModule } from './machine';
import { openInSubjectCommunity } from './routing';
import { subjectData, subjectOf } from './subject';

/** Certificate tasks: the registration check, and the sub-cases it opens. A sub-case closes only as valid. */
export const certificateTasks = ['verify', 'apply', 'renew'] as const;
export type CertificateTask = (typeof certificateTasks)[number];
const certificateOutcomes: Record<CertificateTask, readonly string[]> = {
  verify: ['valid', 'missing', 'expired'],
  apply: ['valid'],
  renew: ['valid'],
};

export const certificateCheckInput = z.strictObject({
  type: z.literal('certificate_check'),
  caseId: caseIdField,
  subject: subjectRef,
  task: z.enum(certificateTasks).default('verify'),
  /** verify: the registration date in the community; apply/renew: the date the need was found. */
  startDate: isoDate,
  parentCaseId: caseIdField.optional(),
});
type Input = z.output<typeof certificateCheckInput>;

function open(input: Input, ctx: MachineContext): Opening | Rejection {
  const today = todayOf(ctx);
  const { subject, startDate, task } = input;
  if (subject.class !== 'mobile') return invalid('certificate checks are for mobile subjects');
  if (startDate > today) return invalid(`the start date ${startDate} is in the future (today is ${today})`);
  return openInSubjectCommunity(ctx.territory, input, {
    state: 'awaiting_outcome',
    due: ctx.deadline(ctx.rules.certificate_check[task], startDate),
    data: clean({ ...subjectData(subject), task, startDate }),
    effects: [],
    reason: task,
  });
}

export const certificateCheck: CaseTypeModule<Input> = {
  machine: outcomeMachine('certificate_check', 'awaiting_outcome', ['valid', 'missing', 'expired']),
  notifyOnOpen: true,
  open,
  outcome: {
    allowed: (c) => certificateOutcomes[(str(c.data, 'task') as CertificateTask) ?? 'verify'] ?? [],
    earliest: (c) => str(c.data, 'startDate'),
    effects(c, cmd, _ctx, seq) {
      if (cmd.outcome === 'valid') return c.subjectId ? [{ kind: 'origin_feedback', caseId: c.caseId, subjectId: c.subjectId, outcome: 'valid', date: cmd.date }] : [];
      const subject = subjectOf(c);
      if (isRejection(subject)) return subject;
      return [
        {
          kind: 'open_case',
          parentCaseId: c.caseId,
          input: { type: 'certificate_check', caseId: followOnId(c.caseId, seq), subject, task: cmd.outcome === 'missing' ? 'apply' : 'renew', startDate: cmd.date, parentCaseId: c.caseId },
        },
      ];
    },
  },
};
