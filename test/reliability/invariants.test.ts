// Invariants under any sequence of valid and invalid actions and clock moves, checked with
// fast-check at two levels: the pure domain (openCase/decide, many runs) and the real runtime on
// DynamoDB Local (ASL workflows, case service, store; fewer runs, each on its own table). What is
// asserted is stated exactly in ./support/case-invariants.ts.
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import type { Actor, Case } from '../../functions/domain/case';
import { subjectRefOf } from '../../functions/app/case-service';
import { businessInstant } from '../../functions/domain/time';
import type { LocalRuntime } from '../../dev/local/runtime';
import { CaseRejected } from '../../functions/app/case-service';
import { generateSubjects } from '../../dev/seed/generate-subjects';
import { testDocumentClient } from '../support/dynamodb';
import { reliabilityRuntime } from './support/runtime';
import { tinyDistrict } from '../support/tiny-district';
import { snapshotViolations, transitionViolations, type Snapshot } from './support/case-invariants';
import { actionCommand, openingInput, PureModel, stepArb, type Step } from './support/pure-model';
import { invariantViolations, readTable, type TableView } from './support/table';

const START = businessInstant('2026-04-28', '10:00');
const subjects = generateSubjects(tinyDistrict, { seed: tinyDistrict.register.seed }).map(subjectRefOf);
const PURE_RUNS = Number(process.env.INVARIANT_PURE_RUNS ?? 1000);
const RUNTIME_RUNS = Number(process.env.INVARIANT_RUNTIME_RUNS ?? 20);

const staffActor = (org: string): Actor => ({ kind: 'staff', staffId: `st-${org}` });
const systemActor: Actor = { kind: 'system', process: 'property-test' };

/** Mostly an open case (closed ones refuse everything), sometimes any. */
function pickTarget(s: Extract<Step, { kind: 'act' }>, cases: Case[]): Case | undefined {
  const open = cases.filter((c) => c.status === 'open');
  const pool = open.length > 0 && s.target % 5 !== 0 ? open : cases;
  return pool[s.target % Math.max(pool.length, 1)];
}

function check(before: Snapshot | undefined, after: Snapshot, territory: PureModel['territory'], where: string) {
  const v = [...snapshotViolations(after, territory), ...(before ? transitionViolations(before, after) : [])];
  if (v.length > 0) throw new Error(`${where}:\n  ${v.join('\n  ')}`);
}

describe('invariants of the pure domain (openCase/decide) under generated sequences', () => {
  it(`${PURE_RUNS} sequences of 5 to 40 steps`, () => {
    const refusals = new Map<string, number>();
    const totals = { steps: 0, opened: 0, applied: 0, rejected: 0, fired: 0, timerRejected: 0, reassignsDown: 0 };
    fc.assert(
      fc.property(fc.array(stepArb({ maxAdvanceHours: 24 * 20 }), { minLength: 5, maxLength: 40 }), (steps: Step[]) => {
        const m = new PureModel(tinyDistrict, START);
        let before: Snapshot | undefined;
        steps.forEach((s, i) => {
          if (s.kind === 'open') m.open(openingInput(s, `c${i}`, subjects, m.territory, m.now), staffActor('east-a'));
          else if (s.kind === 'act') {
            const target = pickTarget(s, [...m.cases.values()]);
            if (!target) return;
            const { command, org, system } = actionCommand(s, target, m.territory, m.now);
            m.act(target.caseId, command, system ? systemActor : staffActor(org), system ? undefined : org);
          } else m.advanceTo(new Date(Date.parse(m.now) + s.hours * 3_600_000).toISOString());
          const after = m.snapshot();
          check(before, after, m.territory, `after step ${i} ${JSON.stringify(s)}`);
          if (before) for (const [id, b] of before) if (after.get(id)!.case.level === 'community' && (b.case.level === 'street' || b.case.level === 'district')) totals.reassignsDown++;
          before = after;
        });
        totals.steps += steps.length;
        for (const k of ['opened', 'applied', 'rejected', 'fired', 'timerRejected'] as const) totals[k] += m.stats[k];
        for (const [k, n] of m.refusals) refusals.set(k, (refusals.get(k) ?? 0) + n);
      }),
      { numRuns: PURE_RUNS, seed: Number(process.env.FC_SEED ?? 20260427) },
    );
    console.log(`[invariants] pure: ${PURE_RUNS} sequences, ${totals.steps} steps: ${totals.opened} cases opened, ${totals.applied} commands applied, ${totals.rejected} refused, ${totals.fired} timers fired (${totals.timerRejected} dropped as no longer applicable), ${totals.reassignsDown} re-routings down to a community queue`);
    if (process.env.SHOW_REFUSALS) console.log([...refusals].sort((a, b) => b[1] - a[1]).slice(0, 25));
    expect(totals.applied).toBeGreaterThan(PURE_RUNS);
    expect(totals.fired).toBeGreaterThan(PURE_RUNS);
  });
});

// ---------------------------------------------------------------------------------------------

function snapshotOf(t: TableView): Snapshot {
  const snap: Snapshot = new Map();
  for (const [id, c] of t.cases) {
    snap.set(id, { case: c, history: t.history.get(id) ?? [], timers: (t.timers.get(id) ?? []).map((x) => x.timerId).sort() });
  }
  return snap;
}

/** A runtime step; a business refusal is an expected outcome, anything else fails the property. */
async function runStep(rt: LocalRuntime, s: Step, i: number, done: { commandId: string; caseId: string; command: Record<string, unknown>; actor: Actor; org?: string }[], current: Snapshot) {
  const refused = (err: unknown) => {
    if (err instanceof CaseRejected) return 'refused';
    throw err;
  };
  if (s.kind === 'open') {
    const input = openingInput(s, `c${i}`, subjects, rt.district.territory, rt.clock.now().toISOString()) as Record<string, unknown>;
    // As the API opens it: the subject by id, read from the register.
    const { subject, ...rest } = input as { subject?: { subjectId: string } };
    return rt.openCase(subject ? { ...rest, subjectId: subject.subjectId } : input, staffActor('east-a')).then(() => 'ok', refused);
  }
  if (s.kind === 'act') {
    const target = pickTarget(s, [...current.values()].map((x) => x.case));
    if (!target) return 'skip';
    // Now and then, the same command id again: it must change nothing.
    if (done.length > 0 && s.other % 5 === 0) {
      const d = done[s.target % done.length]!;
      const r = await rt.act(d.caseId, d.command, d.actor, d.commandId, d.org).catch(refused);
      if (r !== 'refused' && (r as { applied: boolean }).applied) throw new Error(`command ${d.commandId} applied twice`);
      return 'repeat';
    }
    const caseId = target.caseId;
    const { command, org, system } = actionCommand(s, target, rt.district.territory, rt.clock.now().toISOString());
    const actor = system ? systemActor : staffActor(org);
    const commandId = `cmd-${i}`;
    const r = await rt.act(caseId, command, actor, commandId, system ? undefined : org).catch(refused);
    if (r !== 'refused') done.push({ commandId, caseId, command, actor, ...(system ? {} : { org }) });
    return r === 'refused' ? 'refused' : 'ok';
  }
  await rt.advance(s.hours * 3_600_000);
  return 'advance';
}

describe('invariants of the runtime on DynamoDB Local under generated sequences', () => {
  it(`${RUNTIME_RUNS} sequences of 10 to 16 steps, each on its own table`, async () => {
    const tally: Record<string, number> = {};
    let runs = 0;
    let cases = 0;
    const t0 = Date.now();
    await fc.assert(
      fc.asyncProperty(fc.array(stepArb({ maxAdvanceHours: 24 * 6 }), { minLength: 10, maxLength: 16 }), async (steps: Step[]) => {
        runs++;
        const rt = await reliabilityRuntime(START);
        const done: Parameters<typeof runStep>[3] = [];
        let before: Snapshot | undefined;
        for (const [i, s] of steps.entries()) {
          const outcome = await runStep(rt, s, i, done, before ?? new Map());
          tally[outcome] = (tally[outcome] ?? 0) + 1;
          const table = await readTable(testDocumentClient(), rt.tableName);
          const after = snapshotOf(table);
          const v = [...snapshotViolations(after, rt.district.territory), ...(before ? transitionViolations(before, after) : []), ...invariantViolations(table)];
          if (v.length > 0) throw new Error(`after step ${i} ${JSON.stringify(s)} (${outcome}):\n  ${v.join('\n  ')}`);
          before = after;
        }
        cases += before?.size ?? 0;
      }),
      { numRuns: RUNTIME_RUNS, seed: Number(process.env.FC_SEED ?? 20260427), endOnFailure: true },
    );
    console.log(`[invariants] runtime: ${runs} sequences in ${Date.now() - t0} ms, ${cases} cases in all; steps: ${JSON.stringify(tally)}`);
    expect(tally.ok ?? 0).toBeGreaterThan(RUNTIME_RUNS);
  }, 180_000);
});

describe('the invariant checks catch what they claim to', () => {
  it('a rewritten entry, a gap, a move down, a moved due date, a lost timer, a wrong queue', () => {
    const m = new PureModel(tinyDistrict, START);
    m.open({ type: 'handover', caseId: 'h', subject: subjects.find((s) => s.class === 'co_managed')!, reason: 'resigned', separationDate: '2026-04-27' }, staffActor('east-school'));
    m.advanceTo(businessInstant('2026-05-28', '10:00')); // overdue: at the street
    const before = m.snapshot();
    expect(snapshotViolations(before, m.territory)).toEqual([]);
    const tamper = (f: (s: Snapshot extends Map<string, infer V> ? V : never) => void) => {
      const after = structuredClone(before);
      f(after.get('h')!);
      return [...snapshotViolations(after, m.territory), ...transitionViolations(before, after)].join('\n');
    };
    expect(tamper((s) => (s.history[0]!.reason = 'rewritten'))).toMatch(/entry 1 was rewritten/);
    expect(tamper((s) => s.history.splice(1, 1))).toMatch(/is not 1\.\.|rewritten or removed/);
    expect(tamper((s) => Object.assign(s.case, { level: 'community', queueOrgUnitId: s.case.ownerOrgUnitId }))).toMatch(/level went down/);
    expect(tamper((s) => Object.assign(s.case, { dueDate: '2026-06-30', dueAt: '2026-06-30T15:59:59.999Z' }))).toMatch(/due date changed/);
    expect(tamper((s) => Object.assign(s.case.data, { overdue: false }) && (s.timers = []))).toMatch(/without its overdue timer/);
    expect(tamper((s) => (s.case.queueOrgUnitId = 'west'))).toMatch(/give east|give west/);
  });
});
