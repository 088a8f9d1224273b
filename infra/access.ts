// What each Lambda may do to the district table: the DynamoDB actions on the base table and the
// indexes it queries, read from the handler code (functions/handlers/workflow-handlers.ts, the
// case service, the reminder and retention code, and the stores). The stack turns each profile into
// IAM statements on the table ARN and `<table ARN>/index/<name>` only; test/infra/access-profile.test.ts
// runs the handlers against DynamoDB Local and checks that every request they send is covered here.
//
// No AWS CDK imports: the tests and the bench read this file too.
import type { FunctionKey } from '../functions/workflows/catalog';

/** IAM actions on the base table (a TransactWriteItems needs the action of each item it holds). */
export type TableAction = 'GetItem' | 'BatchGetItem' | 'Query' | 'PutItem' | 'UpdateItem' | 'DeleteItem' | 'BatchWriteItem' | 'ConditionCheckItem';

/** The global secondary indexes of functions/store/table-design.ts. */
export type IndexName = 'GSI1' | 'GSI2' | 'GSI3' | 'GSI4' | 'GSI5' | 'GSI6' | 'GSI7';

export interface TableAccess {
  /** Actions on the base table. */
  readonly table: readonly TableAction[];
  /** Indexes it queries (an index allows Query only). */
  readonly indexes: readonly IndexName[];
  /** Appends audit entries (the API, and the retention job's mark clearing): PutItem on AUDIT# partitions; no role may change or delete one. */
  readonly appendsAudit?: boolean;
}

const WRITE_ACTIONS: readonly TableAction[] = ['PutItem', 'UpdateItem', 'DeleteItem', 'BatchWriteItem', 'ConditionCheckItem'];

export function writesTable(a: TableAccess): boolean {
  return a.table.some((x) => WRITE_ACTIONS.includes(x));
}

export function touchesTable(a: TableAccess): boolean {
  return a.table.length > 0 || a.indexes.length > 0;
}

// ---------------------------------------------------------------------------------------------
// The audit log is append-only by IAM. Its items are the table's AUDIT#<date> partitions
// (functions/store/keys.ts keys.audit). Every write a role may make is granted on the condition
// that no partition key of the request is an audit partition (`dynamodb:LeadingKeys`, evaluated per
// item of a batch or a transaction), except the API's PutItem, which appends entries; and an
// explicit Deny repeats it, so a grant added later (grantReadWriteData) cannot undo it. DynamoDB has
// no condition key for a ConditionExpression: that the API's PutItem never replaces an entry rests
// on its `attribute_not_exists(PK)` (functions/store/audit-store.ts) and on every entry having a
// new key; docs/security.md says so.

/** The partition keys of audit entries, as an IAM string pattern. */
export const AUDIT_PARTITIONS = 'AUDIT#*';

/** Actions that change or remove an item that exists (BatchWriteItem deletes too). */
const CHANGES_ITEMS: readonly TableAction[] = ['UpdateItem', 'DeleteItem', 'BatchWriteItem'];

/** One IAM statement on the table (`table`) or its indexes (`indexes`), without CDK types. */
export interface TableStatement {
  effect: 'Allow' | 'Deny';
  actions: string[];
  on: 'table' | 'indexes';
  condition?: Record<string, Record<string, string[]>>;
}

const notAudit = { 'ForAllValues:StringNotLike': { 'dynamodb:LeadingKeys': [AUDIT_PARTITIONS] } };
const anyAudit = { 'ForAnyValue:StringLike': { 'dynamodb:LeadingKeys': [AUDIT_PARTITIONS] } };

/** The IAM statements of a table access profile (infra/lambda-function.ts turns them into policy statements). */
export function tableStatements(a: TableAccess): TableStatement[] {
  const out: TableStatement[] = [];
  const free = a.table.filter((x) => !CHANGES_ITEMS.includes(x) && (x !== 'PutItem' || a.appendsAudit));
  const scoped = a.table.filter((x) => !free.includes(x));
  if (free.length) out.push({ effect: 'Allow', actions: free.map((x) => `dynamodb:${x}`), on: 'table' });
  if (scoped.length) out.push({ effect: 'Allow', actions: scoped.map((x) => `dynamodb:${x}`), on: 'table', condition: notAudit });
  if (a.indexes.length) out.push({ effect: 'Allow', actions: ['dynamodb:Query'], on: 'indexes' });
  if (touchesTable(a)) {
    const denied = [...CHANGES_ITEMS, ...(a.appendsAudit ? [] : (['PutItem'] as const))].map((x) => `dynamodb:${x}`);
    out.push({ effect: 'Deny', actions: denied, on: 'table', condition: anyAudit });
    // PartiQL could reach the same items by statement; no function uses it.
    out.push({ effect: 'Deny', actions: ['dynamodb:PartiQLInsert', 'dynamodb:PartiQLUpdate', 'dynamodb:PartiQLDelete'], on: 'table' });
  }
  return out;
}

/**
 * KMS actions on the table's key, through DynamoDB only (kms:ViaService): reading needs Decrypt,
 * writing also Encrypt and GenerateDataKey.
 */
export function kmsActionsFor(a: TableAccess): string[] {
  if (!touchesTable(a)) return [];
  return writesTable(a) ? ['kms:Decrypt', 'kms:DescribeKey', 'kms:Encrypt', 'kms:GenerateDataKey'] : ['kms:Decrypt', 'kms:DescribeKey'];
}

/**
 * Opening or changing a case (the health-check pages, recurring obligations, firing a timer):
 * - GetItem: the subject (`subjectRef`), the case (with the timers its item holds);
 * - Query GSI1: the recipients of its notices (`listStaff`), the subjects of a community or unit page;
 * - PutItem: the TransactWriteItems that writes the case with its timers, its history entry and outbox
 *   items, and the conditional put that removes a timer whose command no longer applies. Nothing is
 *   deleted: timers are on the case item.
 */
const OPENS_CASES: TableAccess = { table: ['GetItem', 'PutItem'], indexes: ['GSI1'] };
const CHANGES_CASES: TableAccess = OPENS_CASES;

export const workflowAccess: Record<FunctionKey, TableAccess> = {
  // Due timers: a Query on each shard of the due index, nothing else.
  listDueTimers: { table: [], indexes: ['GSI6'] },
  fireTimer: CHANGES_CASES,
  // Plans read the territory from the bundled district config: no table access at all.
  planHealthChecks: { table: [], indexes: [] },
  // A page of openings: the cases that exist already read in one BatchGetItem, the new ones in few transactions.
  generateHealthChecksPage: { table: ['GetItem', 'BatchGetItem', 'PutItem'], indexes: ['GSI1'] },
  planObligations: { table: [], indexes: [] },
  openObligations: OPENS_CASES,
};

/**
 * The HTTP API (functions/api): the read patterns of docs/data-model.md (GetItem, BatchGetItem of
 * subjects, Query on the table: a case with its history, the audit log), queues and reports on
 * GSI1–GSI4 and GSI7, a subject's open cases on GSI5 (imports); case opens and changes through the
 * case service in process (PutItem in transactions), audit and idempotency records
 * (PutItem), and imports of staff and subjects (a conditional PutItem each, on the record as read).
 * Not the due index (GSI6): timers, unsent reminders and feedback are the sweeper's and the publisher's.
 */
export const apiAccess: TableAccess = {
  table: ['GetItem', 'BatchGetItem', 'Query', 'PutItem'],
  indexes: ['GSI1', 'GSI2', 'GSI3', 'GSI4', 'GSI5', 'GSI7'],
  appendsAudit: true,
};

/** The job Lambdas beside the workflow Tasks (functions/handlers/lambda/<key>.ts). */
export const jobFunctionKeys = ['publishDue', 'dailyDigest', 'smsGateway', 'deliveryFailure', 'syncSubscriptions', 'retention'] as const;
export type JobFunctionKey = (typeof jobFunctionKeys)[number];

/** Recording a bad address on a staff member (OutboxStore.flagUndeliverable): read it, then a conditional update. */
const FLAGS_STAFF: readonly TableAction[] = ['GetItem', 'UpdateItem'];

export const jobAccess: Record<JobFunctionKey, TableAccess> = {
  // The publisher (functions/app/publisher.ts): the due index (GSI6) by shard; the staff member, the case it is
  // about (GetItem); each state change of an item is a conditional PutItem of the whole item (OutboxStore.replace);
  // a channel that fails for good is flagged on the staff member (GetItem, UpdateItem: a rare path, listed by the
  // access-profile test as granted but not needed).
  publishDue: { table: ['GetItem', 'PutItem', 'UpdateItem'], indexes: ['GSI6'] },
  // The daily digest (functions/app/digest.ts): the district's staff and its open cases due soon (GSI4; the cases are
  // filed by scope in memory), each staff member's pending items (GSI5), the cases they are about (BatchGetItem), the
  // digest item (conditional PutItem; GetItem when a rerun finds it) and the items it marks (PutItem).
  dailyDigest: { table: ['GetItem', 'BatchGetItem', 'PutItem'], indexes: ['GSI4', 'GSI5'] },
  // The SMS-gateway subscriber: its DEDUPE#<key> claim (conditional PutItem), finish (UpdateItem) and release
  // (conditional DeleteItem); the phone by staff id (GetItem); a refused number flagged.
  smsGateway: { table: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'], indexes: [] },
  // A bounce recorded on the staff member.
  deliveryFailure: { table: FLAGS_STAFF, indexes: [] },
  // The subscription sync: the district's staff (GSI4); addresses refused flagged.
  syncSubscriptions: { table: FLAGS_STAFF, indexes: ['GSI4'] },
  // Retention (functions/app/retention.ts): subjects who left the register, by leaving date (GSI4), a subject's open
  // cases (GSI5), the subject read again (GetItem) and erased in one transaction (RegisterStore.eraseSubject: a
  // conditional DeleteItem of the subject, a PutItem of what is kept). Never a case or its history.
  // Then "not due until" marks whose date has come (functions/app/not-due-marks.ts): listed by date (GSI6), each
  // cleared by a conditional UpdateItem of the subject in one transaction with the PutItem of its audit entry, which
  // makes it the one job that appends to the audit log.
  retention: { table: ['GetItem', 'PutItem', 'UpdateItem', 'DeleteItem'], indexes: ['GSI4', 'GSI5', 'GSI6'], appendsAudit: true },
};
