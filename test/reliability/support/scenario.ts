// Six weeks of the tiny district (test/support/tiny-district.ts, register seed 3), 27 April to
// 8 June 2026: handovers acknowledged, rejected and re-routed, left overdue and escalated to the
// district, re-routed by the district; follow-ups visited, unreachable (a retry case), missed and
// escalated by hand; certificate checks valid and missing (an apply sub-case); the May health
// checks and the May and June change reports opened by the scheduled jobs, some recorded, one
// cancelled, others left to go overdue. Every action is valid: a run must never be refused.
import { businessInstant } from '../../../functions/domain/time';
import type { LocalRuntime } from '../../../dev/local/runtime';
import { CaseRejected } from '../../../functions/app/case-service';

export const SCENARIO_START = businessInstant('2026-04-27', '10:00');
export const SCENARIO_END = businessInstant('2026-06-08', '12:00');

const at = (date: string, hhmm = '10:00') => businessInstant(date, hhmm);
const staff = (staffId: string) => ({ kind: 'staff' as const, staffId });
const co = (community: string) => ({ actor: staff(`co-${community}-1`), org: community });
const so = (street: string) => ({ actor: staff(`so-${street}-1`), org: street });
const dm = { actor: staff('dm-tiny'), org: 'tiny' };
const ul = (unit: string) => ({ actor: staff(`ul-${unit}`), org: unit });

export interface ScenarioStats {
  /** Commands that failed for a transient reason, retried by the caller with the same command id (an API client's retry). */
  callerRetries: number;
  steps: number;
}

/**
 * Runs the scenario. A command that failed for a transient reason is retried by the caller with the
 * same command id, as an API client retries with its Idempotency-Key; a business rejection fails the run.
 */
export async function runScenario(rt: LocalRuntime, opts: { end?: string } = {}): Promise<ScenarioStats> {
  const stats: ScenarioStats = { callerRetries: 0, steps: 0 };
  const end = opts.end ?? SCENARIO_END;
  try {
    await steps();
  } catch (err) {
    if (err !== STOP) throw err;
  }
  await rt.advanceTo(end);
  return stats;

  async function steps() {
    const call = async <T>(what: string, fn: () => Promise<T>): Promise<T> => {
      for (let attempt = 1; ; attempt++) {
        try {
          stats.steps++;
          return await fn();
        } catch (err) {
          if (err instanceof CaseRejected || attempt >= 8) throw new Error(`scenario step "${what}" failed: ${(err as Error).message}`);
          stats.callerRetries++;
        }
      }
    };
    const open = (input: Record<string, unknown>, who?: { actor: ReturnType<typeof staff> }) =>
      call(`open ${String(input.caseId ?? input.type)}`, () => rt.openCase(input, who?.actor));
    const act = (caseId: string, command: Record<string, unknown>, who: { actor: ReturnType<typeof staff>; org: string }, commandId: string) =>
      call(`${String(command.action)} ${caseId}`, () => rt.act(caseId, command, who.actor, commandId, who.org));
    async function until(instant: string) {
      if (instant > end) throw STOP;
      await rt.advanceTo(instant);
    }

    // 27 April (Monday)
    await open({ type: 'handover', caseId: 'ho-a', subjectId: 's-000004', reason: 'resigned', separationDate: '2026-04-26' }, ul('east-school'));
    await open({ type: 'handover', caseId: 'ho-b', subjectId: 's-000005', reason: 'dismissed', separationDate: '2026-04-25' }, ul('east-school'));
    await open({ type: 'handover', caseId: 'ho-c', subjectId: 's-000007', reason: 'removed', separationDate: '2026-04-10' }, ul('west-mill'));
    await open({ type: 'handover', caseId: 'ho-d', subjectId: 's-000001', reason: 'moved', separationDate: '2026-04-27' }, co('east-a'));
    await open({ type: 'follow_up', caseId: 'fu-a', subjectId: 's-000010', trigger: 'service', eventDate: '2026-04-27' }, co('east-b'));
    await open({ type: 'follow_up', caseId: 'fu-b', subjectId: 's-000011', trigger: 'birth', eventDate: '2026-04-27' }, co('east-a'));
    await open({ type: 'follow_up', caseId: 'fu-c', subjectId: 's-000002', trigger: 'return', eventDate: '2026-04-27' }, co('east-a'));
    await open({ type: 'certificate_check', caseId: 'cc-a', subjectId: 's-000003', startDate: '2026-04-27' }, co('west-a'));
    await open({ type: 'certificate_check', caseId: 'cc-b', subjectId: 's-000008', startDate: '2026-04-27' }, co('east-b'));

    await until(at('2026-04-29'));
    await act('ho-a', { action: 'acknowledge' }, co('east-a'), 'ack-ho-a');
    await act('ho-b', { action: 'reject', reason: 'she lives in east-a' }, co('east-b'), 'reject-ho-b');

    await until(at('2026-04-30', '15:00'));
    await act('ho-b', { action: 'reassign', toOrgUnitId: 'east-a', reason: 'per register' }, so('east'), 'reassign-ho-b');

    // 1 May: the May change reports and the health checks open; ho-d's reroute deadline passed.
    await until(at('2026-05-06'));
    await act('fu-a', { action: 'record_outcome', outcome: 'visited', date: '2026-05-06' }, co('east-b'), 'visit-fu-a');
    await act('fu-b', { action: 'record_outcome', outcome: 'not_reachable', date: '2026-05-06' }, co('east-a'), 'unreachable-fu-b');
    await act('cc-a', { action: 'record_outcome', outcome: 'missing', date: '2026-05-06' }, co('west-a'), 'missing-cc-a');

    await until(at('2026-05-07'));
    await act('ho-d', { action: 'reassign', toOrgUnitId: 'west-a', reason: 'moved to west-a' }, dm, 'reassign-ho-d');

    await until(at('2026-05-08'));
    const hc = (subjectId: string) => `health_check:${subjectId}:2026-01-01`;
    await act(hc('s-000012'), { action: 'record_outcome', outcome: 'attended', date: '2026-05-08' }, co('west-a'), 'hc-12');
    await act(hc('s-000006'), { action: 'record_outcome', outcome: 'absent', date: '2026-05-08' }, co('east-a'), 'hc-6');
    await act(hc('s-000009'), { action: 'record_outcome', outcome: 'exempt', date: '2026-05-08' }, ul('west-mill'), 'hc-9');
    await act(hc('s-000013'), { action: 'cancel', reason: 'left the unit' }, ul('east-school'), 'hc-13');
    await act('cc-b', { action: 'record_outcome', outcome: 'valid', date: '2026-05-08' }, co('east-b'), 'valid-cc-b');

    await until(at('2026-05-12'));
    await act('ho-b', { action: 'acknowledge' }, co('east-a'), 'ack-ho-b');

    // fu-c went overdue to the street on 12 May; the street sends it on to the district.
    await until(at('2026-05-14'));
    await act('fu-c', { action: 'escalate', reason: 'no contact for two weeks' }, so('east'), 'escalate-fu-c');

    // ho-c: overdue on 11 May, at the district since 18 May; the district re-routes it.
    await until(at('2026-05-20'));
    await act('ho-c', { action: 'reassign', toOrgUnitId: 'east-b', reason: 'she lives in east-b now' }, dm, 'reassign-ho-c');

    await until(at('2026-05-25'));
    await act('cc-a.2', { action: 'record_outcome', outcome: 'valid', date: '2026-05-25' }, co('west-a'), 'valid-cc-a-2');

    await until(at('2026-05-29'));
    await act('change_report:east-a:2026-05', { action: 'record_outcome', outcome: 'filed', date: '2026-05-29' }, co('east-a'), 'file-east-a-05');

    // 1 June: the June reports open; 3 June: east-b's and west-a's May reports go overdue.
    await until(at('2026-06-04'));
    await act('change_report:west-a:2026-05', { action: 'record_outcome', outcome: 'filed', date: '2026-06-04' }, co('west-a'), 'file-west-a-05');
    await act('ho-c', { action: 'acknowledge' }, co('east-b'), 'ack-ho-c');
  }
}

/** Thrown by until() past the scenario's end: the steps stop there. */
const STOP = Symbol('end of scenario');
