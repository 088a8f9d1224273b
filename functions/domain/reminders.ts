// Reminders as staff receive them: which notices go out at once and which wait for the daily digest, when a
// staff member may be reached (quiet hours), by which channels, under which dedupe key, and what a digest counts.
// Pure: no I/O, no clock. The publisher (functions/app/publisher.ts) and the digest (functions/app/digest.ts) apply it.
import type { CaseStatus } from './case';
import type { Channel } from './district-config';
import { addCalendarDays, businessDateOf, businessInstant, type BusinessDate, type Instant } from './time';

// ---------------------------------------------------------------------------------------------------------------------
// Classification

/**
 * How an outbox item reaches its recipient:
 *   urgent  - on its own, as soon as the recipient's quiet hours allow (the publisher, from the due index);
 *   digest  - counted in the recipient's next daily digest (08:30), never on its own;
 *   summary - the daily digest message itself, delivered by the publisher like an urgent one.
 */
export type Delivery = 'urgent' | 'digest' | 'summary';

/**
 * Urgent: a handover that just went overdue reaches the street manager, and one still open a week later reaches the
 * district manager. Handovers are the statutory 30-day transfers managers watch one by one; everything else (and the
 * overdue notices of the other case types, which arrive in bulk: a whole period of health checks ends on one day)
 * goes into the digest, where it is one line of counts instead of hundreds of messages.
 */
export const URGENT_TEMPLATES: readonly string[] = ['handover.overdue', 'handover.escalated_district'];

export function deliveryOf(template: string): Exclude<Delivery, 'summary'> {
  return URGENT_TEMPLATES.includes(template) ? 'urgent' : 'digest';
}

/**
 * Notices that report something that already happened and ask for no action: they stay worth telling after the case
 * closed (a receipt is written by the very change that closes the case). Every other notice asks for action on an
 * open case, and is dropped (marked skipped) once the case is no longer open.
 */
export const INFORMATIONAL_TEMPLATES: readonly string[] = ['handover.receipt', 'unit_notice.receipt', 'change_report.filed', 'follow_up.unreachable'];

/** Whether a notice is still worth delivering, given the current status of its case (undefined: no such case). */
export function stillRelevant(template: string, caseStatus: CaseStatus | undefined): boolean {
  if (caseStatus === 'open') return true;
  if (caseStatus === 'cancelled') return false;
  return INFORMATIONAL_TEMPLATES.includes(template);
}

/** Digest items that count as "new handovers" in a digest: a handover arrived in the recipient's queue. */
export const NEW_HANDOVER_TEMPLATES: readonly string[] = ['handover.opened', 'handover.assigned', 'handover.reroute'];

// ---------------------------------------------------------------------------------------------------------------------
// Quiet hours (Asia/Shanghai local time; China keeps UTC+8 all year)

export interface QuietHours {
  /** HH:MM local: quiet from here … */
  start: string;
  /** … until here (exclusive). start > end wraps midnight (21:00–08:00); start = end means no quiet hours. */
  end: string;
}

export const DEFAULT_QUIET_HOURS: QuietHours = { start: '21:00', end: '08:00' };

const HHMM = /^([01]\d|2[0-3]):([0-5]\d)$/;
const OFFSET_MS = 8 * 3_600_000;
const DAY_MS = 86_400_000;

function minutesOf(hhmm: string): number {
  const m = HHMM.exec(hhmm);
  if (!m) throw new RangeError(`not a time of day (HH:MM): "${hhmm}"`);
  return Number(m[1]) * 60 + Number(m[2]);
}

/** Minutes since local midnight, with the fraction of a minute. */
function localMinutes(instant: Instant): number {
  const ms = Date.parse(instant);
  if (Number.isNaN(ms)) throw new RangeError(`not an instant: "${instant}"`);
  return (((ms + OFFSET_MS) % DAY_MS) + DAY_MS) % DAY_MS / 60_000;
}

export function isQuiet(instant: Instant, quiet: QuietHours = DEFAULT_QUIET_HOURS): boolean {
  return nextAllowedSend(instant, quiet) !== instant;
}

/** The earliest instant at or after `instant` outside the quiet hours: `instant` itself when it is not quiet. */
export function nextAllowedSend(instant: Instant, quiet: QuietHours = DEFAULT_QUIET_HOURS): Instant {
  const start = minutesOf(quiet.start);
  const end = minutesOf(quiet.end);
  if (start === end) return instant;
  const t = localMinutes(instant);
  const date = businessDateOf(instant);
  if (start < end) return t >= start && t < end ? businessInstant(date, quiet.end) : instant;
  // Wrapping midnight: quiet in the evening until the next morning, and in the morning until `end`.
  if (t >= start) return businessInstant(addCalendarDays(date, 1), quiet.end);
  if (t < end) return businessInstant(date, quiet.end);
  return instant;
}

// ---------------------------------------------------------------------------------------------------------------------
// Channels, contacts, dedupe keys

export type DeliveryChannel = 'sms' | 'email';

export function channelsFor(preference: Channel): DeliveryChannel[] {
  switch (preference) {
    case 'sms':
      return ['sms'];
    case 'email':
      return ['email'];
    case 'both':
      return ['sms', 'email'];
    case 'none':
      return [];
  }
}

const E164 = /^\+[1-9]\d{6,14}$/;
// The practical subset zod's z.email() accepts; enough to refuse a typo before a message is lost on it.
const EMAIL = /^(?!\.)(?!.*\.\.)([A-Za-z0-9_'+\-.]*)[A-Za-z0-9_+-]@([A-Za-z0-9][A-Za-z0-9-]*\.)+[A-Za-z]{2,}$/;

export const isE164 = (phone: string | undefined): boolean => typeof phone === 'string' && E164.test(phone);
export const isEmail = (email: string | undefined): boolean => typeof email === 'string' && EMAIL.test(email);

/** `+86139****0006`: enough for a manager to recognise the number, never the whole of it. */
export function maskPhone(phone: string): string {
  if (phone.length <= 8) return '****';
  return `${phone.slice(0, 6)}****${phone.slice(-4)}`;
}

/** One reminder to one staff member (the outbox id is derived from both): the same key on every retry. */
export const outboxDedupeKey = (outboxId: string): string => `outbox:${outboxId}`;
/** One digest per staff member per business date. */
export const digestDedupeKey = (staffId: string, date: BusinessDate): string => `digest:${staffId}:${date}`;

// ---------------------------------------------------------------------------------------------------------------------
// The daily digest

export const DIGEST_TEMPLATE = 'digest.daily';
/** Local time of the daily digest. */
export const DIGEST_TIME = '08:30';
/** "Due soon": due after today and at most this many days ahead. */
export const DUE_SOON_DAYS = 3;

export interface DigestCounts {
  /** Open cases due today. */
  dueToday: number;
  /** Open cases due in the next DUE_SOON_DAYS days (not today). */
  dueSoon: number;
  /** Open cases past their due date. */
  overdue: number;
  /** Handovers that arrived in the recipient's queue since the last digest (still open). */
  newHandovers: number;
  /** Other notices since the last digest still worth telling (receipts, reports filed, reminders …). */
  updates: number;
}

export type DueBucket = 'overdue' | 'today' | 'soon';

/** Where an open case due on `dueDate` (ending at `dueAt`) falls on `today` at `now`; undefined: later. */
export function dueBucket(c: { dueDate: BusinessDate; dueAt: Instant }, today: BusinessDate, now: Instant): DueBucket | undefined {
  if (c.dueAt < now) return 'overdue';
  if (c.dueDate === today) return 'today';
  if (c.dueDate > today && c.dueDate <= addCalendarDays(today, DUE_SOON_DAYS)) return 'soon';
  return undefined;
}

export const isEmptyDigest = (c: DigestCounts): boolean => c.dueToday + c.dueSoon + c.overdue + c.newHandovers + c.updates === 0;

// ---------------------------------------------------------------------------------------------------------------------
// Retries

/** Back-off before the n-th retry of a transient failure (1 min, 2, 4 … capped at 1 h). */
export function retryDelayMs(attempt: number): number {
  return Math.min(60_000 * 2 ** Math.max(0, attempt - 1), 3_600_000);
}
