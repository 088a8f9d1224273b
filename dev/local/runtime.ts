// The whole product in one process: DynamoDB Local (started elsewhere), the stores, the case
// service, and the ASL workflows on aws-local-stepfunctions with each Task bound to its handler.
// Time comes from one clock; advancing it runs whatever falls due, in time order.
// One path per command, as in the cloud: opening a case and acting on one call the case service
// directly (what the API Lambda does); only scheduled work (sweeps, generators) runs as a workflow.
import './runtime-shims';
import type { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { composeDistrict, type DistrictParts } from '../../functions/app/compose';
import type { CaseService } from '../../functions/app/case-service';
import { DailyDigest, type DigestStep } from '../../functions/app/digest';
import { Publisher, type PublishStep } from '../../functions/app/publisher';
import { LocalSink } from '../../functions/adapters/local-sink';
import type { Notifier } from '../../functions/adapters/notifier';
import { districtContext, type DistrictContext } from '../../functions/app/district-context';
import { clearExpiredNotDueMarks } from '../../functions/app/not-due-marks';
import { runRetention } from '../../functions/app/retention';
import { jobsBetween, publisherTick, type Job } from '../../functions/app/schedule';
import { businessDateOf, endOfBusinessDay } from '../../functions/domain/time';
import type { Actor, Case } from '../../functions/domain/case';
import type { OpenCaseInput } from '../../functions/domain/case-machines';
import type { Clock } from '../../functions/domain/clock';
import type { DistrictConfig } from '../../functions/domain/district-config';
import { createWorkflowHandlers, type TaskHandler, type WorkflowHandlers } from '../../functions/handlers/workflow-handlers';
import { seedDistrict } from '../seed/seed-district';
import type { CaseStore } from '../../functions/store/case-store';
import { createDynamoClient, documentClient } from '../../functions/store/client';
import { ensureTable } from '../../functions/store/ensure-table';
import type { OutboxStore } from '../../functions/store/outbox-store';
import type { RegisterStore } from '../../functions/store/register-store';
import type { OutboxItem } from '../../functions/store/keys';
import { tableNameFor } from '../../functions/store/table-design';
import { WorkflowEngine, type WorkflowResult } from './workflow-engine';

/** A clock the runtime can move forward. */
export interface MovableClock extends Clock {
  set(to: Date | string): Date;
}

export interface LocalRuntimeOptions {
  endpoint: string;
  config: DistrictConfig;
  clock: MovableClock;
  tableName?: string;
  /** Pass a client to share its middleware (capacity meters, fault injection). */
  client?: DynamoDBClient;
  /** Short retry intervals (tests). */
  fastRetries?: boolean;
  /**
   * Wraps each Task handler, and each command under the key `api` (the Lambda that runs commands in the cloud):
   * fault injection, request recording and pricing in tests, benchmarks and the simulation.
   */
  wrapHandler?: (functionKey: string, handler: TaskHandler) => TaskHandler;
  /**
   * Where reminders go: default an in-memory LocalSink that prints nothing (`npm start` passes one that appends to
   * .data/outbox.jsonl and prints a line per message; tests pass their own or a fault-injecting wrapper).
   */
  notifier?: Notifier;
  /** Run the publisher and the daily digest as the clock advances (default true; false: reminders stay pending). */
  reminders?: boolean;
  /** The dashboard URL in message links (default SHUDI_DASHBOARD_URL or http://localhost:3000). */
  dashboardUrl?: string;
  /** Told of each day a long clock advance passes (`npm start` prints a line per day). */
  onDay?: (day: DayProgress) => void;
  /** Told after each page a scheduled job opens (a period start opens thousands of checks): the running total. */
  onJobPage?: (page: { job: string; openedSoFar: number }) => void;
  /** Fault injection (tests): a throw from these is a crash of the publisher / the digest at that step. */
  publisherFault?: (step: PublishStep, item: OutboxItem) => void | Promise<void>;
  digestFault?: (step: DigestStep, staffId: string) => void | Promise<void>;
}

export interface Transitions {
  [workflow: string]: { executions: number; transitions: number };
}

/** What a command answers (the case's routing summary). */
export interface CommandSummary {
  caseId: string;
  status: Case['status'];
  state: string;
  queueOrgUnitId: string;
  version: number;
}

/** One business day of a long clock advance, as it ends (`npm start` prints a line per day). */
export interface DayProgress {
  date: string;
  sweeps: number;
  casesOpenedByJobs: number;
  ms: number;
}

/** The function key commands run under: in the cloud, the API Lambda runs them. */
export const COMMAND_FUNCTION = 'api';

const summary = (c: Case): CommandSummary => ({ caseId: c.caseId, status: c.status, state: c.state, queueOrgUnitId: c.queueOrgUnitId, version: c.version });

export class WorkflowFailed extends Error {
  override readonly name = 'WorkflowFailed';
  constructor(
    readonly workflow: string,
    readonly error: string | undefined,
    readonly causeText: string | undefined,
  ) {
    super(`${workflow} failed: ${error ?? 'unknown'}${causeText ? `: ${causeText}` : ''}`);
  }
}

export class LocalRuntime {
  readonly client: DynamoDBClient;
  /** The district as composeDistrict builds it everywhere (the API is `createApi({ ...rt.parts, logger })`). */
  readonly parts: DistrictParts;
  readonly cases: CaseStore;
  readonly register: RegisterStore;
  readonly district: DistrictContext;
  /** The whole district config, staff roster included (seeding; the deployed functions carry it without staff). */
  readonly config: DistrictConfig;
  readonly service: CaseService;
  readonly handlers: WorkflowHandlers;
  readonly engine: WorkflowEngine;
  readonly clock: MovableClock;
  readonly tableName: string;
  readonly transitions: Transitions = {};
  /** Commands run (each one case-service call, as the API makes it). */
  readonly commands = { open: 0, act: 0 };
  /** Cases the generator jobs opened (health checks, obligations), for progress lines. */
  casesOpenedByJobs = 0;
  private readonly runCommand: TaskHandler;
  /** Timers a sweep failed to fire (left due for the next sweep), as `timerId@at`. */
  readonly stuckTimers = new Set<string>();
  /** Jobs up to this instant have run. */
  private jobsDoneUntil: string;
  readonly outbox: OutboxStore;
  readonly notifier: Notifier;
  readonly publisher: Publisher;
  readonly digest: DailyDigest;
  readonly reminders: boolean;
  private readonly onDay: ((day: DayProgress) => void) | undefined;
  /** Publisher and digest runs that crashed (each retried: the publisher at its next tick, the digest at once). */
  readonly reminderCrashes = { publisher: 0, digest: 0 };
  /** After a publisher crash, the next run is one tick later (as EventBridge Scheduler would run it). */
  private publisherBlockedUntil = '';

  private constructor(opts: LocalRuntimeOptions) {
    this.clock = opts.clock;
    this.client = opts.client ?? createDynamoClient({ endpoint: opts.endpoint });
    this.tableName = opts.tableName ?? tableNameFor(opts.config.id);
    this.config = opts.config;
    this.parts = composeDistrict({ doc: documentClient(this.client), tableName: this.tableName, district: districtContext(opts.config), clock: this.clock });
    ({ cases: this.cases, register: this.register, district: this.district, service: this.service, outbox: this.outbox } = this.parts);
    this.handlers = createWorkflowHandlers({ service: this.service, cases: this.cases, register: this.register, district: this.district, clock: this.clock });
    const bound: Record<string, TaskHandler> = { ...this.handlers };
    for (const key of ['generateHealthChecksPage', 'openObligations'] as const) {
      const handler = this.handlers[key];
      bound[key] = async (event) => {
        const out = (await handler(event)) as { opened?: number };
        this.casesOpenedByJobs += out.opened ?? 0;
        opts.onJobPage?.({ job: key, openedSoFar: this.casesOpenedByJobs });
        return out;
      };
    }
    if (opts.wrapHandler) for (const [key, fn] of Object.entries(bound)) bound[key] = opts.wrapHandler(key, fn);
    this.engine = new WorkflowEngine({ handlers: bound, fastRetries: opts.fastRetries ?? false });
    const direct: TaskHandler = async (event) => (event as { run: () => Promise<unknown> }).run();
    this.runCommand = opts.wrapHandler ? opts.wrapHandler(COMMAND_FUNCTION, direct) : direct;
    this.jobsDoneUntil = this.clock.now().toISOString();
    this.notifier = opts.notifier ?? new LocalSink();
    this.reminders = opts.reminders ?? true;
    this.onDay = opts.onDay;
    this.publisher = new Publisher({
      outbox: this.outbox,
      cases: this.cases,
      register: this.register,
      notifier: this.notifier,
      clock: this.clock,
      ...(opts.dashboardUrl ? { dashboardUrl: opts.dashboardUrl } : {}),
      ...(opts.publisherFault ? { fault: opts.publisherFault } : {}),
    });
    this.digest = new DailyDigest({
      outbox: this.outbox,
      cases: this.cases,
      register: this.register,
      district: this.district,
      clock: this.clock,
      ...(opts.digestFault ? { fault: opts.digestFault } : {}),
    });
  }

  static async create(opts: LocalRuntimeOptions): Promise<LocalRuntime> {
    const rt = new LocalRuntime(opts);
    await ensureTable(rt.client, rt.tableName);
    const done = await rt.register.getLocalMarker('jobsDoneUntil');
    if (done && done < rt.jobsDoneUntil) rt.jobsDoneUntil = done;
    return rt;
  }

  async seed(onProgress?: (done: number, total: number) => void) {
    return seedDistrict(this.config, this.register, { clock: this.clock, ...(onProgress ? { onProgress } : {}) });
  }

  /** Runs a workflow to its end; a failed execution throws WorkflowFailed. */
  async run(workflow: string, input: unknown): Promise<unknown> {
    const result: WorkflowResult = await this.engine.run(workflow, input);
    const t = (this.transitions[workflow] ??= { executions: 0, transitions: 0 });
    t.executions++;
    t.transitions += result.transitions;
    if (result.status !== 'SUCCEEDED') throw new WorkflowFailed(workflow, result.error, result.cause);
    return result.output;
  }

  /**
   * Opens a case through the case service, as the API does (no workflow). `subjectId` stands for the subject's
   * routing facts, read from the register as the API reads them. A refusal throws CaseRejected.
   */
  async openCase(input: Record<string, unknown>, actor: Actor = { kind: 'system', process: 'local' }): Promise<CommandSummary & { created: boolean }> {
    this.commands.open++;
    return (await this.runCommand({
      run: async () => {
        const r = await this.service.open(await this.withSubject(input), actor);
        return { ...summary(r.case), created: r.created };
      },
    })) as CommandSummary & { created: boolean };
  }

  /** Applies a command to a case through the case service, as the API does; idempotent on `commandId`. */
  async act(caseId: string, command: Record<string, unknown>, actor: Actor, commandId: string, actorOrgUnitId?: string): Promise<CommandSummary & { applied: boolean }> {
    this.commands.act++;
    return (await this.runCommand({
      run: async () => {
        const r = await this.service.act(caseId, command, actor, commandId, actorOrgUnitId);
        return { ...summary(r.case), applied: r.applied };
      },
    })) as CommandSummary & { applied: boolean };
  }

  private async withSubject(input: Record<string, unknown>): Promise<OpenCaseInput> {
    if (typeof input.subjectId === 'string' && input.subject === undefined) {
      const { subjectId, ...rest } = input;
      return { ...rest, subject: await this.service.subjectRef(subjectId) } as OpenCaseInput;
    }
    return input as OpenCaseInput;
  }

  sweep() {
    return this.run('sweeper', {});
  }

  async runJob(job: Job): Promise<void> {
    switch (job.kind) {
      case 'health_checks':
        await this.run('health-checks', { periodOf: job.periodOf });
        return;
      case 'change_report':
      case 'unit_notice':
        await this.run('recurring-obligations', { kind: job.kind, period: job.period });
        return;
      case 'daily_digest':
        if (this.reminders) await this.runDigest(job.date);
        return;
      case 'retention':
        await runRetention({ register: this.register, cases: this.cases, config: this.district.config, clock: this.clock }, { date: job.date });
        await clearExpiredNotDueMarks({ register: this.register, audit: this.parts.audit, clock: this.clock }, { date: job.date });
        return;
    }
  }

  /**
   * The daily digest; a crashed run is retried at once (it is idempotent per staff member and day, and each retry
   * gets further), up to 100 times (EventBridge Scheduler retries a failed target up to 185 times by default).
   */
  async runDigest(date: string): Promise<void> {
    for (let attempt = 1; ; attempt++) {
      try {
        await this.digest.run(date);
        return;
      } catch (err) {
        this.reminderCrashes.digest++;
        if (attempt >= 100) throw err;
      }
    }
  }

  /** One publisher run at the current instant; a crash is retried one tick later. */
  async publish(): Promise<void> {
    const now = this.clock.now().toISOString();
    try {
      const report = await this.publisher.publishDue(now);
      // Nothing could be done although something is due: do not spin on it, wait a tick.
      if (report.due === 0) this.publisherBlockedUntil = new Date(Date.parse(now) + publisherTick.everyMs).toISOString();
    } catch {
      this.reminderCrashes.publisher++;
      this.publisherBlockedUntil = new Date(Date.parse(now) + publisherTick.everyMs).toISOString();
    }
  }

  /**
   * Moves the clock to `target`, stopping at every due timer and scheduled job on the way, in
   * time order, so that a month passes as it would have: each escalation at its own instant.
   */
  async advanceTo(target: Date | string, opts: { jobs?: boolean; onDay?: (day: DayProgress) => void } = {}): Promise<void> {
    const to = new Date(target).toISOString();
    const onDay = opts.onDay ?? this.onDay;
    // An advance past the end of today goes a day at a time, each reported as it ends: a long one says what it does.
    if (onDay && to > endOfBusinessDay(businessDateOf(this.clock.now()))) {
      const rest = { ...(opts.jobs === undefined ? {} : { jobs: opts.jobs }) };
      for (;;) {
        const from = this.clock.now();
        const dayEnd = new Date(Math.min(Date.parse(to), Date.parse(endOfBusinessDay(businessDateOf(from))) + 1)).toISOString();
        const before = { ...this.commands, sweeps: this.transitions.sweeper?.executions ?? 0, opened: this.casesOpenedByJobs };
        const t0 = performance.now();
        await this.runUntil(dayEnd, rest);
        onDay({
          date: businessDateOf(from),
          sweeps: (this.transitions.sweeper?.executions ?? 0) - before.sweeps,
          casesOpenedByJobs: this.casesOpenedByJobs - before.opened,
          ms: performance.now() - t0,
        });
        if (dayEnd >= to) return;
      }
    }
    await this.runUntil(to, opts);
  }

  private async runUntil(to: string, opts: { jobs?: boolean }): Promise<void> {
    for (let guard = 0; guard < 100_000; guard++) {
      const now = this.clock.now().toISOString();
      const nextJob = opts.jobs === false ? undefined : jobsBetween(this.jobsDoneUntil, to)[0];
      const nextTimer = (await this.cases.dueTimers(to, this.stuckTimers.size + 1)).find((t) => !this.stuckTimers.has(`${t.timerId}@${t.at}`));
      let nextSend = this.reminders ? await this.outbox.nextDueAt(to) : undefined;
      if (nextSend && nextSend < this.publisherBlockedUntil) nextSend = this.publisherBlockedUntil <= to ? this.publisherBlockedUntil : undefined;
      const candidates = [nextJob?.at, nextTimer?.at, nextSend].filter((x): x is string => !!x);
      if (candidates.length === 0) break;
      const at = candidates.sort()[0]!;
      if (at > now) this.clock.set(at);
      if (nextJob && nextJob.at === at) {
        await this.runJob(nextJob);
        this.jobsDoneUntil = at;
        // Remembered in the table, so a runtime killed mid-way re-runs (idempotently) what it had not finished.
        await this.register.putLocalMarker('jobsDoneUntil', at);
      }
      if (nextTimer && nextTimer.at <= this.clock.now().toISOString()) {
        await this.sweep();
        // A timer the sweep could not fire stays due (the next sweep retries it); do not spin on it here.
        const still = (await this.cases.timersOf(nextTimer.caseId)).find((t) => t.timerId === nextTimer.timerId);
        if (still && still.at === nextTimer.at) this.stuckTimers.add(`${nextTimer.timerId}@${nextTimer.at}`);
      }
      if (nextSend && nextSend <= this.clock.now().toISOString()) await this.publish();
    }
    if (to > this.clock.now().toISOString()) this.clock.set(to);
    if (opts.jobs === false) return;
    this.jobsDoneUntil = to > this.jobsDoneUntil ? to : this.jobsDoneUntil;
  }

  async advance(ms: number, opts: { jobs?: boolean } = {}): Promise<void> {
    await this.advanceTo(new Date(this.clock.now().getTime() + ms), opts);
  }

  async advanceDays(days: number, opts: { jobs?: boolean } = {}): Promise<void> {
    await this.advance(days * 86_400_000, opts);
  }
}
