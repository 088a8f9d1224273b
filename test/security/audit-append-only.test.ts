// The audit log is append-only by IAM: over the synthesized policies of every role of a district
// stack, a small evaluator of the statements' Allow/Deny, actions, resources and the
// `dynamodb:LeadingKeys` conditions answers "may this role do X to an item of partition P?". No
// role may update or delete an audit entry (AUDIT#<date>), alone, in a batch or in a transaction;
// only the API's role and the retention job's (a "not due until" mark cleared at its date is audited) may put one
// (append); the same roles keep the writes their work needs; and a
// broad grant added later (dynamodb:* on the table) does not undo it.
import { beforeAll, describe, expect, it } from 'vitest';
import { apiAccess, jobAccess, workflowAccess } from '../../infra/access';
import { asList, cfnText, resourcesOfType, roleStatements, synthDistrict, type IamStatement, type Synthesized } from '../infra/synth';

let s: Synthesized;
let tableArn = '';

beforeAll(() => {
  s = synthDistrict('yiling');
  const [tableId] = resourcesOfType(s.json, 'AWS::DynamoDB::GlobalTable')[0] ?? resourcesOfType(s.json, 'AWS::DynamoDB::Table')[0]!;
  tableArn = `${tableId}.Arn`;
}, 120_000);

const glob = (pattern: string, value: string) => new RegExp(`^${pattern.replace(/[.+^${}()|[\]\\]/g, '\\$&').replace(/\*/g, '.*').replace(/\?/g, '.')}$`).test(value);

/** Whether a statement's condition holds for a request on items of these partitions; an operator it does not know fails the test. */
function conditionHolds(condition: unknown, leadingKeys: string[]): boolean {
  if (!condition) return true;
  return Object.entries(condition as Record<string, Record<string, string | string[]>>).every(([op, keys]) =>
    Object.entries(keys).every(([key, raw]) => {
      const patterns = asList(raw as string | string[]).map(String);
      if (key !== 'dynamodb:LeadingKeys') throw new Error(`a table statement with a condition on ${key}: teach the evaluator`);
      switch (op) {
        case 'ForAllValues:StringNotLike':
          return leadingKeys.every((k) => !patterns.some((p) => glob(p, k)));
        case 'ForAllValues:StringLike':
          return leadingKeys.every((k) => patterns.some((p) => glob(p, k)));
        case 'ForAnyValue:StringLike':
          return leadingKeys.some((k) => patterns.some((p) => glob(p, k)));
        default:
          throw new Error(`condition operator ${op}: teach the evaluator`);
      }
    }),
  );
}

/** IAM's answer for one role: an explicit Deny wins, then any Allow, else denied. */
function may(statements: IamStatement[], action: string, leadingKeys: string[]): boolean {
  let allowed = false;
  for (const st of statements) {
    if (!asList(st.Action).some((a) => glob(String(a), action))) continue;
    if (!asList(st.Resource).some((r) => { const t = cfnText(r); return t === tableArn || t === '*'; })) continue;
    if (!conditionHolds(st.Condition, leadingKeys)) continue;
    if (st.Effect === 'Deny') return false;
    allowed = true;
  }
  return allowed;
}

const AUDIT = 'AUDIT#2026-03-02';
const changes = ['dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem', 'dynamodb:PutItem', 'dynamodb:PartiQLUpdate', 'dynamodb:PartiQLDelete', 'dynamodb:PartiQLInsert'];

function rolesWithTable(): Map<string, IamStatement[]> {
  const byRole = new Map<string, IamStatement[]>();
  for (const { role, statement } of roleStatements(s.json)) {
    if (!asList(statement.Action).some((a) => String(a).startsWith('dynamodb:'))) continue;
    byRole.set(role, [...(byRole.get(role) ?? []), statement]);
  }
  return byRole;
}

/** The roles that append audit entries: the API's, and the retention job's (it clears "not due until" marks, audited). */
function appenders(): Set<string> {
  const roleOf = (fn: { role: unknown }) => s.stack.getLogicalId((fn.role as { node: { defaultChild: never } }).node.defaultChild);
  expect(apiAccess.appendsAudit).toBe(true);
  expect(jobAccess.retention.appendsAudit).toBe(true);
  expect(Object.entries(workflowAccess).filter(([, a]) => a.appendsAudit)).toEqual([]);
  expect(Object.entries(jobAccess).filter(([k, a]) => a.appendsAudit && k !== 'retention')).toEqual([]);
  return new Set([roleOf(s.stack.apiFunction), roleOf(s.stack.jobFunctions.retention!)]);
}

describe('the audit log is append-only by IAM', () => {
  it('no role may update, delete or batch-write an audit entry; only the API and the retention job may put one', () => {
    const roles = rolesWithTable();
    const apiRole = s.stack.getLogicalId(s.stack.apiFunction.role.node.defaultChild as never);
    const appending = appenders();
    expect(appending.size).toBe(2);
    // Every function with table access: the workflow Tasks, the jobs present in this stack, the API.
    expect(roles.size).toBeGreaterThanOrEqual(Object.keys(workflowAccess).length - 2 + 1);
    expect(roles.has(apiRole)).toBe(true);
    const table: string[] = [];
    let cells = 0;
    for (const [role, statements] of roles) {
      for (const action of changes) {
        const got = may(statements, action, [AUDIT]);
        const want = action === 'dynamodb:PutItem' && appending.has(role);
        cells++;
        if (got !== want) table.push(`${role} ${action} ${AUDIT}: ${got ? 'allowed' : 'denied'}, want ${want ? 'allowed' : 'denied'}`);
        // A batch or a transaction with one audit item among others is refused as a whole.
        if (action !== 'dynamodb:PutItem' && may(statements, action, ['CASE#x', AUDIT])) table.push(`${role} ${action} on [CASE#x, ${AUDIT}] allowed`);
      }
    }
    console.log(`audit append-only: ${roles.size} roles × ${changes.length} write actions = ${cells} cells, ${table.length} mismatches`);
    expect(table).toEqual([]);
  });

  it('the roles keep the writes their work needs on every other partition', () => {
    const roles = rolesWithTable();
    const roleOf = (fn: { role: unknown }) => s.stack.getLogicalId((fn.role as { node: { defaultChild: never } }).node.defaultChild);
    const checks: [string, (typeof apiAccess)['table']][] = [
      [roleOf(s.stack.apiFunction), apiAccess.table],
      [roleOf(s.stack.functions.fireTimer), workflowAccess.fireTimer.table],
      [roleOf(s.stack.functions.generateHealthChecksPage), workflowAccess.generateHealthChecksPage.table],
      [roleOf(s.stack.jobFunctions.retention!), jobAccess.retention.table],
      [roleOf(s.stack.jobFunctions.publishDue!), jobAccess.publishDue.table],
    ];
    for (const [role, actions] of checks) {
      const statements = roles.get(role)!;
      for (const a of actions) for (const pk of ['CASE#fu-1', 'SUBJECT#s-1', 'STAFF#co-1']) expect(may(statements, `dynamodb:${a}`, [pk]), `${role} ${a} ${pk}`).toBe(true);
      // What the profile does not list stays denied.
      for (const a of ['UpdateItem', 'DeleteItem', 'BatchWriteItem'] as const) if (!actions.includes(a)) expect(may(statements, `dynamodb:${a}`, ['CASE#fu-1'])).toBe(false);
    }
  });

  it('a broad grant added later does not undo it (the explicit Deny)', () => {
    const roles = rolesWithTable();
    const appending = appenders();
    const broad: IamStatement = { Effect: 'Allow', Action: 'dynamodb:*', Resource: { 'Fn::GetAtt': [tableArn.replace(/\.Arn$/, ''), 'Arn'] } };
    for (const [role, statements] of roles) {
      const widened = [...statements, broad];
      for (const action of ['dynamodb:UpdateItem', 'dynamodb:DeleteItem', 'dynamodb:BatchWriteItem']) expect(may(widened, action, [AUDIT]), `${role} ${action}`).toBe(false);
      expect(may(widened, 'dynamodb:PutItem', [AUDIT]), `${role} PutItem`).toBe(appending.has(role));
    }
  });
});
