// The commands a case accepts, and the field schemas every case type's opener shares. Parsed with zod: a command
// that does not parse is `invalid` with the path of the bad field.
import * as z from 'zod';
import { subjectClasses } from '../people';
import { assertBusinessDate } from '../time';

export const isoDate = z.string().refine((s) => {
  try {
    assertBusinessDate(s);
    return true;
  } catch {
    return false;
  }
}, 'a date is YYYY-MM-DD');
/** Free text from staff: kept short; it goes to history only, never into a notification. */
export const reasonText = z
  .string()
  .trim()
  .min(1, 'a reason is required')
  .max(500)
  // A reason is kept in history for years: it must not carry a phone or ID number.
  .refine((s) => !/(?<!\d)1[3-9]\d{9}(?!\d)/.test(s.replace(/[\s-]/g, '')) && !/(?<!\d)\d{17}[\dXx](?!\d)/.test(s.replace(/\s/g, '')), 'a reason must not contain a phone or ID number');
export const orgId = z.string().min(1).max(63);
export const caseIdField = z.string().min(1).max(200);

export const caseCommand = z.discriminatedUnion('action', [
  z.strictObject({ action: z.literal('acknowledge') }),
  z.strictObject({ action: z.literal('reject'), reason: reasonText }),
  z.strictObject({ action: z.literal('reassign'), toOrgUnitId: orgId, reason: reasonText.optional() }),
  z.strictObject({
    action: z.literal('record_outcome'),
    outcome: z.string().min(1),
    date: isoDate,
    /** moved_away only: the community she moved to, when it is known and in this district. */
    toCommunityId: orgId.optional(),
  }),
  z.strictObject({ action: z.literal('escalate'), reason: reasonText.optional() }),
  z.strictObject({ action: z.literal('cancel'), reason: reasonText }),
  // System timer events.
  z.strictObject({ action: z.literal('remind'), key: z.string().regex(/^(due|check)-\d{1,2}$/, 'a reminder key is due-N or check-N') }),
  z.strictObject({ action: z.literal('overdue') }),
  z.strictObject({ action: z.literal('escalate_district') }),
]);
export type CaseCommand = z.infer<typeof caseCommand>;
export type Action = CaseCommand['action'];
export type CommandOf<A extends Action> = Extract<CaseCommand, { action: A }>;

export const staffActions = ['acknowledge', 'reject', 'reassign', 'record_outcome', 'escalate', 'cancel'] as const;
export type StaffAction = (typeof staffActions)[number];
export const timerActions = ['remind', 'overdue', 'escalate_district'] as const;
export type TimerCommand = Extract<CaseCommand, { action: (typeof timerActions)[number] }>;

/** In words: "a done case cannot be <pastTense>". */
export const pastTense: Record<Action, string> = {
  acknowledge: 'acknowledged',
  reject: 'rejected',
  reassign: 're-routed',
  record_outcome: 'given an outcome',
  escalate: 'escalated',
  cancel: 'cancelled',
  remind: 'reminded about',
  overdue: 'marked overdue',
  escalate_district: 'escalated to the district',
};

export const subjectRef = z.strictObject({
  subjectId: z.string().min(1).max(80),
  class: z.enum(subjectClasses),
  communityId: orgId,
  unitId: orgId.optional(),
  implantUntil: isoDate.optional(),
  registeredOn: isoDate.optional(),
  /** Not due a check until this date (functions/domain/due-for-check.ts). */
  notDueUntil: isoDate.optional(),
});
/** What routing needs of a subject: no name, phone, ID number or health detail. */
export type SubjectRef = z.infer<typeof subjectRef>;

export function issuesText(error: z.ZodError): string {
  return error.issues.map((i) => `${i.path.length ? i.path.join('.') : '(input)'}: ${i.message}`).join('; ');
}
