// The shapes of docs/api.md, as the dashboard reads them.

export type Role = 'district_manager' | 'street_manager' | 'street_officer' | 'community_officer' | 'unit_liaison';
export type OrgUnitKind = 'district' | 'street' | 'community' | 'unit';
export type Level = 'unit' | 'community' | 'street' | 'district';

export interface Me {
  staffId: string;
  role: Role;
  orgUnitId: string;
  district: string;
  name?: string | { 'zh-CN'?: string; en?: string; zh?: string };
  orgUnit?: OrgUnit;
  /** Her own reminder preferences. */
  preferences?: Omit<Preferences, 'staffId'>;
}

export type Channel = 'sms' | 'email' | 'both' | 'none';
export type DeliveryChannel = 'sms' | 'email';

export interface Preferences {
  staffId?: string;
  channel: Channel;
  language: 'zh-CN' | 'en';
  quietHours: { start: string; end: string };
}

/** GET /dev/outbox (local runtime only): what would have been sent. */
export interface OutboxMessage {
  at: string;
  channel: DeliveryChannel;
  staffId: string;
  orgUnitId: string;
  /** Masked: +86139****0001, c***@example.cn. */
  to: string;
  kind: string;
  language: string;
  subject?: string;
  text: string;
  caseId?: string;
}

export interface UndeliverableRow {
  staffId: string;
  role: Role;
  orgUnitId: string;
  channel: DeliveryChannel;
  reason: string;
  at: string;
  to: string;
}

export interface OrgUnit {
  id: string;
  kind: OrgUnitKind;
  name: { 'zh-CN'?: string; en?: string; zh?: string };
  parentId?: string | null;
  /** Streets only: a street office or a town (镇). */
  streetKind?: 'street' | 'town';
}

export type Actor = { kind: 'staff'; staffId: string } | { kind: 'system'; process: string };

export interface HistoryEntry {
  seq: number;
  at: string;
  actor: Actor;
  action: string;
  fromState?: string;
  toState: string;
  fromQueueOrgUnitId?: string;
  toQueueOrgUnitId: string;
  reason?: string;
}

export interface Case {
  caseId: string;
  type: string;
  status: 'open' | 'done' | 'cancelled';
  state: string;
  subjectId?: string | null;
  ownerOrgUnitId: string;
  queueOrgUnitId: string;
  level: Level;
  dueDate: string;
  dueAt: string;
  overdue: boolean;
  daysOverdue: number;
  provisional: boolean;
  createdAt: string;
  updatedAt: string;
  closedAt?: string | null;
  parentCaseId?: string | null;
  data: Record<string, string | number | boolean>;
  allowedActions: string[];
  history?: HistoryEntry[];
}

export interface Page<T> {
  items: T[];
  cursor?: string;
}

export type BucketName = '1-7' | '8-30' | '31+';

export interface OverdueHandoversReport {
  orgUnitId: string;
  asOf: string;
  children: { orgUnitId: string; total: number; buckets: Partial<Record<BucketName, number>> }[];
  items: Case[];
}

export interface OnTimeRow {
  orgUnitId: string;
  type: string;
  closed: number;
  onTime: number;
  rate: number | null;
  /** Cancelled in the period: not rated. */
  cancelled?: number;
}

/** GET /reports/late-reporting: handovers reported after their 30 days, by reporter and street. */
export interface LateReportingReport {
  orgUnitId: string;
  from: string;
  to: string;
  reporters: { reporterId: string; streetId: string; cases: number; totalDelayDays: number; maxDelayDays: number }[];
  streets: { streetId: string; cases: number; totalDelayDays: number }[];
}

export interface OnTimeReport {
  orgUnitId: string;
  from: string;
  to: string;
  rows: OnTimeRow[];
}

/** RFC 9457 problem details, as the API sends them. */
export interface Problem {
  type?: string;
  title?: string;
  status?: number;
  detail?: string;
  errors?: { path: string; message: string }[];
}

export type ActionBody =
  | { action: 'acknowledge' }
  | { action: 'reject'; reason: string }
  | { action: 'reassign'; toOrgUnitId: string; reason?: string }
  | { action: 'record_outcome'; outcome: string; date: string; toCommunityId?: string }
  | { action: 'escalate'; reason?: string }
  | { action: 'cancel'; reason: string };

/** GET /reports/exchange: messages with other districts (docs/exchange.md). */
export interface ExchangeCounts {
  created: number;
  sent: number;
  acknowledged: number;
  overdue: number;
  failed: number;
}
export interface ExchangeReport {
  orgUnitId: string;
  from: string;
  to: string;
  total: ExchangeCounts;
  byType: Record<string, ExchangeCounts>;
  submissionRate: number | null;
  feedbackRate: number | null;
  targets: { submissionRate: number; feedbackRate: number };
}

/** GET /application-codes: what a community may receive an application for. */
export interface ApplicationCode {
  code: string;
  name: { 'zh-CN'?: string; en?: string; zh?: string };
}

/** POST /cases for an application. */
export interface CreateApplicationBody {
  type: 'application';
  subjectId: string;
  code: string;
  receivedOn: string;
}

/** GET /subjects: a subject as the register lists her (pseudonymous; no names). */
export interface SubjectRow {
  subjectId: string;
  class: string;
  communityId: string;
  unitId: string | null;
  registeredOn?: string;
  notDueUntil: string | null;
}
