// Runs a district-year on the real local stack: the LocalRuntime (DynamoDB Local, the ASL workflows on
// aws-local-stepfunctions, the handlers, the scheduled jobs and the sweeper) on a virtual clock, fed with the
// seeded event stream in time order. Between two steps the clock is advanced with advanceTo, so every timer,
// job and digest falls due at its own instant, exactly as it would in production.
//
// Steps that fall on the same instant run concurrently (bounded), each case's steps in order, and the product's
// own concurrency (the sweeper's Map of 8, the health-check generator's Map of 4) runs as it would. The one shared
// read that concurrency could make nondeterministic (the case service's staff list, cached per org unit for a
// virtual minute) is single-flight: callers that miss the cache at the same time share one read, as they share the
// cache. So the same seed gives the same counts.
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { businessDateOf, type Instant } from '../../functions/domain/time';
import { VirtualClock } from '../../functions/domain/clock';
import type { DistrictConfig } from '../../functions/domain/district-config';
import { districtContext } from '../../functions/app/district-context';
import { LocalRuntime, WorkflowFailed } from '../local/runtime';
import { CaseRejected } from '../../functions/app/case-service';
import { jobsBetween } from '../../functions/app/schedule';
import type { TaskHandler } from '../../functions/handlers/workflow-handlers';
import { generateSubjects } from '../seed/generate-subjects';
import { createDynamoClient } from '../../functions/store/client';
import { subjectItem } from '../../functions/store/keys';
import { managingOrgUnitId } from '../../functions/domain/people';
import { compareSteps, endInstantOf, exogenousEvents, needsReplan, planCase, routerOf, startInstantOf, type ActStep, type ExogenousSummary, type OpenStep, type Step, type World } from './events';
import { HARNESS, Observer, sender } from './observe';
import { assignProfiles } from './profiles';
import type { Rates } from './rates';
import { attachNotifier, type NotifierTap } from './notifier';

export interface SimulationOptions {
  endpoint: string;
  config: DistrictConfig;
  rates: Rates;
  seed: number;
  /** First simulated date (Asia/Shanghai). */
  start: string;
  days: number;
  tableName?: string;
  /** Steps at one instant run this many at a time (default 8). */
  concurrency?: number;
  /** Run the Task handlers one at a time (slower; for measuring handler durations without contention). */
  serialize?: boolean;
  /** Called about twice a second with where the run is. */
  onProgress?: (p: Progress) => void;
}

export interface Progress {
  simulatedDate: string;
  /** Share of the simulated period done (0–1). */
  fraction: number;
  casesOpened: number;
  stepsDone: number;
  wallSeconds: number;
  phase: 'seeding' | 'running' | 'reporting';
}

export interface StepStats {
  /** Opens from the event stream, by origin. */
  opened: Record<string, number>;
  /** Staff commands run, by `${caseType}.${action}`. */
  acted: Record<string, number>;
  /** Planned steps not run, and why (the case closed first, or changed hands: a new plan replaced it). */
  skipped: Record<string, number>;
  /** Steps the product refused (each with the workflow error); a correct run has none. */
  failed: { step: string; error: string }[];
  /** Steps planned for after the end of the period. */
  pendingAtEnd: number;
  /** Outcomes recorded, by `${caseType}.${outcome}` (what the event stream decided). */
  outcomes: Record<string, number>;
}

export interface FunctionUse {
  invocations: number;
  /** Wall milliseconds spent in the handler (DynamoDB Local round trips included). */
  ms: number;
}

export interface SimulationResult {
  world: World;
  tableName: string;
  exogenous: ExogenousSummary;
  steps: StepStats;
  transitions: Record<string, { executions: number; transitions: number }>;
  /** Commands run through the case service (the API's path): opens and staff or system actions. */
  commands: { open: number; act: number };
  functions: Record<string, FunctionUse>;
  observer: Observer;
  notifier: NotifierTap;
  /** Sweeps the local clock ran (one per due instant); AWS runs one every 15 minutes. */
  sweeps: number;
  /** Wall seconds: seeding, the period; of the period, moving the clock (jobs, sweeps, publisher, digest) and running staff steps. */
  wall: { seedSeconds: number; runSeconds: number; advanceSeconds: number; stepsSeconds: number };
  client: DynamoDBClient;
  runtime: LocalRuntime;
}

class Lock {
  private tail: Promise<void> = Promise.resolve();
  run<T>(fn: () => Promise<T>): Promise<T> {
    const result = this.tail.then(fn);
    this.tail = result.then(
      () => undefined,
      () => undefined,
    );
    return result;
  }
}

/** Concurrent calls with the same arguments share one call (and one read) while it is in flight. */
function singleFlight<T extends object, K extends keyof T>(target: T, method: K) {
  const original = (target[method] as (...a: unknown[]) => Promise<unknown>).bind(target);
  const inFlight = new Map<string, Promise<unknown>>();
  (target as Record<K, unknown>)[method] = (...args: unknown[]) => {
    const key = JSON.stringify(args);
    let p = inFlight.get(key);
    if (!p) {
      p = original(...args).finally(() => inFlight.delete(key));
      inFlight.set(key, p);
    }
    return p;
  };
}

/** A binary min-heap of steps by (at, id). */
class StepQueue {
  private readonly a: Step[] = [];
  get size() {
    return this.a.length;
  }
  peek(): Step | undefined {
    return this.a[0];
  }
  push(s: Step) {
    const a = this.a;
    a.push(s);
    for (let i = a.length - 1; i > 0; ) {
      const p = (i - 1) >> 1;
      if (compareSteps(a[i]!, a[p]!) >= 0) break;
      [a[i], a[p]] = [a[p]!, a[i]!];
      i = p;
    }
  }
  pop(): Step | undefined {
    const a = this.a;
    const top = a[0];
    const last = a.pop();
    if (a.length > 0 && last) {
      a[0] = last;
      for (let i = 0; ; ) {
        const l = 2 * i + 1;
        const r = l + 1;
        let m = i;
        if (l < a.length && compareSteps(a[l]!, a[m]!) < 0) m = l;
        if (r < a.length && compareSteps(a[r]!, a[m]!) < 0) m = r;
        if (m === i) break;
        [a[i], a[m]] = [a[m]!, a[i]!];
        i = m;
      }
    }
    return top;
  }
}

export async function runSimulation(opts: SimulationOptions): Promise<SimulationResult> {
  const { config, rates, seed } = opts;
  const district = districtContext(config);
  const world: World = {
    config,
    territory: district.territory,
    calendar: district.calendar,
    rates,
    profiles: assignProfiles(config, rates, seed),
    seed,
    start: opts.start,
    days: opts.days,
    subjects: generateSubjects(config),
  };
  const startAt = startInstantOf(world);
  const endAt = endInstantOf(world);
  const tableName = opts.tableName ?? `shudi-sim-${config.id}-${seed}`;
  const client = createDynamoClient({ endpoint: opts.endpoint });
  const observer = new Observer(client);
  const clock = new VirtualClock(startAt);
  const lock = new Lock();
  const functions: Record<string, FunctionUse> = {};
  const gate = opts.serialize ? lock : { run: <T,>(fn: () => Promise<T>) => fn() };
  const wrapHandler = (key: string, handler: TaskHandler): TaskHandler => async (event) =>
    gate.run(() =>
      sender.run(key, async () => {
        const t0 = performance.now();
        try {
          return await handler(event);
        } finally {
          const f = (functions[key] ??= { invocations: 0, ms: 0 });
          f.invocations++;
          f.ms += performance.now() - t0;
        }
      }),
    );
  const notifier = attachNotifier();
  const runtime = await LocalRuntime.create({ endpoint: opts.endpoint, config, clock, tableName, client, fastRetries: true, wrapHandler, ...notifier.runtimeOptions });
  notifier.bind(runtime, gate, functions);
  singleFlight(runtime.register, 'listStaff');

  const wallStart = performance.now();
  const progress = (phase: Progress['phase'], stepsDone = 0) => {
    const now = clock.now().getTime();
    opts.onProgress?.({
      simulatedDate: businessDateOf(clock.now()),
      fraction: Math.min(1, Math.max(0, (now - Date.parse(startAt)) / (Date.parse(endAt) - Date.parse(startAt)))),
      casesOpened: observer.cases.size,
      stepsDone,
      wallSeconds: (performance.now() - wallStart) / 1000,
      phase,
    });
  };

  progress('seeding');
  await runtime.seed();
  const seedSeconds = (performance.now() - wallStart) / 1000;
  // Seeding is not part of the district-year (`npm run bench:seed` measures it).
  observer.resetUsage();
  notifier.reset();
  for (const k of Object.keys(functions)) delete functions[k];

  // Progress while the clock moves through a busy stretch (a job opening 15,000 cases, a day of sweeps).
  let stepsDone = 0;
  let lastProgress = 0;
  observer.onCaseWrite(() => {
    if (performance.now() - lastProgress > 1000) {
      lastProgress = performance.now();
      progress('running', stepsDone);
    }
  });

  const { steps: exo, summary } = exogenousEvents(world);
  const queue = new StepQueue();
  for (const s of exo) queue.push(s);
  const stats: StepStats = { opened: {}, acted: {}, skipped: {}, failed: [], pendingAtEnd: 0, outcomes: {} };
  const bump = (m: Record<string, number>, k: string) => (m[k] = (m[k] ?? 0) + 1);

  const schedule = (steps: ActStep[]) => {
    const now = clock.now().toISOString();
    for (const s of steps) queue.push(s.at < now ? { ...s, at: now } : s);
  };
  /** New cases get a plan; a handover that changed hands gets a new one. */
  const absorb = () => {
    for (const { before, after } of observer.drain()) {
      if (!before) schedule(planCase(world, after));
      else if (needsReplan(before, after)) schedule(planCase(world, after));
    }
  };

  const runStep = async (s: Step) => {
    try {
      if (s.kind === 'open') await runOpen(s);
      else await runAct(s);
    } catch (err) {
      if (err instanceof WorkflowFailed) stats.failed.push({ step: s.id, error: `${err.error ?? ''}: ${err.causeText ?? ''}`.slice(0, 300) });
      else if (err instanceof CaseRejected) stats.failed.push({ step: s.id, error: `CaseRejected: ${err.message}`.slice(0, 300) });
      else throw err;
    }
  };
  const runOpen = async (s: OpenStep) => {
    if (s.register) {
      const subject = s.register;
      const managing = managingOrgUnitId(subject);
      const item = subjectItem(subject, world.territory);
      await sender.run('registerSubject', () => runtime.register.putMany([item], { concurrency: 1 }));
    }
    await runtime.openCase(s.input, s.actor);
    bump(stats.opened, s.origin);
  };
  const runAct = async (s: ActStep) => {
    const c = observer.cases.get(s.caseId);
    if (!c) throw new Error(`step ${s.id}: case ${s.caseId} was never written`);
    if (c.status !== 'open') return void bump(stats.skipped, `${s.caseType}.${String(s.command.action)}: closed before`);
    if (c.ownerOrgUnitId !== s.owner) return void bump(stats.skipped, `${s.caseType}.${String(s.command.action)}: changed hands`);
    const by = s.by === 'router' ? routerOf(world, c) : s.by;
    await runtime.act(s.caseId, s.command, by.actor, `sim:${s.id}`, by.orgUnitId);
    bump(stats.acted, `${s.caseType}.${String(s.command.action)}`);
    if (typeof s.command.outcome === 'string') bump(stats.outcomes, `${s.caseType}.${s.command.outcome}`);
  };

  /** Runs one instant's steps: at most `concurrency` at a time, each case's in order. */
  const runBatch = async (batch: Step[]) => {
    const byCase = new Map<string, Step[]>();
    for (const s of batch) {
      const key = s.kind === 'act' ? s.caseId : String(s.input.caseId ?? s.id);
      byCase.set(key, [...(byCase.get(key) ?? []), s]);
    }
    const chains = [...byCase.values()];
    let next = 0;
    const worker = async () => {
      while (next < chains.length) {
        const chain = chains[next++]!;
        for (const s of chain) await runStep(s);
      }
    };
    await Promise.all(Array.from({ length: Math.min(opts.concurrency ?? 8, chains.length) }, worker));
  };

  const runStarted = performance.now();
  let advanceMs = 0;
  let stepsMs = 0;
  for (;;) {
    const next = queue.peek();
    let target: Instant = next && next.at < endAt ? next.at : endAt;
    // Stop at each case-opening job, so the cases it opens are planned from their own instant.
    const job = jobsBetween(clock.now().toISOString(), target).find((j) => j.kind !== 'daily_digest');
    if (job && job.at < target) target = job.at;
    const tA = performance.now();
    await runtime.advanceTo(target);
    advanceMs += performance.now() - tA;
    absorb();
    const head = queue.peek();
    if (!head || head.at >= endAt) {
      if (clock.now().toISOString() >= endAt) break;
      continue;
    }
    const now = clock.now().toISOString();
    if (head.at > now) continue; // a timer or job just planned an earlier step: advance to it first
    const batch: Step[] = [];
    while (queue.peek() && queue.peek()!.at <= now) batch.push(queue.pop()!);
    const tB = performance.now();
    await runBatch(batch);
    stepsMs += performance.now() - tB;
    absorb();
    stepsDone += batch.length;
    if (performance.now() - lastProgress > 500) {
      lastProgress = performance.now();
      progress('running', stepsDone);
    }
  }
  while (queue.size > 0) {
    queue.pop();
    stats.pendingAtEnd++;
  }
  progress('running', stepsDone);
  const runSeconds = (performance.now() - runStarted) / 1000;

  return {
    world,
    tableName,
    exogenous: summary,
    steps: stats,
    transitions: structuredClone(runtime.transitions),
    commands: { ...runtime.commands },
    functions,
    observer,
    notifier,
    sweeps: runtime.transitions.sweeper?.executions ?? 0,
    wall: { seedSeconds, runSeconds, advanceSeconds: advanceMs / 1000, stepsSeconds: stepsMs / 1000 },
    client,
    runtime,
  };
}

export { HARNESS };
