// Staff who act on queues, and the subjects (已婚育龄妇女) whose cases they route.
// Types only: a value import would build the whole district-config schema in every bundle that reads people.
import type { Channel, DigestDays, Language, StaffRole } from './district-config';

export interface Staff {
  staffId: string;
  /** Display name, shown to colleagues only; never in logs or messages. */
  name: string;
  role: StaffRole;
  orgUnitId: string;
  phone: string;
  email: string;
  channel: Channel;
  language: Language;
  quietHours: { start: string; end: string };
  /** Digest days: absent means working days (official calendar); urgent notices go out whatever the day. */
  digestDays?: DigestDays;
  /**
   * Channels that failed for good (bad number, rejected by the gateway, bounced e-mail), for a manager to fix; the
   * publisher stops using a flagged channel until the flag is cleared. Never holds the address itself.
   */
  undeliverable?: UndeliverableFlag[];
}

export interface UndeliverableFlag {
  channel: 'sms' | 'email';
  /** A reason code: invalid_phone, invalid_email, gateway_rejected, sns_rejected, email_bounced … */
  reason: string;
  /** When it was first seen (ISO-8601 UTC). */
  at: string;
}

export const subjectClasses = ['primary', 'co_managed', 'mobile'] as const;
export type SubjectClass = (typeof subjectClasses)[number];

/**
 * A subject as routing needs her: a pseudonymous id and the facts that pick a queue and a cadence.
 * No name, phone, ID number or health detail is stored here.
 */
export interface Subject {
  subjectId: string;
  class: SubjectClass;
  /** The residence community (居住地社区). */
  communityId: string;
  /** The employer unit of a co_managed subject. */
  unitId?: string;
  /** An implant in effect until this business date: checked once a year until then. */
  implantUntil?: string;
  /** Business date from which she is on the register. */
  registeredOn: string;
  /** A mobile subject's region of origin (户籍地): a 6-digit division code (GB/T 2260); her certificate is verified there. */
  originRegion?: string;
  /** Marked by her community: not due a check until this date (no reason kept). In effect while after today. */
  notDueUntil?: string;
}

/** The org unit that manages a subject: the unit for co_managed, otherwise the residence community. */
export function managingOrgUnitId(subject: Subject): string {
  return subject.class === 'co_managed' && subject.unitId ? subject.unitId : subject.communityId;
}
