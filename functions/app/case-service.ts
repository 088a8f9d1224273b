// The application service: load, decide (pure domain), persist as one conditional transaction.
// Every entry point is idempotent: a repeated command or a retried step changes nothing twice.
import { createHash, randomUUID } from 'node:crypto';
import type { Actor, Case } from '../domain/case';
import { allowedActions, decide, openCase, type Decision, type Effect, type MachineContext, type OpenCaseInput, type Rejection, type SubjectRef } from '../domain/case-machines';
import type { Clock } from '../domain/clock';
import { checkNotDueUntil } from '../domain/due-for-check';
import { deliveryOf } from '../domain/reminders';
import { businessDateOf } from '../domain/time';
import { sendingStreetOf } from '../domain/visibility';
import type { Staff, Subject } from '../domain/people';
import type { CaseStore, CaseWrite, Commit, StoredCase } from '../store/case-store';
import { StaleCaseError } from '../store/case-store';
import { idempotencyItem, subjectItem, type FeedbackItem, type Item, type OutboxItem } from '../store/keys';
import { canonical } from './canonical-json';
import type { RegisterStore } from '../store/register-store';
import type { DistrictContext } from './district-context';
import { CaseRejected } from './case-rejected';

export { CaseRejected };

/** How many command ids a case remembers: a retry arrives long before 20 other commands. */
const RECENT_COMMANDS = 20;
const MAX_ATTEMPTS = 6;

export interface CaseServiceDeps {
  cases: CaseStore;
  register: RegisterStore;
  district: DistrictContext;
  clock: Clock;
  /** Adds what a decision causes beyond the district (messages, the sub-cases they open) to the same commit. */
  extension?: CommitExtension;
}

/** What a decision adds to its commit beyond the case machines' effects (functions/app/exchange-planner.ts). */
export interface CommitExtension {
  extend(decision: Decision, before: Case | undefined, ctx: MachineContext): Promise<{ open?: Decision[]; puts?: Item[]; replacesFeedbackOf?: string } | undefined>;
}

export interface ActResult {
  case: Case;
  /** False when this command id had already been applied: nothing was written this time. */
  applied: boolean;
}

export interface OpenResult {
  case: Case;
  created: boolean;
  /** The case an earlier request with the same idempotency key opened (or found). */
  replayed?: boolean;
}

/** An API request's idempotency key, hashed per district and caller, with its body's hash (CaseService.idempotency). */
export interface Idempotency {
  keyHash: string;
  requestHash: string;
  staffId: string;
}

export type TimerOutcome = 'fired' | 'stale' | 'rejected';

const sha = (s: string) => createHash('sha256').update(s).digest('base64url');
const hashId = (s: string) => sha(s).slice(0, 22);

export class CaseService {
  private readonly staffCache = new Map<string, { at: number; staff: Staff[] }>();

  constructor(private readonly deps: CaseServiceDeps) {}

  private ctx(actor: Actor, actorOrgUnitId?: string): MachineContext {
    const { territory, rules, deadline, holiday } = this.deps.district;
    return { now: this.deps.clock.now().toISOString(), actor, ...(actorOrgUnitId ? { actorOrgUnitId } : {}), territory, rules, deadline, holiday };
  }

  /**
   * Marks a subject not due a check until `date` (null clears it): a date after today, at most two years ahead. One
   * conditional write of her record; the subject after the change.
   */
  async setNotDueUntil(subjectId: string, date: string | null): Promise<Subject> {
    const today = businessDateOf(this.deps.clock.now());
    const check = checkNotDueUntil(date, today);
    if (!check.ok) throw new CaseRejected('invalid', check.reason);
    const s = await this.deps.register.getSubject(subjectId);
    if (!s || (s as Subject & { leftOn?: string }).leftOn) throw new CaseRejected('not_found', `no subject "${subjectId}" in district ${this.deps.district.territory.districtId}`);
    const { notDueUntil: _old, ...rest } = s;
    const after: Subject = check.value ? { ...rest, notDueUntil: check.value } : rest;
    if (!(await this.deps.register.putSubjectIfUnchanged(s, after, this.deps.district.territory))) throw new CaseRejected('not_allowed', `the record of subject ${subjectId} changed meanwhile; try again`);
    return after;
  }

  /** The routing view of a subject from the register: no personal data. */
  async subjectRef(subjectId: string): Promise<SubjectRef> {
    const s = await this.deps.register.getSubject(subjectId);
    if (!s) throw new CaseRejected('not_found', `no subject "${subjectId}" in district ${this.deps.district.territory.districtId}`);
    return subjectRefOf(s);
  }

  /**
   * The idempotency of a staff request: its key hashed with the district and the caller (keys are per caller), and
   * the request body's hash (the same key with another body is refused). Pure: the caller derives ids from it.
   */
  idempotency(staffId: string, key: string, body: unknown): Idempotency {
    return {
      keyHash: sha(`${this.deps.district.territory.districtId}|${staffId}|${key}`).slice(0, 32),
      requestHash: sha(canonical(body)),
      staffId,
    };
  }

  /**
   * The command id of a staff request: with an idempotency key, `api:<key hash>:<body hash>` (the same key and body
   * are one command; `keyPart` finds the key sent with another body), else a fresh id.
   */
  staffCommandId(staffId: string, key: string | undefined, body: unknown): { commandId: string; keyPart?: string } {
    if (!key) return { commandId: `api:${randomUUID()}` };
    const keyPart = `api:${sha(`${staffId}|${key}`).slice(0, 22)}:`;
    return { commandId: `${keyPart}${sha(canonical(body)).slice(0, 16)}`, keyPart };
  }

  /**
   * Opens a case. Its id is deterministic, so opening it again returns the existing case. With `idempotency`, the
   * request's record is written in the case's own transaction: the same key and body again replay the case it
   * opened (`replayed`; `input` is then not even built), another body is refused (`key_reused`). `alsoPut`: other
   * new items written in the same transaction, each only if absent (a department event's record); if one exists
   * already, nothing is written and StaleCaseError is thrown (unless the case exists: then it is returned).
   */
  async open(input: OpenCaseInput | (() => OpenCaseInput), actor: Actor, opts: { idempotency?: Idempotency; alsoPut?: Item[] } = {}): Promise<OpenResult> {
    const idem = opts.idempotency;
    if (idem) {
      const replay = await this.replay(idem);
      if (replay) return replay;
    }
    const ctx = this.ctx(actor);
    const decision = openCase(typeof input === 'function' ? input() : input, ctx);
    if (!decision.ok) throw new CaseRejected(decision.code, decision.reason);
    const record = idem ? idempotencyItem({ ...idem, caseId: decision.case.caseId, createdAt: ctx.now }) : undefined;
    // Written optimistically: the case is put only if absent, so an existing one cancels the transaction and is read
    // then. Opening is mostly of new cases; a read before every write would cost each of them a request.
    try {
      const commit = await this.commitFor(decision, undefined, ctx);
      commit.puts = [...(commit.puts ?? []), ...(record ? [record] : []), ...(opts.alsoPut ?? [])];
      await this.deps.cases.commit(commit);
      return { case: decision.case, created: true };
    } catch (err) {
      if (!(err instanceof StaleCaseError)) throw err;
      // The same key won a race with this request, or the case existed (a health check of the period).
      const replay = idem ? await this.replay(idem) : undefined;
      if (replay) return replay;
      const existing = await this.deps.cases.get(decision.case.caseId, true);
      if (!existing) throw err;
      // The key now names the existing case, unless a concurrent request took the key.
      if (record && !(await this.deps.cases.putIdempotency(record))) return (await this.replay(idem!)) ?? { case: existing, created: false };
      return { case: existing, created: false };
    }
  }

  /** The case an idempotency key opened before, if it did; a key sent with another body is refused. */
  private async replay(idem: Idempotency): Promise<OpenResult | undefined> {
    const rec = await this.deps.cases.getIdempotency(idem.keyHash);
    if (!rec) return undefined;
    if (rec.requestHash !== idem.requestHash) throw new CaseRejected('key_reused', 'this Idempotency-Key was used before with another request body');
    const c = await this.deps.cases.get(rec.caseId, true);
    if (!c) throw new Error(`idempotency record names case ${rec.caseId}, which does not exist`);
    return { case: c, created: false, replayed: true };
  }

  /**
   * Opens many cases at once (a page of a scheduled job): the existing ones found in one batch read, the new ones
   * written as few transactions as fit in (at most 100 writes each), every case still conditional on being absent.
   * A transaction cancelled because one of its cases was opened meanwhile is redone one case at a time, so each
   * result is exact. One result per input, in order: the case, or why it was not opened.
   */
  async openMany(inputs: readonly OpenCaseInput[], actor: Actor): Promise<Array<OpenResult | Error>> {
    const ctx = this.ctx(actor);
    const decisions = inputs.map((input) => openCase(input, ctx));
    const existing = await this.deps.cases.getMany(decisions.flatMap((d) => (d.ok ? [d.case.caseId] : [])));
    const results: Array<OpenResult | Error> = new Array(inputs.length);
    let batch: { index: number; commit: Commit }[] = [];
    let writes = 0;
    const flush = async () => {
      if (batch.length === 0) return;
      const group = batch;
      batch = [];
      writes = 0;
      const merged: Commit = { cases: [], subjects: [], feedback: [], puts: [] };
      for (const { commit } of group) {
        merged.cases.push(...commit.cases);
        merged.subjects!.push(...(commit.subjects ?? []));
        merged.feedback!.push(...(commit.feedback ?? []));
        merged.puts!.push(...(commit.puts ?? []));
      }
      try {
        await this.deps.cases.commit(merged);
        for (const { index, commit } of group) results[index] = { case: commit.cases[0]!.case, created: true };
      } catch (err) {
        // A transient failure (throttle, conflict) is each case's result: the caller retries, and a retry opens only what is missing.
        if (!(err instanceof StaleCaseError)) for (const { index } of group) results[index] = err as Error;
        else for (const { index } of group) results[index] = await this.open(inputs[index]!, actor).catch((e: Error) => e);
      }
    };
    for (const [index, decision] of decisions.entries()) {
      if (!decision.ok) {
        results[index] = new CaseRejected(decision.code, decision.reason);
        continue;
      }
      const found = existing.get(decision.case.caseId);
      if (found) {
        results[index] = { case: found, created: false };
        continue;
      }
      // Two inputs for one case: the second finds the first's.
      if (batch.some((b) => b.commit.cases[0]!.case.caseId === decision.case.caseId)) {
        await flush();
        results[index] = await this.open(inputs[index]!, actor).catch((e: Error) => e);
        continue;
      }
      const commit = await this.commitFor(decision, undefined, ctx);
      const size = this.deps.cases.writesOf(commit);
      if (writes + size > 100) await flush();
      batch.push({ index, commit });
      writes += size;
    }
    await flush();
    return results;
  }

  /**
   * Applies a staff or system command to a case. `commandId` identifies the request (the API's
   * idempotency key, the workflow step); the same id is applied at most once.
   */
  async act(caseId: string, command: unknown, actor: Actor, commandId: string, actorOrgUnitId?: string, opts: { visible?: (c: Case) => boolean; keyPart?: string } = {}): Promise<ActResult> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.deps.cases.get(caseId, true);
      // A case the caller may not see answers as one that does not exist.
      if (!current || (opts.visible && !opts.visible(current))) throw new CaseRejected('not_found', `no case "${caseId}"`);
      if (current.recentCommands?.includes(commandId)) return { case: current, applied: false };
      // A keyed command id is `<key part><body hash>`: the same key with another body is refused, not applied.
      const keyPart = opts.keyPart;
      if (keyPart && current.recentCommands?.some((id) => id.startsWith(keyPart)))
        throw new CaseRejected('key_reused', 'this Idempotency-Key was used before with another request body');
      const ctx = this.ctx(actor, actorOrgUnitId);
      const decision = decide(current, command, ctx);
      if (!decision.ok) {
        // The state allows the action but the domain refused it: the refusal is about who acts.
        const action = (command as { action?: unknown } | null)?.action;
        const byState = actor.kind === 'staff' && decision.code === 'not_allowed' && allowedActions(current).includes(action as never);
        throw new CaseRejected(byState ? 'forbidden' : decision.code, decision.reason);
      }
      try {
        await this.deps.cases.commit(await this.commitFor(decision, current, ctx, commandId));
        return { case: decision.case, applied: true };
      } catch (err) {
        // Someone else changed the case in between: read again and decide again.
        if (!(err instanceof StaleCaseError) || attempt >= MAX_ATTEMPTS) throw err;
      }
    }
  }

  /**
   * Fires a due timer: delivers its command to the case and removes the timer in the same version-conditional write
   * of the case item that holds it (the claim). A timer that is gone or was re-set is stale; a command the case no
   * longer accepts removes the timer and nothing else.
   */
  async fireTimer(ref: { caseId: string; timerId: string; at: string }): Promise<TimerOutcome> {
    for (let attempt = 1; ; attempt++) {
      const current = await this.deps.cases.get(ref.caseId, true);
      const timer = current?.timers?.find((t) => t.timerId === ref.timerId);
      if (!current || !timer || timer.at !== ref.at) return 'stale';
      const commandId = `timer:${timer.timerId}@${timer.at}`;
      if (current.recentCommands?.includes(commandId)) return 'stale';
      const ctx = this.ctx({ kind: 'system', process: 'sweeper' });
      const decision = decide(current, timer.command, ctx);
      try {
        if (!decision.ok) {
          if (await this.deps.cases.dropTimer(current, timer.timerId)) return 'rejected';
          throw new StaleCaseError(ref.caseId, ['ConditionalCheckFailed']);
        }
        await this.deps.cases.commit(await this.commitFor(decision, current, ctx, commandId, 0, timer.timerId));
        return 'fired';
      } catch (err) {
        if (!(err instanceof StaleCaseError) || attempt >= MAX_ATTEMPTS) throw err;
      }
    }
  }

  /** The context decisions are made in now, for a decision built outside the case machines (the exchange). */
  context(actor: Actor, actorOrgUnitId?: string): MachineContext {
    return this.ctx(actor, actorOrgUnitId);
  }

  /**
   * Commits a decision built outside decide() (the exchange's decisions on cases) with its effects and `puts` (new
   * items, each only if absent) in one transaction. `before` is the case it was decided on (absent: a new case).
   */
  async commitDecision(decision: Decision, before: StoredCase | undefined, opts: { commandId?: string; puts?: Item[] } = {}): Promise<void> {
    const commit = await this.commitFor(decision, before, this.ctx(decision.history.actor), opts.commandId);
    if (opts.puts?.length) commit.puts = [...(commit.puts ?? []), ...opts.puts];
    await this.deps.cases.commit(commit);
  }

  /** Turns a decision and its effects into one commit; `fired`: the timer whose firing this is (removed by it). */
  private async commitFor(decision: Decision, before: StoredCase | undefined, ctx: MachineContext, commandId?: string, depth = 0, fired?: string): Promise<Commit> {
    const { timers: _timers, ...next }: StoredCase = { ...decision.case };
    const sending = sendingStreetOf(next, this.deps.district.territory);
    if (sending) next.sendingStreetId = sending;
    else delete next.sendingStreetId;
    if (commandId) next.recentCommands = [...(before?.recentCommands ?? []), commandId].slice(-RECENT_COMMANDS);
    const write: CaseWrite = {
      case: next,
      entry: decision.history,
      ...(before ? { expectedVersion: before.version } : {}),
      timers: (before?.timers ?? []).filter((t) => t.timerId !== fired),
      outbox: [],
    };
    const commit: Commit = { cases: [write], subjects: [], feedback: [] };
    for (const effect of decision.effects) await this.applyEffect(effect, write, commit, ctx, depth);
    const extra = await this.deps.extension?.extend(decision, before, ctx);
    if (extra) {
      for (const d of extra.open ?? []) {
        const sub = await this.commitFor(d, undefined, ctx, undefined, depth + 1);
        commit.cases.push(...sub.cases);
        commit.puts = [...(commit.puts ?? []), ...(sub.puts ?? [])];
      }
      if (extra.puts?.length) commit.puts = [...(commit.puts ?? []), ...extra.puts];
      if (extra.replacesFeedbackOf) commit.feedback = commit.feedback!.filter((f) => f.caseId !== extra.replacesFeedbackOf);
    }
    return commit;
  }

  private async applyEffect(effect: Effect, write: CaseWrite, commit: Commit, ctx: MachineContext, depth: number): Promise<void> {
    switch (effect.kind) {
      case 'set_timer':
        write.timers = [...write.timers!.filter((x) => x.timerId !== effect.timerId), { timerId: effect.timerId, at: effect.at, command: effect.command }];
        return;
      case 'cancel_timer':
        write.timers = write.timers!.filter((x) => x.timerId !== effect.timerId);
        return;
      case 'cancel_all_timers':
        write.timers = [];
        return;
      case 'notify': {
        for (const staff of await this.recipients(effect.recipient.orgUnitId, effect.recipient.role)) {
          const item: OutboxItem = {
            outboxId: hashId(`${effect.notificationId}|${staff.staffId}`),
            staffId: staff.staffId,
            orgUnitId: effect.recipient.orgUnitId,
            role: effect.recipient.role,
            kind: effect.template,
            caseId: effect.caseId,
            template: effect.template,
            params: effect.params,
            sendAfter: ctx.now,
            state: 'pending',
            createdAt: ctx.now,
            // Urgent: the publisher sends it at once (after quiet hours); digest: the next daily digest counts it.
            delivery: deliveryOf(effect.template),
          };
          write.outbox!.push(item);
        }
        return;
      }
      case 'open_case': {
        if (depth > 2) throw new Error(`follow-on cases nest too deep at ${effect.parentCaseId}`);
        const child = openCase(effect.input, ctx);
        if (!child.ok) throw new Error(`follow-on of ${effect.parentCaseId} refused: ${child.reason}`);
        const sub = await this.commitFor(child, undefined, ctx, undefined, depth + 1);
        commit.cases.push(...sub.cases);
        commit.subjects!.push(...(sub.subjects ?? []));
        commit.feedback!.push(...(sub.feedback ?? []));
        if (sub.puts?.length) commit.puts = [...(commit.puts ?? []), ...sub.puts];
        return;
      }
      case 'change_subject': {
        const s = await this.deps.register.getSubject(effect.subjectId);
        if (!s) return; // erased or never registered: the case still closes
        const changed: Subject = { ...s };
        if (effect.set.class) changed.class = effect.set.class;
        if (effect.set.communityId) changed.communityId = effect.set.communityId;
        if (effect.set.unitId === null) delete changed.unitId;
        commit.subjects!.push(this.subjectItem(changed));
        return;
      }
      case 'origin_feedback': {
        const f: FeedbackItem = { caseId: effect.caseId, subjectId: effect.subjectId, outcome: effect.outcome, date: effect.date, state: 'pending', createdAt: ctx.now };
        commit.feedback!.push(f);
        return;
      }
    }
  }

  private subjectItem(s: Subject): Item {
    return subjectItem(s, this.deps.district.territory);
  }

  /** Staff who receive a notice for (org unit, role); a role nobody holds falls back to the unit's staff. */
  private async recipients(orgUnitId: string, role: string): Promise<Staff[]> {
    const cached = this.staffCache.get(orgUnitId);
    const nowMs = this.deps.clock.now().getTime();
    let staff = cached && nowMs - cached.at < 60_000 ? cached.staff : undefined;
    if (!staff) {
      staff = await this.deps.register.listStaff(orgUnitId);
      this.staffCache.set(orgUnitId, { at: nowMs, staff });
    }
    const holders = staff.filter((s) => s.role === role);
    return holders.length > 0 ? holders : staff;
  }
}

export function subjectRefOf(s: Subject): SubjectRef {
  return {
    subjectId: s.subjectId,
    class: s.class,
    communityId: s.communityId,
    ...(s.unitId ? { unitId: s.unitId } : {}),
    ...(s.implantUntil ? { implantUntil: s.implantUntil } : {}),
    ...(s.registeredOn ? { registeredOn: s.registeredOn } : {}),
    ...(s.notDueUntil ? { notDueUntil: s.notDueUntil } : {}),
  };
}
