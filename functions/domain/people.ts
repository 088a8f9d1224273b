// Staff who act on queues, and the subjects (已婚育龄妇女) whose cases they route.
import type { Channel, Language, StaffRole } from './district-config';

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
}

/** The org unit that manages a subject: the unit for co_managed, otherwise the residence community. */
export function managingOrgUnitId(subject: Subject): string {
  return subject.class === 'co_managed' && subject.unitId ? subject.unitId : subject.communityId;
}
