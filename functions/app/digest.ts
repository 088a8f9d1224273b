// The daily digest (08:30 Asia/Shanghai): by default each staff member's one message of the day.
//
// For every staff member whose channel is not "none":
//   - counts from her scope, as the cases stand now: open cases due today, due within 3 days, overdue;
//       community officer, unit liaison → cases owned by her community or unit;
//       street officer                 → cases in the street's queue;
//       street manager                 → cases under the street (and handovers that left it for another street);
//       district manager               → cases under the district;
//   - her pending digest items (reminders and notices written since the last digest): those about a case that is no
//     longer open are dropped (marked skipped; receipts and other reports of a done case are kept); the rest are
//     "new handovers" (a handover arrived in her queue) or "other notices";
//   - nothing to report → no message. Otherwise one digest outbox item, id and dedupe key derived from (staff, date),
//     written only if absent, holding the counts and the case lines its e-mail lists; then the included items are
//     marked digested. The publisher delivers the digest like an urgent item, after her quiet hours if 08:30 falls
//     in them. A rerun (a retry after a crash) finds the digest item and only finishes marking its items.
import { createHash } from 'node:crypto';
import type { Case } from '../domain/case';
import type { Clock } from '../domain/clock';
import { NEW_HANDOVER_TEMPLATES, DIGEST_TEMPLATE, DUE_SOON_DAYS, dueBucket, isEmptyDigest, stillRelevant, type DigestCounts } from '../domain/reminders';
import type { Staff } from '../domain/people';
import { DIGEST_EMAIL_LINES } from '../domain/message-templates';
import { addCalendarDays, businessDateOf, endOfBusinessDay, type BusinessDate, type Instant } from '../domain/time';
import type { CaseStore, OpenCasesByScope } from '../store/case-store';
import type { OutboxItem } from '../store/keys';
import { expiresAtFor, type OutboxStore } from '../store/outbox-store';
import type { RegisterStore } from '../store/register-store';
import type { DistrictContext } from './district-context';
import { pool } from './pool';

export type DigestStep = 'after_write' | 'after_mark';

export interface DigestDeps {
  outbox: OutboxStore;
  cases: CaseStore;
  register: RegisterStore;
  district: DistrictContext;
  clock: Clock;
  /** Fault injection (tests): a throw is a crash at that step for that staff member. */
  fault?: (step: DigestStep, staffId: string) => void | Promise<void>;
}

export interface DigestReport {
  date: BusinessDate;
  staff: number;
  /** Digest items written now, found from an earlier run, and staff with nothing to report / no channel. */
  written: number;
  existing: number;
  empty: number;
  noChannel: number;
  /** Staff whose digest waits for the next working day (digestDays: working, on a rest day). */
  restDay: number;
  itemsDigested: number;
  itemsSkipped: number;
  /** Open cases in the district counted at this run (the bench's per-open-case figures). */
  openCases?: number;
}

type Lines = NonNullable<OutboxItem['lines']>;
interface ScopeView {
  counts: Pick<DigestCounts, 'dueToday' | 'dueSoon' | 'overdue'>;
  lines: Pick<Lines, 'overdue' | 'today' | 'soon'>;
}

const digestId = (staffId: string, date: BusinessDate) => `digest-${createHash('sha256').update(`digest:${staffId}:${date}`).digest('base64url').slice(0, 22)}`;
const PAGE = 500;
/** Staff members handled at once. */
const CONCURRENCY = 8;

export class DailyDigest {
  constructor(private readonly deps: DigestDeps) {}

  /** All staff of the district, from the register (preferences as they are now), in id order. */
  async allStaff(): Promise<Staff[]> {
    return (await this.deps.register.listAllStaff()).sort((a, b) => a.staffId.localeCompare(b.staffId));
  }

  /** Every staff member's digest of `date`, CONCURRENCY staff members at a time; a crash ends the run (rerun it). */
  async run(date: BusinessDate = businessDateOf(this.deps.clock.now())): Promise<DigestReport> {
    const now = this.deps.clock.now().toISOString();
    const report: DigestReport = { date, staff: 0, written: 0, existing: 0, empty: 0, noChannel: 0, restDay: 0, itemsDigested: 0, itemsSkipped: 0 };
    // Two reads for the whole district (the staff; the open cases due within the window, filed by scope) and one per
    // staff member (her pending items), not a query per scope and per org unit.
    const [staffList, open] = await Promise.all([this.allStaff(), this.deps.cases.openDueBeforeByScope(`${endOfBusinessDay(addCalendarDays(date, DUE_SOON_DAYS))}~`)]);
    const scopes = new Map<string, ScopeView>();
    await pool(staffList, CONCURRENCY, async (staff) => {
      report.staff++;
      await this.forStaff(staff, date, now, open, scopes, report);
    });
    return report;
  }

  private async forStaff(
    staff: Staff,
    date: BusinessDate,
    now: Instant,
    open: OpenCasesByScope,
    scopes: Map<string, ScopeView>,
    report: DigestReport,
  ): Promise<void> {
    const { outbox, fault } = this.deps;
    const id = digestId(staff.staffId, date);
    const pending = (await outbox.listForStaff(staff.staffId, 'pending')).filter((o) => o.delivery === 'digest' && o.createdAt <= now);
    const statuses = await outbox.caseStatuses(pending.flatMap((o) => (o.caseId ? [o.caseId] : [])));
    const included: OutboxItem[] = [];
    const dropped: OutboxItem[] = [];
    for (const o of pending) (stillRelevant(o.template, o.caseId ? statuses.get(o.caseId) : 'open') ? included : dropped).push(o);
    // On a rest day only those who asked for every day get one; the rest keep their items for the next working day.
    if (staff.channel !== 'none' && (staff.digestDays ?? 'working') === 'working' && !this.deps.district.calendar.isWorkingDay(date)) {
      report.restDay++;
      return;
    }
    if (staff.channel === 'none') {
      // She receives nothing: the items are closed as skipped so they do not pile up.
      report.noChannel++;
      await this.close(pending, 'skipped', 'channel_none', undefined, now, report);
      return;
    }
    await this.close(dropped, 'skipped', 'case_closed', undefined, now, report);

    const key = `${staff.role}:${staff.orgUnitId}`;
    let view = scopes.get(key);
    if (!view) scopes.set(key, (view = this.scopeView(this.scopeCases(staff, open), date, now)));
    const handoverItems = included.filter((o) => NEW_HANDOVER_TEMPLATES.includes(o.template));
    const handoverCases = new Map<string, string>();
    for (const o of handoverItems) if (o.caseId) handoverCases.set(o.caseId, typeof o.params.dueDate === 'string' ? o.params.dueDate : '');
    const counts: DigestCounts = {
      ...view.counts,
      newHandovers: handoverCases.size,
      updates: included.length - handoverItems.length,
    };
    if (isEmptyDigest(counts)) {
      report.empty++;
      return;
    }
    const lines: Lines = {
      ...view.lines,
      newHandovers: [...handoverCases]
        .filter(([, due]) => /^\d{4}-\d{2}-\d{2}$/.test(due))
        .slice(0, DIGEST_EMAIL_LINES)
        .map(([caseId, dueDate]) => ({ caseId, dueDate, caseType: 'handover' })),
    };
    const digest: OutboxItem = {
      outboxId: id,
      staffId: staff.staffId,
      orgUnitId: staff.orgUnitId,
      role: staff.role,
      kind: DIGEST_TEMPLATE,
      template: DIGEST_TEMPLATE,
      params: { date, ...counts },
      sendAfter: now,
      state: 'pending',
      createdAt: now,
      delivery: 'summary',
      includes: included.map((o) => o.outboxId),
      lines,
    };
    if (await outbox.putNew(digest)) report.written++;
    else {
      // An earlier run (crashed after writing it) or a concurrent one wrote today's digest: finish what it included.
      report.existing++;
      const other = await outbox.get(id);
      await this.markIncluded(other?.includes ?? [], id, now, report);
      await fault?.('after_mark', staff.staffId);
      return;
    }
    await fault?.('after_write', staff.staffId);
    await this.close(included, 'digested', 'digested', id, now, report);
    await fault?.('after_mark', staff.staffId);
  }

  private async markIncluded(ids: string[], digest: string, now: Instant, report: DigestReport): Promise<void> {
    const items: OutboxItem[] = [];
    for (const id of ids) {
      const o = await this.deps.outbox.get(id);
      if (o && o.state === 'pending') items.push(o);
    }
    await this.close(items, 'digested', 'digested', digest, now, report);
  }

  /** pending → digested | skipped, each conditional on still being pending as read (a rerun does nothing twice). */
  private async close(items: OutboxItem[], state: 'digested' | 'skipped', outcome: string, digest: string | undefined, now: Instant, report: DigestReport): Promise<void> {
    const work = [...items];
    const worker = async () => {
      for (let o = work.shift(); o; o = work.shift()) {
        const done: OutboxItem = { ...o, state, doneAt: now, outcome, expiresAt: expiresAtFor(now), ...(digest ? { digestId: digest } : {}) };
        if (await this.deps.outbox.replace(o, done)) state === 'digested' ? report.itemsDigested++ : report.itemsSkipped++;
      }
    };
    await Promise.all(Array.from({ length: Math.min(8, work.length) }, worker));
  }

  /** Due-today, due-soon and overdue counts and lines of the staff member's scope (shared by staff of one scope). */
  private scopeView(cases: readonly Case[], today: BusinessDate, now: Instant): ScopeView {
    const view: ScopeView = { counts: { dueToday: 0, dueSoon: 0, overdue: 0 }, lines: { overdue: [], today: [], soon: [] } };
    const seen = new Set<string>();
    for (const c of cases) {
      if (seen.has(c.caseId) || c.status !== 'open') continue;
      seen.add(c.caseId);
      const bucket = dueBucket(c, today, now);
      if (!bucket) continue;
      const key = bucket === 'today' ? 'dueToday' : bucket === 'soon' ? 'dueSoon' : 'overdue';
      view.counts[key]++;
      const list = view.lines[bucket];
      if (list.length < DIGEST_EMAIL_LINES) list.push({ caseId: c.caseId, dueDate: c.dueDate, caseType: c.type });
    }
    return view;
  }

  /** The open cases of the staff member's scope due within the window, soonest first. */
  private scopeCases(staff: Staff, open: OpenCasesByScope): Case[] {
    // A street officer works the street's own queue; everyone else sees what is owned under her org unit.
    if (staff.role === 'street_officer') return open.queue(staff.orgUnitId);
    const unit = this.deps.district.territory.get(staff.orgUnitId);
    return unit ? open.under({ id: unit.id, kind: unit.kind }) : [];
  }

  /** Open cases of the whole district (for the bench's per-open-case figures). */
  async countOpenCases(): Promise<number> {
    const { territory } = this.deps.district;
    let n = 0;
    let cursor: string | undefined;
    do {
      const page = await this.deps.cases.listOpenUnder({ id: territory.districtId, kind: 'district' }, { limit: PAGE, ...(cursor ? { cursor } : {}) });
      n += page.items.length;
      cursor = page.cursor;
    } while (cursor);
    return n;
  }
}
