// 随访: a visit to a subject within a window that opens at an event (a service, birth, return or missed check).
import * as z from 'zod';
import { addCalendarDays } from '../time';
import { caseIdField, isoDate, orgId, subjectRef } from './commands';
import { clean, followOnId, invalid, lastDayOn, isRejection, notify, num, str, todayOf, type Effect, type MachineContext, type Opening, type Rejection } from './decision';
import { outcomeMachine, type CaseTypeModule } from './machine';
import { openInSubjectCommunity, requireKind } from './routing';
import { subjectData, subjectOf } from './subject';

export const followUpTriggers = ['service', 'birth', 'return', 'check_absence', 'manual', 'retry'] as const;

export const followUpInput = z.strictObject({
  type: z.literal('follow_up'),
  caseId: caseIdField,
  subject: subjectRef,
  trigger: z.enum(followUpTriggers),
  /** The event (service, birth, return, missed check, failed attempt); the window opens at it unless windowStart says later. */
  eventDate: isoDate,
  windowStart: isoDate.optional(),
  windowEnd: isoDate.optional(),
  /** 1 for a first visit; a retry counts up. */
  attempt: z.number().int().min(1).max(10).default(1),
  parentCaseId: caseIdField.optional(),
});
type Input = z.output<typeof followUpInput>;

function open(input: Input, ctx: MachineContext): Opening | Rejection {
  const today = todayOf(ctx);
  const { eventDate, subject } = input;
  if (eventDate > today) return invalid(`the event date ${eventDate} is in the future (today is ${today})`);
  const windowStart = input.windowStart ?? eventDate;
  if (windowStart < eventDate) return invalid(`the window cannot open (${windowStart}) before the event (${eventDate})`);
  const window = input.windowEnd ? lastDayOn(ctx, input.windowEnd) : ctx.deadline(ctx.rules.follow_up.window, windowStart);
  if (window.date < windowStart) return invalid(`the window ends (${window.date}) before it starts (${windowStart})`);
  return openInSubjectCommunity(ctx.territory, input, {
    state: 'awaiting_outcome',
    due: window,
    data: clean({ ...subjectData(subject), trigger: input.trigger, eventDate, windowStart, windowEnd: window.date, attempt: input.attempt }),
    effects: [],
    reason: input.trigger,
  });
}

const outcomes = ['visited', 'not_reachable', 'moved_away'] as const;

export const followUp: CaseTypeModule<Input> = {
  machine: outcomeMachine('follow_up', 'awaiting_outcome', outcomes),
  notifyOnOpen: true,
  open,
  outcome: {
    allowed: () => outcomes,
    earliest: (c) => str(c.data, 'eventDate'),
    effects(c, cmd, ctx, seq) {
      const effects: Effect[] = [];
      const childId = followOnId(c.caseId, seq);
      if (cmd.outcome === 'not_reachable') {
        const subject = subjectOf(c);
        if (isRejection(subject)) return subject;
        const attempt = num(c.data, 'attempt') ?? 1;
        if (attempt - 1 < ctx.rules.follow_up.maxRetries) {
          effects.push({
            kind: 'open_case',
            parentCaseId: c.caseId,
            input: { type: 'follow_up', caseId: childId, subject, trigger: 'retry', eventDate: cmd.date, windowStart: addCalendarDays(cmd.date, ctx.rules.follow_up.retryAfterDays), attempt: attempt + 1, parentCaseId: c.caseId },
          });
        } else {
          // Retries used up: the missed visit surfaces at the street.
          effects.push(notify(c.caseId, seq, 'follow_up.unreachable', c.ownerStreetId, 'street_officer', { attempts: attempt }));
        }
      } else if (cmd.outcome === 'moved_away') {
        const subject = subjectOf(c);
        if (isRejection(subject)) return subject;
        if (cmd.toCommunityId) {
          const bad = requireKind(ctx.territory, cmd.toCommunityId, 'community', 'the community she moved to');
          if (bad) return bad;
          if (cmd.toCommunityId === subject.communityId) return invalid(`she already lives in "${cmd.toCommunityId}"`);
        }
        effects.push({
          kind: 'open_case',
          parentCaseId: c.caseId,
          input: { type: 'handover', caseId: childId, subject, reason: 'moved', separationDate: cmd.date, ...(cmd.toCommunityId ? { toCommunityId: cmd.toCommunityId } : {}), parentCaseId: c.caseId },
        });
      }
      return effects;
    },
  },
};
