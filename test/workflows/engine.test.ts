// The real ASL files, run on aws-local-stepfunctions with small in-memory fake handlers.
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { describe, expect, it } from 'vitest';
import { loadWorkflow, localFunctionArn, WorkflowEngine, type ExecutionResult, type TaskHandler } from '../../dev/local/workflow-engine';

const fast = { fastRetries: true } as const;

function report(label: string, r: ExecutionResult) {
  console.log(`[transitions] ${label}: ${r.transitions} (${r.retries} retries) → ${r.status}${r.error ? ` ${r.error}` : ''}`);
  expect(r.eventLogComplete, `${label}: event log complete`).toBe(true);
}

/** A handler that records its events. */
function recorder<T>(fn: (event: any, call: number) => T | Promise<T>) {
  const calls: any[] = [];
  const handler = async (event: unknown) => {
    calls.push(event);
    return fn(event, calls.length);
  };
  return Object.assign(handler, { calls });
}

class CaseRejected extends Error {
  override name = 'CaseRejected';
}

const transient = (name: string) => Object.assign(new Error(`${name} (simulated)`), { name });

describe('loadWorkflow', () => {
  it('substitutes every function ARN variable with a local ARN and lists the functions', () => {
    const w = loadWorkflow('sweeper');
    expect(w.functionKeys).toEqual(['listDueTimers', 'fireTimer']);
    expect(w.taskStates).toEqual({ ListDueTimers: 'listDueTimers', FireTimer: 'fireTimer' });
    expect(JSON.stringify(w.definition)).not.toContain('${');
    expect(localFunctionArn('fireTimer')).toBe('arn:aws-cn:lambda:cn-north-1:000000000000:function:shudi-local-fireTimer');
    expect(JSON.stringify(w.definition)).toContain(localFunctionArn('fireTimer'));
  });

  it('names the file and the variable it does not know', () => {
    const dir = mkdtempSync(join(tmpdir(), 'shudi-asl-'));
    const definition = { StartAt: 'A', States: { A: { Type: 'Task', Resource: '${NoSuchFunctionArn}', End: true } } };
    writeFileSync(join(dir, 'bad.asl.json'), JSON.stringify(definition));
    expect(() => loadWorkflow('bad', { dir })).toThrow(/bad\.asl\.json: unknown substitution variable \$\{NoSuchFunctionArn\}/);
  });

  it('refuses to run without a handler for every function the workflow calls', async () => {
    const engine = new WorkflowEngine({ handlers: { listDueTimers: async () => ({ timers: [], more: false }) } });
    await expect(engine.run('sweeper', {})).rejects.toThrow(/no handler for fireTimer/);
  });
});

// Retry and rejection semantics of a Task, on the first state of recurring-obligations (the Retry
// every Task in workflows/ has: CaseRejected never retried, anything else 4 times with backoff).
describe('a Task: its result, a rejection, retries', () => {
  const input = { kind: 'change_report', period: '2026-03' };
  const planned = { kind: 'change_report', period: '2026-03', targets: [] };
  const openObligations = recorder(() => ({ opened: 0, existing: 0 }));

  it('succeeds with the handler output, the handler seeing the execution input', async () => {
    const planObligations = recorder(() => planned);
    const engine = new WorkflowEngine({ handlers: { planObligations, openObligations } });
    const r = await engine.run('recurringObligations', input, fast);
    report('recurring-obligations, nothing owed', r);
    expect(r.status).toBe('SUCCEEDED');
    expect(r.output).toEqual({ ...planned, results: [] });
    expect(planObligations.calls).toEqual([input]);
    expect(openObligations.calls).toEqual([]);
    expect(r.transitions).toBe(3); // PlanObligations, PerTarget, Opened
    expect(r.executionName).toMatch(/^recurring-obligations-/);
    expect(r.executionArn).toBe(`arn:aws-cn:states:cn-north-1:000000000000:execution:shudi-local-recurring-obligations:${r.executionName}`);
  });

  it('fails with error CaseRejected on a business rejection, calling the handler exactly once', async () => {
    const planObligations = recorder(() => {
      throw new CaseRejected('period: expected YYYY-MM');
    });
    const engine = new WorkflowEngine({ handlers: { planObligations, openObligations } });
    const r = await engine.run('recurring-obligations', input, fast);
    report('recurring-obligations rejected', r);
    expect(r.status).toBe('FAILED');
    expect(r.error).toBe('CaseRejected');
    // Cause as Step Functions gives it for a Lambda error: the JSON error payload.
    expect(JSON.parse(r.cause!)).toEqual({ errorType: 'CaseRejected', errorMessage: 'period: expected YYYY-MM' });
    expect(planObligations.calls).toHaveLength(1);
    expect(r.retries).toBe(0);
    expect(r.transitions).toBe(1); // PlanObligations
  });

  it('retries a transient error and succeeds', async () => {
    const planObligations = recorder((_, call) => {
      if (call === 1) throw transient('TransactionConflict');
      return planned;
    });
    const engine = new WorkflowEngine({ handlers: { planObligations, openObligations } });
    const r = await engine.run('recurring-obligations', input, { ...fast, keepEvents: true });
    report('recurring-obligations retried once', r);
    // The count is the log's StateEntered + StateRetried events.
    const entered = r.events!.filter((e) => e.type === 'StateEntered').map((e) => e.state!.name);
    expect(entered).toEqual(['PlanObligations', 'PerTarget', 'Opened']);
    expect(r.events!.filter((e) => e.type === 'StateRetried')).toHaveLength(1);
    expect(r.status).toBe('SUCCEEDED');
    expect(planObligations.calls).toEqual([input, input]);
    expect(r.retries).toBe(1);
    expect(r.transitions).toBe(4); // PlanObligations, retry, PerTarget, Opened
  });

  it('gives up after 4 retries and fails with the error name', async () => {
    const planObligations = recorder(() => {
      throw transient('Lambda.TooManyRequestsException');
    });
    const engine = new WorkflowEngine({ handlers: { planObligations, openObligations } });
    const r = await engine.run('recurring-obligations', input, fast);
    report('recurring-obligations retries exhausted', r);
    expect(r.status).toBe('FAILED');
    expect(r.error).toBe('Lambda.TooManyRequestsException');
    expect(planObligations.calls).toHaveLength(5);
  });

  it('waits between retries as told (retryIntervalMs)', async () => {
    const planObligations = recorder((_, call) => {
      if (call < 3) throw new Error('boom');
      return planned;
    });
    const engine = new WorkflowEngine({ handlers: { planObligations, openObligations }, retryIntervalMs: 50 });
    const started = Date.now();
    const r = await engine.run('recurring-obligations', input);
    expect(r.status).toBe('SUCCEEDED');
    expect(Date.now() - started).toBeGreaterThanOrEqual(95);
  });
});

/** An in-memory timer table: due timers are listed a page at a time, fired ones leave it. */
function timerTable(ids: string[], opts: { pageSize: number; poison?: string[] }) {
  const due = new Map(ids.map((id) => [id, { timerId: id, caseId: `case-${id}`, at: '2025-03-03T01:00:00.000Z' }]));
  const fired: string[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const listDueTimers = recorder((event: { limit?: number }) => {
    const timers = [...due.values()].slice(0, Math.min(event.limit ?? 100, opts.pageSize));
    return { timers, more: due.size > timers.length };
  });
  const fireTimer = recorder(async (event: { timerId: string; caseId: string; at: string }) => {
    inFlight++;
    maxInFlight = Math.max(maxInFlight, inFlight);
    await new Promise((r) => setTimeout(r, 2));
    inFlight--;
    if (opts.poison?.includes(event.timerId)) throw new Error(`timer ${event.timerId} cannot be fired`);
    if (!due.delete(event.timerId)) return { timerId: event.timerId, outcome: 'stale' };
    fired.push(event.timerId);
    return { timerId: event.timerId, outcome: 'fired' };
  });
  return { due, fired, listDueTimers, fireTimer, maxInFlight: () => maxInFlight };
}

describe('sweeper', () => {
  it('fires every due timer once over 3 pages and stops', async () => {
    const ids = Array.from({ length: 8 }, (_, i) => `t${i}`);
    const table = timerTable(ids, { pageSize: 3 });
    const engine = new WorkflowEngine({ handlers: { listDueTimers: table.listDueTimers, fireTimer: table.fireTimer } });
    const r = await engine.run('sweeper', {}, fast);
    report('sweeper, 8 timers in 3 pages', r);
    expect(r.status).toBe('SUCCEEDED');
    expect(table.listDueTimers.calls).toEqual([{ limit: 50 }, { limit: 50 }, { limit: 50 }]);
    expect(table.fired.sort()).toEqual(ids);
    expect(table.fireTimer.calls).toHaveLength(8);
    expect(table.fireTimer.calls[0]).toEqual({ timerId: 't0', caseId: 'case-t0', at: '2025-03-03T01:00:00.000Z' });
    expect(table.due.size).toBe(0);
    expect(r.output).toMatchObject({ round: 3, page: { more: false }, fired: [{ timerId: 't6', outcome: 'fired' }, { timerId: 't7', outcome: 'fired' }] });
    // Per round: ListDueTimers, AnyDue, FireTimers, MoreDue (+ NextRound between rounds); one FireTimer per timer; StartSweep, SweepDone.
    expect(r.transitions).toBe(2 + 3 * 4 + 2 + 8);
  });

  it('does not fail on a poison timer: the others fire, it stays due and is reported failed', async () => {
    const table = timerTable(['a', 'b', 'poison', 'c', 'd'], { pageSize: 10, poison: ['poison'] });
    const engine = new WorkflowEngine({ handlers: { listDueTimers: table.listDueTimers, fireTimer: table.fireTimer } });
    const r = await engine.run('sweeper', {}, fast);
    report('sweeper, one poison timer among 5', r);
    expect(r.status).toBe('SUCCEEDED');
    expect(table.fired.sort()).toEqual(['a', 'b', 'c', 'd']);
    expect([...table.due.keys()]).toEqual(['poison']);
    expect(table.fireTimer.calls.filter((e) => e.timerId === 'poison')).toHaveLength(5); // 1 + 4 retries
    expect((r.output as { fired: unknown[] }).fired).toContainEqual({ timerId: 'poison', outcome: 'failed', error: 'Error' });
    expect(r.retries).toBe(4);
  });

  it('does nothing when no timer is due', async () => {
    const table = timerTable([], { pageSize: 3 });
    const r = await new WorkflowEngine({ handlers: { listDueTimers: table.listDueTimers, fireTimer: table.fireTimer } }).run('sweeper', {}, fast);
    report('sweeper, nothing due', r);
    expect(r.status).toBe('SUCCEEDED');
    expect(table.fireTimer.calls).toHaveLength(0);
    expect(r.transitions).toBe(4); // StartSweep, ListDueTimers, AnyDue, SweepDone
  });

  it('stops after 50 rounds even if more timers keep coming due', async () => {
    let n = 0;
    const listDueTimers = recorder(() => ({ timers: [{ timerId: `t${++n}`, caseId: 'c', at: '2025-03-03T01:00:00.000Z' }], more: true }));
    const fireTimer = recorder((e: { timerId: string }) => ({ timerId: e.timerId, outcome: 'fired' }));
    const r = await new WorkflowEngine({ handlers: { listDueTimers, fireTimer } }).run('sweeper', {}, fast);
    report('sweeper, 50 rounds (bound)', r);
    expect(r.status).toBe('SUCCEEDED');
    expect(listDueTimers.calls).toHaveLength(50);
    expect(fireTimer.calls).toHaveLength(50);
    expect(r.output).toMatchObject({ round: 50 });
  });

  it('fires at most 8 timers at a time', async () => {
    const table = timerTable(Array.from({ length: 20 }, (_, i) => `t${i}`), { pageSize: 50 });
    const r = await new WorkflowEngine({ handlers: { listDueTimers: table.listDueTimers, fireTimer: table.fireTimer } }).run('sweeper', {}, fast);
    expect(r.status).toBe('SUCCEEDED');
    expect(table.fired).toHaveLength(20);
    expect(table.maxInFlight()).toBeLessThanOrEqual(8);
    expect(table.maxInFlight()).toBeGreaterThan(1);
  });
});

describe('health-checks', () => {
  /** Subjects per org unit, generated `pageSize` at a time; the cursor is the offset of the next page. */
  function district(subjects: Record<string, number>, pageSize = 3) {
    let inFlight = 0;
    let maxInFlight = 0;
    const planHealthChecks = recorder((e: { periodOf?: string }) => ({
      periodOf: e.periodOf ?? '2025-01-01',
      orgUnits: Object.keys(subjects).map((orgUnitId) => ({ orgUnitId })),
    }));
    const generateHealthChecksPage = recorder(async (e: { orgUnitId: string; periodOf: string; cursor?: string }) => {
      inFlight++;
      maxInFlight = Math.max(maxInFlight, inFlight);
      await new Promise((r) => setTimeout(r, 2));
      inFlight--;
      const from = e.cursor === undefined ? 0 : Number(e.cursor.split(':')[1]);
      const to = Math.min(from + pageSize, subjects[e.orgUnitId]!);
      return { orgUnitId: e.orgUnitId, periodOf: e.periodOf, opened: to - from, existing: 0, ...(to < subjects[e.orgUnitId]! ? { cursor: `${e.orgUnitId}:${to}` } : {}) };
    });
    return { planHealthChecks, generateHealthChecksPage, maxInFlight: () => maxInFlight };
  }

  it('generates each org unit page by page with the right cursors (0, 2 and 7 subjects: 1, 1 and 3 pages)', async () => {
    const d = district({ empty: 0, small: 2, large: 7 });
    const engine = new WorkflowEngine({ handlers: { planHealthChecks: d.planHealthChecks, generateHealthChecksPage: d.generateHealthChecksPage } });
    const r = await engine.run('healthChecks', { periodOf: '2025-03-01' }, fast);
    report('health-checks, 3 org units, 5 pages', r);
    expect(r.status).toBe('SUCCEEDED');
    expect(d.planHealthChecks.calls).toEqual([{ periodOf: '2025-03-01' }]);
    const callsOf = (orgUnitId: string) => d.generateHealthChecksPage.calls.filter((e) => e.orgUnitId === orgUnitId);
    // Each call carries exactly the contract's fields: no previous page's counts riding along.
    expect(callsOf('empty')).toEqual([{ orgUnitId: 'empty', periodOf: '2025-03-01' }]);
    expect(callsOf('small')).toEqual([{ orgUnitId: 'small', periodOf: '2025-03-01' }]);
    expect(callsOf('large')).toEqual([
      { orgUnitId: 'large', periodOf: '2025-03-01' },
      { orgUnitId: 'large', periodOf: '2025-03-01', cursor: 'large:3' },
      { orgUnitId: 'large', periodOf: '2025-03-01', cursor: 'large:6' },
    ]);
    expect(d.generateHealthChecksPage.calls).toHaveLength(5);
    expect(r.output).toEqual({ periodOf: '2025-03-01', orgUnits: [{ orgUnitId: 'empty' }, { orgUnitId: 'small' }, { orgUnitId: 'large' }] });
    // PlanHealthChecks, PerOrgUnit, Planned; per page a Generate…Page and MorePages; per org unit OrgUnitDone.
    expect(r.transitions).toBe(3 + 5 * 2 + 3);
  });

  it('generates at most 4 org units at a time', async () => {
    const d = district(Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`u${i}`, 4])));
    const r = await new WorkflowEngine({ handlers: { planHealthChecks: d.planHealthChecks, generateHealthChecksPage: d.generateHealthChecksPage } }).run(
      'health-checks',
      {},
      fast,
    );
    expect(r.status).toBe('SUCCEEDED');
    expect(d.generateHealthChecksPage.calls).toHaveLength(20);
    expect(d.maxInFlight()).toBeLessThanOrEqual(4);
    expect(d.maxInFlight()).toBeGreaterThan(1);
  });

  it('retries a page that failed transiently, with the same cursor', async () => {
    const d = district({ large: 7 });
    let failed = false;
    const flaky: TaskHandler = async (event) => {
      if (!failed && (event as { cursor?: string }).cursor === 'large:3') {
        failed = true;
        throw transient('ProvisionedThroughputExceededException');
      }
      return d.generateHealthChecksPage(event);
    };
    const r = await new WorkflowEngine({ handlers: { planHealthChecks: d.planHealthChecks, generateHealthChecksPage: flaky } }).run('health-checks', {}, fast);
    report('health-checks, one page retried', r);
    expect(r.status).toBe('SUCCEEDED');
    expect(d.generateHealthChecksPage.calls.map((e) => e.cursor)).toEqual([undefined, 'large:3', 'large:6']);
    expect(r.retries).toBe(1);
  });
});

describe('recurring-obligations', () => {
  it('opens one obligation per target, with kind and period', async () => {
    const targets = ['tongqiao', 'qiyi', 'heping', 'renmin'].map((orgUnitId) => ({ orgUnitId }));
    const planObligations = recorder((e: { kind: string; period: string }) => ({ ...e, targets }));
    const opened = new Set<string>();
    const openObligations = recorder((e: { kind: string; period: string; orgUnitId: string }) => {
      const key = `${e.kind}/${e.period}/${e.orgUnitId}`;
      const created = !opened.has(key);
      opened.add(key);
      return { opened: created ? 1 : 0, existing: created ? 0 : 1 };
    });
    const engine = new WorkflowEngine({ handlers: { planObligations, openObligations } });
    const input = { kind: 'change_report', period: '2025-02' };
    const r = await engine.run('recurringObligations', input, fast);
    report('recurring-obligations, 4 targets', r);
    expect(r.status).toBe('SUCCEEDED');
    expect(planObligations.calls).toEqual([input]);
    expect(openObligations.calls.sort((a, b) => a.orgUnitId.localeCompare(b.orgUnitId))).toEqual(
      ['heping', 'qiyi', 'renmin', 'tongqiao'].map((orgUnitId) => ({ kind: 'change_report', period: '2025-02', orgUnitId })),
    );
    expect([...opened].sort()).toEqual(['heping', 'qiyi', 'renmin', 'tongqiao'].map((o) => `change_report/2025-02/${o}`));
    expect(r.output).toMatchObject({ ...input, targets, results: Array(4).fill({ opened: 1, existing: 0 }) });
    expect(r.transitions).toBe(3 + 4); // PlanObligations, PerTarget, Opened; one OpenObligations per target

    // A re-run opens nothing twice.
    const again = await engine.run('recurringObligations', input, fast);
    expect(again.output).toMatchObject({ results: Array(4).fill({ opened: 0, existing: 1 }) });
  });
});
