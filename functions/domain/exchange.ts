// The exchange between districts (协查 and 移交 across the district's edge): the envelope, the message types with the
// minimum data each needs, the partner config, and the pure decisions an exchange makes on cases. No I/O here.
//
// A district is named by its 6-digit administrative division code (GB/T 2260): Chuanhui 411602, Yiling 420506.
// Every message travels in one envelope; its id is deterministic (a retried send carries the same id), so the
// receiving district drops a repeat. Every message but an ack is answered by an ack once it is applied.
//
// The cases an exchange opens or closes are of existing types and states (handover, certificate_check), so the case
// machines' timers, escalation and staff actions work on them unchanged:
//   handover out      the sending community's handover waits in its own queue for the receipt (awaiting_ack → acknowledged)
//   inbound handover  a handover in the receiving community's queue, acknowledged by its staff as any other
//   origin check      a certificate_check sub-case (task origin) waiting for the origin's answer
//   answer            at the origin, a certificate_check (task answer) in the district queue until staff answer it
import { createHash } from 'node:crypto';
import * as z from 'zod';
import type { Actor, Case, HistoryEntry } from './case';
import type { Decision, Effect, MachineContext, SetTimerEffect } from './case-machines';
import { departmentConfig } from './department-events';
import { divisionCode } from './division';
import type { SubjectClass } from './people';
import { addCalendarDays, assertBusinessDate, businessDateOf, businessInstant, endOfBusinessDay, startOfBusinessDay, type BusinessDate, type Instant } from './time';

// ---------------------------------------------------------------------------------------------------------------------
// Division codes and the partner config

export { divisionCode };
/** The AWS China regions: a district's personal data stays in mainland China (PIPL art. 36). */
export const chinaRegions = ['cn-north-1', 'cn-northwest-1'] as const;
const account = z.string().regex(/^\d{12}$/, 'an AWS account id is 12 digits');
const busName = z.string().regex(/^[A-Za-z0-9._-]{1,256}$/, 'a bus name is letters, digits, . _ -');

export const partnerConfig = z.strictObject({
  /** The partner district's division code. */
  code: divisionCode,
  name: z.strictObject({ zh: z.string().min(1).max(80), en: z.string().min(1).max(80) }),
  account,
  region: z.enum(chinaRegions),
  bus: busName,
});
export type PartnerConfig = z.infer<typeof partnerConfig>;

export const exchangeConfig = z
  .strictObject({
    /** This district's own division code. */
    divisionCode,
    /** This district's bus (its name; the account and region are the stack's own). */
    bus: busName.default('shudi-exchange'),
    /** The districts this one exchanges with over the bus; any other region goes to the export outbox. */
    partners: z.array(partnerConfig).default([]),
    /** Days the origin has to answer a verification request (a provincial rule: 15 urgent, 30 the rest). */
    verificationDays: z.number().int().min(1).max(90).default(30),
    /** Department systems that may POST /events (births, marriages, moves, deaths), each with its own signing key. */
    departments: z.array(departmentConfig).default([]),
  })
  .superRefine((x, ctx) => {
    const seen = new Set<string>();
    x.partners.forEach((p, i) => {
      if (p.code === x.divisionCode) ctx.addIssue({ code: 'custom', path: ['partners', i, 'code'], message: 'a district is not its own partner' });
      if (seen.has(p.code)) ctx.addIssue({ code: 'custom', path: ['partners', i, 'code'], message: `partner ${p.code} is listed twice` });
      seen.add(p.code);
    });
  });
export type ExchangeConfig = z.infer<typeof exchangeConfig>;

// ---------------------------------------------------------------------------------------------------------------------
// The envelope and the message types

export const messageTypes = ['handover_out', 'handover_receipt', 'verification_request', 'verification_feedback', 'ack'] as const;
export type MessageType = (typeof messageTypes)[number];

const isoDate = z.string().refine((s) => {
  try {
    assertBusinessDate(s);
    return true;
  } catch {
    return false;
  }
}, 'a date is YYYY-MM-DD');
/** A case id of the sending district: opaque to the receiver, echoed back in the answer. */
const caseRef = z.string().min(1).max(200);
/** The pseudonymous subject id of the sending district: never a name, phone or ID number. */
const subjectRef = z.string().min(1).max(80);
const messageId = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'a message id is 16–64 url-safe characters');
export const certificateResults = ['valid', 'missing', 'expired'] as const;

export const messageBodies = {
  /** A subject moves to a community of another district. */
  handover_out: z.strictObject({
    caseId: caseRef,
    subjectRef,
    subjectClass: z.enum(['primary', 'co_managed', 'mobile']),
    originRegion: divisionCode.optional(),
    /** The receiving district's community id, as the sending staff chose it from the partner's published list. */
    toCommunityId: z.string().min(1).max(63),
    moveDate: isoDate,
  }),
  /** The receiving community acknowledged the handover. */
  handover_receipt: z.strictObject({ caseId: caseRef, acknowledgedOn: isoDate }),
  /** 协查: the origin is asked to confirm a mobile woman's marriage-and-birth certificate. */
  verification_request: z.strictObject({ caseId: caseRef, subjectRef, registeredOn: isoDate, answerBy: isoDate }),
  /** 反馈: the result; with caseId it answers a request, without it reports a valid certificate found on registration. */
  verification_feedback: z.strictObject({ caseId: caseRef.optional(), subjectRef, result: z.enum(certificateResults), date: isoDate }),
  /** Transport acknowledgement of one message: applied, a repeat of one applied before, or refused (with a reason code). */
  ack: z.strictObject({ outcome: z.enum(['applied', 'duplicate', 'refused']), reason: z.string().max(200).optional() }),
} as const satisfies Record<MessageType, z.ZodType>;

export type MessageBody<T extends MessageType> = z.infer<(typeof messageBodies)[T]>;

const envelopeBase = {
  /** The envelope's version: a receiver refuses one it does not know. */
  v: z.literal(1),
  messageId,
  from: divisionCode,
  to: divisionCode,
  /** When the change that caused it happened (not when it was sent: a retry keeps it). */
  createdAt: z.iso.datetime(),
  /** The message this one answers (an ack, a receipt, a feedback to a request). */
  inReplyTo: messageId.optional(),
};
export const envelope = z.discriminatedUnion('type', [
  z.strictObject({ ...envelopeBase, type: z.literal('handover_out'), body: messageBodies.handover_out }),
  z.strictObject({ ...envelopeBase, type: z.literal('handover_receipt'), body: messageBodies.handover_receipt }),
  z.strictObject({ ...envelopeBase, type: z.literal('verification_request'), body: messageBodies.verification_request }),
  z.strictObject({ ...envelopeBase, type: z.literal('verification_feedback'), body: messageBodies.verification_feedback }),
  z.strictObject({ ...envelopeBase, type: z.literal('ack'), inReplyTo: messageId, body: messageBodies.ack }),
]);
export type Envelope = z.infer<typeof envelope>;
export type EnvelopeOf<T extends MessageType> = Extract<Envelope, { type: T }>;

/** Deterministic: the same cause gives the same id, so a repeated write or send is one message. */
export function messageIdOf(...parts: string[]): string {
  return createHash('sha256').update(parts.join('|')).digest('base64url').slice(0, 32);
}

export function makeEnvelope<T extends MessageType>(
  type: T,
  from: string,
  to: string,
  cause: string,
  createdAt: Instant,
  body: MessageBody<T>,
  inReplyTo?: string,
): EnvelopeOf<T> {
  return { v: 1, messageId: messageIdOf(type, from, to, cause), type, from, to, createdAt, ...(inReplyTo ? { inReplyTo } : {}), body } as EnvelopeOf<T>;
}

/** The ack of a message: one per message, whatever the number of deliveries. */
export function ackOf(m: Envelope, outcome: MessageBody<'ack'>['outcome'], createdAt: Instant, reason?: string): EnvelopeOf<'ack'> {
  return makeEnvelope('ack', m.to, m.from, `ack:${m.messageId}`, createdAt, { outcome, ...(reason ? { reason } : {}) }, m.messageId);
}

/** The fields of the national exchange platform's verification form, in its order: the export outbox writes them so. */
export const exportFields = ['messageId', 'type', 'fromRegion', 'toRegion', 'subjectRef', 'registeredOn', 'result', 'resultDate', 'answerBy', 'createdAt'] as const;

/** Wait before the next send of an unacknowledged message: 1 min, doubling, at most 6 h. */
export function retryDelayMs(attempts: number): number {
  return Math.min(60_000 * 2 ** Math.max(0, attempts - 1), 6 * 3_600_000);
}

// ---------------------------------------------------------------------------------------------------------------------
// Decisions the exchange makes on cases

type Data = Case['data'];
type Rejection = { ok: false; code: 'not_allowed' | 'invalid'; reason: string };
const reject = (code: Rejection['code'], reason: string): Rejection => ({ ok: false, code, reason });
const EXCHANGE_ACTOR: Actor = { kind: 'system', process: 'exchange' };

function timersFor(caseId: string, dueDate: BusinessDate, remindDaysBefore: readonly number[], ctx: MachineContext): SetTimerEffect[] {
  const today = businessDateOf(ctx.now);
  const out: SetTimerEffect[] = [];
  for (const offset of [...remindDaysBefore].sort((a, b) => b - a)) {
    const date = addCalendarDays(dueDate, -offset);
    if (date < today) continue;
    out.push({ kind: 'set_timer', timerId: `${caseId}#remind:due-${offset}`, caseId, at: businessInstant(date, ctx.rules.reminderTime), command: { action: 'remind', key: `due-${offset}` } });
  }
  out.push({ kind: 'set_timer', timerId: `${caseId}#overdue`, caseId, at: startOfBusinessDay(addCalendarDays(dueDate, 1)), command: { action: 'overdue' } });
  return out;
}

function notify(caseId: string, seq: number, template: string, orgUnitId: string, role: 'community_officer' | 'district_manager', params: Record<string, string | number>): Effect {
  return { kind: 'notify', notificationId: `${caseId}#${seq}#${template}#${orgUnitId}#${role}`, caseId, template, recipient: { orgUnitId, role }, params };
}

interface NewCase {
  caseId: string;
  type: Case['type'];
  state: string;
  subjectId?: string;
  parentCaseId?: string;
  owner: string;
  ownerStreetId: string;
  level: Case['level'];
  dueDate: BusinessDate;
  provisional: boolean;
  data: Data;
  reason: string;
  actor: Actor;
  effects: Effect[];
}

function opened(n: NewCase, ctx: MachineContext): Decision {
  const c: Case = {
    caseId: n.caseId,
    type: n.type,
    status: 'open',
    state: n.state,
    ...(n.subjectId ? { subjectId: n.subjectId } : {}),
    ownerOrgUnitId: n.owner,
    queueOrgUnitId: n.level === 'district' ? ctx.territory.districtId : n.owner,
    level: n.level,
    ownerStreetId: n.ownerStreetId,
    dueDate: n.dueDate,
    dueAt: endOfBusinessDay(n.dueDate),
    provisional: n.provisional,
    createdAt: ctx.now,
    updatedAt: ctx.now,
    version: 1,
    ...(n.parentCaseId ? { parentCaseId: n.parentCaseId } : {}),
    data: n.data,
  };
  const history: HistoryEntry = { caseId: c.caseId, seq: 1, at: ctx.now, actor: n.actor, action: 'open', toState: c.state, toQueueOrgUnitId: c.queueOrgUnitId, reason: n.reason };
  return { ok: true, case: c, history, effects: [...timersFor(c.caseId, c.dueDate, ctx.rules[n.type].remindDaysBefore, ctx), ...n.effects] };
}

function closed(c: Case, state: string, action: string, reason: string, data: Data, effects: Effect[], ctx: MachineContext, actor: Actor = EXCHANGE_ACTOR): Decision | Rejection {
  if (c.status !== 'open') return reject('not_allowed', `a ${c.status} case cannot be closed by the exchange`);
  if (ctx.now < c.updatedAt) return reject('invalid', `the time ${ctx.now} is before the case's last change ${c.updatedAt}`);
  const seq = c.version + 1;
  const next: Case = { ...c, status: 'done', state, version: seq, updatedAt: ctx.now, closedAt: ctx.now, data };
  const history: HistoryEntry = { caseId: c.caseId, seq, at: ctx.now, actor, action, fromState: c.state, toState: state, fromQueueOrgUnitId: c.queueOrgUnitId, toQueueOrgUnitId: c.queueOrgUnitId, reason };
  return { ok: true, case: next, history, effects: [{ kind: 'cancel_all_timers', caseId: c.caseId }, ...effects] };
}

export interface HandoverOutInput {
  caseId: string;
  subject: { subjectId: string; class: SubjectClass; communityId: string; originRegion?: string };
  toRegion: string;
  toCommunityId: string;
  moveDate: BusinessDate;
}

/**
 * A handover out of the district: the case stays with the sending community, awaiting the receipt from the receiving
 * district, on the handover's 30 days (its reminders, overdue and escalation as any handover).
 */
export function openHandoverOut(input: HandoverOutInput, ctx: MachineContext, actor: Actor, own: string): { ok: true; decision: Decision; message: EnvelopeOf<'handover_out'> } | Rejection {
  const today = businessDateOf(ctx.now);
  if (input.moveDate > today) return reject('invalid', `the move date ${input.moveDate} is in the future (today is ${today})`);
  if (input.toRegion === own) return reject('invalid', `${own} is this district: a move inside it is a handover to one of its communities`);
  const from = ctx.territory.get(input.subject.communityId);
  if (from?.kind !== 'community') return reject('invalid', `the subject's community "${input.subject.communityId}" is not a community of this district`);
  const due = ctx.deadline(ctx.rules.handover.due, input.moveDate);
  const decision = opened(
    {
      caseId: input.caseId,
      type: 'handover',
      state: 'awaiting_ack',
      subjectId: input.subject.subjectId,
      owner: from.id,
      ownerStreetId: ctx.territory.streetOf(from.id)!,
      level: 'community',
      dueDate: due.date,
      provisional: due.provisional,
      data: { subjectClass: input.subject.class, communityId: from.id, reason: 'moved', separationDate: input.moveDate, fromOrgUnitId: from.id, fromKind: 'community', toRegion: input.toRegion, toCommunityId: input.toCommunityId, rejections: 0 },
      reason: `moved to ${input.toRegion}`,
      actor,
      effects: [],
    },
    ctx,
  );
  const message = makeEnvelope('handover_out', own, input.toRegion, input.caseId, ctx.now, {
    caseId: input.caseId,
    subjectRef: input.subject.subjectId,
    subjectClass: input.subject.class,
    ...(input.subject.originRegion ? { originRegion: input.subject.originRegion } : {}),
    toCommunityId: input.toCommunityId,
    moveDate: input.moveDate,
  });
  return { ok: true, decision, message };
}

/** The subject id a receiving district gives a subject handed over to it: the sender's code and pseudonymous id. */
export const inboundSubjectId = (from: string, subjectRef: string) => `x${from}-${subjectRef}`.slice(0, 80);
/** The id of a case opened by an inbound message: one per message, so a repeat can never open a second. */
export const inboundCaseId = (m: Envelope) => `xin-${m.from}-${m.messageId}`;

/** An inbound handover: a handover in the receiving community's queue, on the sender's 30 days. */
export function openInboundHandover(m: EnvelopeOf<'handover_out'>, ctx: MachineContext): Decision | Rejection {
  const to = ctx.territory.get(m.body.toCommunityId);
  if (to?.kind !== 'community') return reject('invalid', `"${m.body.toCommunityId}" is not a community of this district`);
  const due = ctx.deadline(ctx.rules.handover.due, m.body.moveDate);
  const caseId = inboundCaseId(m);
  return opened(
    {
      caseId,
      type: 'handover',
      state: 'awaiting_ack',
      subjectId: inboundSubjectId(m.from, m.body.subjectRef),
      owner: to.id,
      ownerStreetId: ctx.territory.streetOf(to.id)!,
      level: 'community',
      dueDate: due.date,
      provisional: due.provisional,
      data: {
        subjectClass: m.body.subjectClass === 'co_managed' ? 'primary' : m.body.subjectClass,
        communityId: to.id,
        reason: 'moved',
        separationDate: m.body.moveDate,
        fromKind: 'district',
        fromRegion: m.from,
        fromCaseId: m.body.caseId,
        fromMessageId: m.messageId,
        rejections: 0,
      },
      reason: `moved in from ${m.from}`,
      actor: EXCHANGE_ACTOR,
      effects: [notify(caseId, 1, 'handover.opened', to.id, 'community_officer', { dueDate: due.date })],
    },
    ctx,
  );
}

/** The receiving district acknowledged: the sending case closes with the receipt in its history. */
export function applyReceipt(c: Case, m: EnvelopeOf<'handover_receipt'>, ctx: MachineContext): Decision | Rejection {
  if (c.type !== 'handover' || c.data.toRegion !== m.from) return reject('invalid', `case ${c.caseId} is not a handover to ${m.from}`);
  return closed(
    c,
    'acknowledged',
    'receipt',
    `receipt from ${m.from}`,
    { ...c.data, acknowledgedOn: m.body.acknowledgedOn, receiptMessageId: m.messageId },
    [notify(c.caseId, c.version + 1, 'handover.receipt', c.ownerOrgUnitId, 'community_officer', { acknowledgedOn: m.body.acknowledgedOn })],
    ctx,
  );
}

/** The origin-verification sub-case of a certificate check: waits for the origin's answer (or the imported one). */
export function openOriginCheck(parent: Case, origin: string, ctx: MachineContext, own: string, days: number): { decision: Decision; message: EnvelopeOf<'verification_request'> } {
  const caseId = `${parent.caseId}.origin`;
  const due = ctx.deadline({ days, unit: 'calendar' }, businessDateOf(ctx.now));
  const registeredOn = typeof parent.data.startDate === 'string' ? parent.data.startDate : businessDateOf(ctx.now);
  const decision = opened(
    {
      caseId,
      type: 'certificate_check',
      state: 'awaiting_outcome',
      subjectId: parent.subjectId!,
      parentCaseId: parent.caseId,
      owner: parent.ownerOrgUnitId,
      ownerStreetId: parent.ownerStreetId,
      level: parent.level,
      dueDate: due.date,
      provisional: due.provisional,
      data: { ...parent.data, task: 'origin', originRegion: origin },
      reason: `verification with ${origin}`,
      actor: EXCHANGE_ACTOR,
      effects: [],
    },
    ctx,
  );
  const message = makeEnvelope('verification_request', own, origin, caseId, ctx.now, { caseId, subjectRef: parent.subjectId!, registeredOn, answerBy: due.date });
  return { decision, message };
}

/** The origin's answer closes the sub-case with its result. */
export function applyVerificationAnswer(c: Case, result: (typeof certificateResults)[number], date: BusinessDate, via: string, ctx: MachineContext): Decision | Rejection {
  if (c.type !== 'certificate_check' || c.data.task !== 'origin') return reject('invalid', `case ${c.caseId} is not waiting for a verification`);
  return closed(c, result, 'verification_answer', `answer via ${via}`, { ...c.data, outcome: result, outcomeDate: date }, [notify(c.caseId, c.version + 1, 'certificate_check.opened', c.ownerOrgUnitId, 'community_officer', { dueDate: c.dueDate })], ctx);
}

/** At the origin, a request to answer: in the district queue (the 计生办 forwards it) on the requester's date. */
export function openAnswerCase(m: EnvelopeOf<'verification_request'>, ctx: MachineContext): Decision {
  const caseId = inboundCaseId(m);
  const districtId = ctx.territory.districtId;
  return opened(
    {
      caseId,
      type: 'certificate_check',
      state: 'awaiting_outcome',
      owner: districtId,
      ownerStreetId: districtId,
      level: 'district',
      dueDate: m.body.answerBy,
      provisional: false,
      data: { task: 'answer', subjectRef: m.body.subjectRef, registeredOn: m.body.registeredOn, fromRegion: m.from, fromCaseId: m.body.caseId, fromMessageId: m.messageId },
      reason: `verification request from ${m.from}`,
      actor: EXCHANGE_ACTOR,
      effects: [notify(caseId, 1, 'certificate_check.opened', districtId, 'district_manager', { dueDate: m.body.answerBy })],
    },
    ctx,
  );
}

/** Staff at the origin answer a request: the case closes and the feedback goes back in the same transaction. */
export function answerRequest(c: Case, result: (typeof certificateResults)[number], date: BusinessDate, actor: Actor, ctx: MachineContext, own: string): { ok: true; decision: Decision; message: EnvelopeOf<'verification_feedback'> } | Rejection {
  if (c.type !== 'certificate_check' || c.data.task !== 'answer') return reject('invalid', `case ${c.caseId} is not a verification request`);
  const today = businessDateOf(ctx.now);
  if (date > today) return reject('invalid', `the date ${date} is in the future (today is ${today})`);
  const decision = closed(c, result, 'verification_answer', `answered ${result}`, { ...c.data, outcome: result, outcomeDate: date }, [], ctx, actor);
  if (!decision.ok) return decision;
  const from = String(c.data.fromRegion);
  const message = makeEnvelope(
    'verification_feedback',
    own,
    from,
    `answer:${c.caseId}`,
    ctx.now,
    { caseId: String(c.data.fromCaseId), subjectRef: String(c.data.subjectRef), result, date },
    String(c.data.fromMessageId),
  );
  return { ok: true, decision, message };
}
