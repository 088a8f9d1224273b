// A case: one service task for one subject (or one org unit), sitting in exactly one queue, on a deadline.
import type { BusinessDate, Instant } from './time';

export const caseTypes = [
  'handover', // 手续移交
  'follow_up', // 随访
  'health_check', // 查环查孕
  'certificate_check', // 流动人口婚育证明查验
  'unit_notice', // 信息通报单, half-yearly, unit → residence community
  'change_report', // 月变更报告单, monthly, community → street
  'application', // 申请 (e.g. 生育服务登记): community opinion, then the street's decision
] as const;
export type CaseType = (typeof caseTypes)[number];

export const caseStatuses = ['open', 'done', 'cancelled'] as const;
export type CaseStatus = (typeof caseStatuses)[number];

/** The level of the queue a case sits in now. */
export const queueLevels = ['unit', 'community', 'street', 'district'] as const;
export type QueueLevel = (typeof queueLevels)[number];

export type Actor = { kind: 'staff'; staffId: string } | { kind: 'system'; process: string };

export interface Case {
  caseId: string;
  type: CaseType;
  status: CaseStatus;
  /** The type's own state machine state (e.g. awaiting_ack, rerouting, escalated). */
  state: string;
  subjectId?: string;
  /** The community or unit that owns the case; escalation never changes it. */
  ownerOrgUnitId: string;
  /** The queue the case sits in now. */
  queueOrgUnitId: string;
  level: QueueLevel;
  /** The owner's street: a street sees every case its communities and units own. */
  ownerStreetId: string;
  /** A handover from another street (a move across streets) stays visible to the sending street. */
  sendingStreetId?: string;
  dueDate: BusinessDate;
  /** End of the due date in Asia/Shanghai. */
  dueAt: Instant;
  /** The deadline fell in a year with no official holiday schedule: computed on weekends alone. */
  provisional: boolean;
  createdAt: Instant;
  updatedAt: Instant;
  closedAt?: Instant;
  /** Bumped by every change; a write is conditional on the version it read. Also the history length. */
  version: number;
  parentCaseId?: string;
  /** Type-specific facts: reason, effective date, outcome, …; never free-text health detail. */
  data: Record<string, string | number | boolean>;
}

export interface HistoryEntry {
  caseId: string;
  /** 1-based, gap-free: the case version this entry produced. */
  seq: number;
  at: Instant;
  actor: Actor;
  action: string;
  fromState?: string;
  toState: string;
  fromQueueOrgUnitId?: string;
  toQueueOrgUnitId: string;
  reason?: string;
}

export function isOverdue(c: Pick<Case, 'status' | 'dueAt'>, now: Instant): boolean {
  return c.status === 'open' && c.dueAt < now;
}
