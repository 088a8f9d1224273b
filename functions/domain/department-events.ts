// Events from other departments (civil affairs, public security, health): births, marriages, household moves in and
// out, deaths. Each does what the source does with it; a department system signs its batch with its own key.
import { createHmac, timingSafeEqual } from 'node:crypto';
import * as z from 'zod';
import { divisionCode } from './division';

export const departmentEventTypes = ['birth', 'marriage', 'move_in', 'move_out', 'death'] as const;
export type DepartmentEventType = (typeof departmentEventTypes)[number];

/** A department that may post events, named in the district config; its key is a secret outside the config. */
export const departmentConfig = z.strictObject({
  id: z.string().regex(/^[a-z0-9][a-z0-9-]{0,40}$/, 'a department id is lowercase letters, digits and dashes'),
  name: z.strictObject({ zh: z.string().min(1).max(80), en: z.string().min(1).max(80) }),
  /** Which event types it may send. */
  events: z.array(z.enum(departmentEventTypes)).min(1),
});
export type DepartmentConfig = z.infer<typeof departmentConfig>;

/** A signed request is accepted this long after (or before) its timestamp: a captured one cannot be replayed later. */
export const SIGNATURE_TOLERANCE_S = 300;

/** `v1=` + hex HMAC-SHA256 of `${timestamp}.${body}` with the department's key. */
export function signBody(key: string, timestamp: string, body: string): string {
  return `v1=${createHmac('sha256', key).update(`${timestamp}.${body}`).digest('hex')}`;
}

export type SignatureCheck = { ok: true } | { ok: false; reason: 'missing' | 'stale' | 'mismatch' };

/** Checks a department's signature on the raw body, in constant time. */
export function verifySignature(key: string, timestamp: string | undefined, signature: string | undefined, body: string, nowMs: number): SignatureCheck {
  if (!timestamp || !signature || !/^\d{1,12}$/.test(timestamp)) return { ok: false, reason: 'missing' };
  if (Math.abs(nowMs / 1000 - Number(timestamp)) > SIGNATURE_TOLERANCE_S) return { ok: false, reason: 'stale' };
  const expected = Buffer.from(signBody(key, timestamp, body));
  const got = Buffer.from(signature);
  return expected.length === got.length && timingSafeEqual(expected, got) ? { ok: true } : { ok: false, reason: 'mismatch' };
}

const orgUnitId = z.string().regex(/^[a-z0-9][a-z0-9-]{0,62}$/, 'an org unit id');

/** One event of a department batch (POST /events): pseudonymous subject id, dates and codes only. */
export const departmentEvent = z.strictObject({
  eventId: z.string().regex(/^[A-Za-z0-9._:-]{1,100}$/, 'an event id is 1–100 letters, digits and . _ : -'),
  type: z.enum(departmentEventTypes),
  subjectId: z.string().min(1).max(80),
  date: z.iso.date(),
  /** marriage, move_in: the community she lives in; move_out inside the district: the community she moves to. */
  communityId: orgUnitId.optional(),
  class: z.enum(['primary', 'co_managed', 'mobile']).optional(),
  originRegion: divisionCode.optional(),
  /** move_out to another district: its division code and the receiving community there. */
  toRegion: divisionCode.optional(),
  toCommunityId: z.string().min(1).max(63).optional(),
});
export type DepartmentEvent = z.infer<typeof departmentEvent>;
