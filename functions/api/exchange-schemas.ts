// The request and response shapes of the exchange routes (./exchange-routes.ts) and POST /events, registered with the
// OpenAPI components as ./schemas.ts does for the others.
import * as z from 'zod';
import { certificateResults, divisionCode } from '../domain/exchange';
import { requestComponents, responseComponents } from './schemas';

const isoDate = z.iso.date();
const id = z.string().min(1).max(80);
const orgUnitId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'an org unit id');

export const handoverOutBody = z.strictObject({
  subjectId: id,
  /** The receiving district's division code. */
  toRegion: divisionCode,
  /** The receiving district's community, from its published list. */
  toCommunityId: z.string().min(1).max(63),
  moveDate: isoDate,
});
requestComponents.add(handoverOutBody, { id: 'HandoverOut' });
export type HandoverOutBody = z.infer<typeof handoverOutBody>;

export const answerBody = z.strictObject({ result: z.enum(certificateResults), date: isoDate });
requestComponents.add(answerBody, { id: 'VerificationAnswer' });

export const exportQuery = z.strictObject({ format: z.enum(['json', 'csv']).default('json') });

export const importAnswersBody = z.strictObject({
  answers: z.array(z.strictObject({ messageId: z.string().min(16).max(64), result: z.enum(certificateResults), date: isoDate })).min(1).max(1000),
});
requestComponents.add(importAnswersBody, { id: 'ImportAnswers' });

export const exchangeReportQuery = z.strictObject({
  orgUnitId: orgUnitId.optional().describe("default: the caller's org unit"),
  from: isoDate.describe('first business date (Asia/Shanghai), inclusive'),
  to: isoDate.describe('last business date (Asia/Shanghai), inclusive'),
});

const counts = z.object({ created: z.number(), sent: z.number(), acknowledged: z.number(), overdue: z.number(), failed: z.number() });
responseComponents.add(
  z.object({
    orgUnitId: z.string(),
    from: z.string(),
    to: z.string(),
    total: counts,
    byType: z.record(z.string(), counts),
    submissionRate: z.number().nullable(),
    feedbackRate: z.number().nullable(),
    targets: z.object({ submissionRate: z.number(), feedbackRate: z.number() }),
  }),
  { id: 'ExchangeReport', description: 'messages sent, acknowledged and overdue; the source’s rates beside its targets (90% submission, 100% feedback)' },
);
responseComponents.add(
  z.object({ items: z.array(z.object({ messageId: z.string(), type: z.string(), to: z.string(), route: z.string(), state: z.string(), createdAt: z.string(), deadlineAt: z.string(), attempts: z.number(), ackedAt: z.string().optional() })) }),
  { id: 'ExchangeMessages' },
);
responseComponents.add(z.object({ fields: z.array(z.string()), rows: z.array(z.record(z.string(), z.string())) }), { id: 'ExportOutbox', description: 'or text/csv with format=csv' });
responseComponents.add(z.object({ items: z.array(z.object({ messageId: z.string(), outcome: z.string(), reason: z.string().optional(), caseId: z.string().optional(), closedCases: z.number().int().optional().describe('a death: how many of her open cases this delivery cancelled (subject_deceased)') })) }), { id: 'ImportAnswersResult' });

export const eventsBody = z.strictObject({ events: z.array(z.unknown()).min(1).max(1000) });
requestComponents.add(eventsBody, { id: 'DepartmentEvents', description: 'up to 1,000 events; each is validated and applied on its own' });
responseComponents.add(
  z.object({ items: z.array(z.object({ index: z.number(), eventId: z.string().optional(), outcome: z.enum(['applied', 'already_applied', 'refused']), reason: z.string().optional(), caseId: z.string().optional(), closedCases: z.number().int().optional().describe('a death: how many of her open cases this delivery cancelled (subject_deceased)') })) }),
  { id: 'DepartmentEventsResult' },
);
