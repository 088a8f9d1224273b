// The Lambda side of the workflow Task handlers: the scheduled runs' default periods, and the
// middy + Powertools wrapper (errors keep their name, nothing personal is logged, metrics flush).
import type { Context } from 'aws-lambda';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { districtContext } from '../../functions/app/district-context';
import { VirtualClock } from '../../functions/domain/clock';
import { businessInstant } from '../../functions/domain/time';
import { CaseRejected } from '../../functions/app/case-service';
import { createWorkflowHandlers, obligationPeriodOn, type HandlerDeps } from '../../functions/handlers/workflow-handlers';
import { observability } from '../../functions/handlers/lambda/observability';
import { wrapTaskHandler } from '../../functions/handlers/lambda/task-handler';
import { tinyDistrict } from '../support/tiny-district';

describe('default obligation periods (the scheduled recurring-obligations run passes kind only)', () => {
  it('a change report is for the current month', () => {
    expect(obligationPeriodOn('change_report', '2026-03-01')).toBe('2026-03');
    expect(obligationPeriodOn('change_report', '2026-12-31')).toBe('2026-12');
  });

  it('a unit notice is for the half-year that just ended', () => {
    expect(obligationPeriodOn('unit_notice', '2026-07-01')).toBe('2026-H1');
    expect(obligationPeriodOn('unit_notice', '2026-12-31')).toBe('2026-H1');
    expect(obligationPeriodOn('unit_notice', '2027-01-01')).toBe('2026-H2');
    expect(obligationPeriodOn('unit_notice', '2027-06-30')).toBe('2026-H2');
  });

  /** Plans read only the territory and the clock. */
  function planners(now: string) {
    const unused = new Proxy({}, { get: () => { throw new Error('a plan must not touch the table'); } });
    const deps = { district: districtContext(tinyDistrict), clock: new VirtualClock(now), service: unused, cases: unused, register: unused } as unknown as HandlerDeps;
    return createWorkflowHandlers(deps);
  }

  it('PlanObligations defaults the period from the Asia/Shanghai date of its run', async () => {
    // 00:10 on 1 July in Shanghai is still 30 June in UTC: the period is the Shanghai one.
    const h = planners(businessInstant('2026-07-01', '00:20'));
    await expect(h.planObligations({ kind: 'unit_notice' })).resolves.toMatchObject({ kind: 'unit_notice', period: '2026-H1' });
    const c = planners(businessInstant('2026-08-01', '00:10'));
    const out = await c.planObligations({ kind: 'change_report' });
    expect(out).toMatchObject({ kind: 'change_report', period: '2026-08' });
    expect(out.targets.map((t) => t.orgUnitId).sort()).toEqual(['east-a', 'east-b', 'west-a']);
    // A given period still wins; a wrong one is still refused.
    await expect(c.planObligations({ kind: 'change_report', period: '2026-02' })).resolves.toMatchObject({ period: '2026-02' });
    await expect(c.planObligations({ kind: 'change_report', period: '2026-H1' })).rejects.toMatchObject({ name: 'CaseRejected', message: expect.stringContaining('period: Invalid string: must match pattern') });
  });

  it('PlanHealthChecks defaults periodOf to the Asia/Shanghai date (the scheduled run passes nothing)', async () => {
    const h = planners(businessInstant('2026-09-01', '00:30'));
    await expect(h.planHealthChecks({})).resolves.toMatchObject({ periodOf: '2026-09-01' });
    await expect(h.planHealthChecks({ periodOf: '2026-09-31' })).rejects.toMatchObject({ name: 'CaseRejected', message: expect.stringContaining('periodOf: Invalid ISO date') });
  });
});

describe('wrapTaskHandler (middy + Powertools)', () => {
  const context = {
    functionName: 'shudi-test',
    functionVersion: '$LATEST',
    awsRequestId: 'req-1',
    invokedFunctionArn: 'arn:aws:lambda:ap-east-1:123456789012:function:shudi-test',
    memoryLimitInMB: '512',
    logGroupName: 'g',
    logStreamName: 's',
    callbackWaitsForEmptyEventLoop: true,
    getRemainingTimeInMillis: () => 30_000,
  } as unknown as Context;

  afterEach(() => vi.restoreAllMocks());

  function capture() {
    const lines: string[] = [];
    const write = (chunk: unknown) => {
      lines.push(String(chunk));
      return true;
    };
    vi.spyOn(process.stdout, 'write').mockImplementation(write as typeof process.stdout.write);
    vi.spyOn(process.stderr, 'write').mockImplementation(write as typeof process.stderr.write);
    vi.spyOn(console, 'log').mockImplementation((...a: unknown[]) => void lines.push(a.map(String).join(' ')));
    vi.spyOn(console, 'info').mockImplementation((...a: unknown[]) => void lines.push(a.map(String).join(' ')));
    vi.spyOn(console, 'warn').mockImplementation((...a: unknown[]) => void lines.push(a.map(String).join(' ')));
    vi.spyOn(console, 'error').mockImplementation((...a: unknown[]) => void lines.push(a.map(String).join(' ')));
    return lines;
  }

  const event = { caseId: 'ho-1', actor: { kind: 'staff', staffId: 'co-east-a-1' }, note: '+8613900000006 Staff co-east-a-1' };

  it('returns the result and counts a success', async () => {
    const lines = capture();
    const handler = wrapTaskHandler('fireTimer', async () => ({ caseId: 'ho-1', applied: true }), observability({ serviceName: 'shudi-fireTimer', districtId: 'tiny' }));
    await expect(handler(event, context)).resolves.toEqual({ caseId: 'ho-1', applied: true });
    const out = lines.join('\n');
    expect(out).toContain('TaskSucceeded');
    expect(out).not.toContain('+8613900000006');
  });

  it('rethrows a business rejection unchanged: error.name CaseRejected is the errorType Step Functions matches', async () => {
    const lines = capture();
    const handler = wrapTaskHandler(
      'fireTimer',
      async () => {
        throw new CaseRejected('not_allowed', 'acknowledge is not allowed in state acknowledged');
      },
      observability({ serviceName: 'shudi-fireTimer', districtId: 'tiny' }),
    );
    const err = await handler(event, context).then(
      () => undefined,
      (e: unknown) => e as Error,
    );
    expect(err).toBeInstanceOf(CaseRejected);
    expect(err!.name).toBe('CaseRejected');
    const out = lines.join('\n');
    expect(out).toContain('TaskRejected');
    expect(out).toContain('task rejected');
    // The event (ids, a phone in this one) is never logged.
    expect(out).not.toContain('+8613900000006');
    expect(out).not.toContain('"note"');
  });

  it('rethrows any other error with its own name (retried by the ASL) and counts a failure', async () => {
    const lines = capture();
    class StaleCaseError extends Error {
      override name = 'StaleCaseError';
    }
    const handler = wrapTaskHandler(
      'fireTimer',
      async () => {
        throw new StaleCaseError('case changed');
      },
      observability({ serviceName: 'shudi-fireTimer', districtId: 'tiny' }),
    );
    await expect(handler(event, context)).rejects.toMatchObject({ name: 'StaleCaseError' });
    expect(lines.join('\n')).toContain('TaskFailed');
  });
});
