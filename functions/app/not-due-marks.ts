// "Not due until" marks cleared at their date (issue 13): a community marks a subject not due a check until a date
// (functions/domain/due-for-check.ts); from that date on the mark is no longer in effect, and the daily job (run with
// retention: schedule.ts `retention`) removes it from her record, audited as a change the system made. The lazy check
// stays: between midnight and the job's run, and if a run fails, a mark whose date has come is ignored all the same.
//
// Found through GSI6 `DUE#NOTDUE` (keys.notDueMarks), which lists only subjects with a mark, by its date: the job
// reads the marks that are due and nothing else of the register.
import { randomUUID } from 'node:crypto';
import type { Clock } from '../domain/clock';
import { notDueUntilOn } from '../domain/due-for-check';
import { businessDateOf, type BusinessDate } from '../domain/time';
import type { AuditStore } from '../store/audit-store';
import type { RegisterStore } from '../store/register-store';

/** The audit action of a mark cleared at its date, and the process named as its actor. */
export const NOT_DUE_CLEARED = 'subjects.not_due_cleared';
export const NOT_DUE_PROCESS = 'not-due-marks';

export interface NotDueMarkDeps {
  register: RegisterStore;
  audit: AuditStore;
  clock: Clock;
}

export interface NotDueClearReport {
  date: BusinessDate;
  /** Marks dated on or before `date` that were found. */
  due: number;
  cleared: number;
  /** Changed between reading and clearing (set again, cleared by a concurrent run): left alone. */
  skipped: number;
}

/**
 * Clears every mark whose date is on or before `date` (default: today in Asia/Shanghai). Each clearing is its own
 * conditional transaction with its audit entry; a rerun finds nothing left to do.
 */
export async function clearExpiredNotDueMarks(deps: NotDueMarkDeps, opts: { date?: BusinessDate; pageSize?: number } = {}): Promise<NotDueClearReport> {
  const date = opts.date ?? businessDateOf(deps.clock.now());
  const report: NotDueClearReport = { date, due: 0, cleared: 0, skipped: 0 };
  let cursor: string | undefined;
  do {
    const page = await deps.register.listExpiredNotDueMarks(date, { limit: opts.pageSize ?? 100, ...(cursor ? { cursor } : {}) });
    for (const s of page.items) {
      // The index says so; the rule says it once more (a mark is in effect while its date is after the day).
      if (notDueUntilOn(s.notDueUntil, date)) continue;
      report.due++;
      const at = deps.clock.now().toISOString();
      const entry = deps.audit.itemOf({
        auditId: randomUUID(),
        at,
        date: businessDateOf(at),
        role: 'system',
        process: NOT_DUE_PROCESS,
        action: NOT_DUE_CLEARED,
        subjectIds: [s.subjectId],
        targetOrgUnitId: s.communityId,
      });
      if (await deps.register.clearNotDueMark(s.subjectId, s.notDueUntil, entry)) report.cleared++;
      else report.skipped++;
    }
    cursor = page.cursor;
  } while (cursor);
  return report;
}
