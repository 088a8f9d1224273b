// Bulk imports of staff and subjects: a JSON array or a CSV with a header row, validated row by row.
// A rejected row writes nothing; the accepted rows are written. Rows are never logged.
import { parse as parseCsv } from 'csv-parse/sync';
import type { z } from 'zod';
import type { Staff, Subject } from '../domain/people';
import { managingOrgUnitId } from '../domain/people';
import { pool } from '../app/pool';
import { StaffChangeConflict } from '../store/staff-admin';
import { roleOrgKind, type Caller } from './access';
import { HttpProblem, validationProblem } from './problem';
import type { ApiDeps } from './router';
import { staffImportRow, subjectImportRow } from './schemas';

export const MAX_IMPORT_ROWS = 20_000;

export interface Rejection {
  row: number;
  field: string;
  reason: string;
}
export interface ImportResult {
  accepted: number;
  rejected: Rejection[];
}

type Row = Record<string, unknown>;

/** The rows of a request body; a body that is not a JSON array or a CSV with a known header is a 400. */
export function readRows(raw: string, mediaType: string, columns: readonly string[]): unknown[] {
  let rows: unknown[];
  if (mediaType === 'text/csv') {
    let records: string[][];
    try {
      records = parseCsv(raw, { bom: true, skip_empty_lines: true, trim: true, relax_column_count: true }) as string[][];
    } catch (err) {
      throw validationProblem([{ path: 'body', message: `not valid CSV: ${(err as Error).message.split('\n')[0]}` }]);
    }
    const [header, ...body] = records;
    if (!header) return [];
    const unknown = header.filter((h) => !columns.includes(h));
    if (unknown.length) throw validationProblem(unknown.map((h) => ({ path: `body.header.${h}`, message: `not a known column (columns: ${columns.join(', ')})` })));
    const seen = new Set<string>();
    for (const h of header) {
      if (seen.has(h)) throw validationProblem([{ path: `body.header.${h}`, message: 'a column is named twice' }]);
      seen.add(h);
    }
    rows = body.map((fields) => {
      if (fields.length !== header.length) return { __fieldCount: fields.length, __headerCount: header.length };
      const row: Row = {};
      header.forEach((h, i) => {
        if (fields[i] !== '') row[h] = fields[i];
      });
      return row;
    });
  } else {
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw validationProblem([{ path: 'body', message: 'not valid JSON' }]);
    }
    if (!Array.isArray(parsed)) throw validationProblem([{ path: 'body', message: 'an import is a JSON array of rows (or text/csv)' }]);
    rows = parsed;
  }
  if (rows.length > MAX_IMPORT_ROWS) throw new HttpProblem('too-large', `an import has at most ${MAX_IMPORT_ROWS} rows; this one has ${rows.length}`);
  return rows;
}

/** The row's own problems: its shape, each field's format. */
function rowShape<T extends z.ZodType>(schema: T, raw: unknown, row: number, rejected: Rejection[]): z.output<T> | undefined {
  if (raw && typeof raw === 'object' && '__fieldCount' in raw) {
    const r = raw as { __fieldCount: number; __headerCount: number };
    rejected.push({ row, field: 'row', reason: `has ${r.__fieldCount} fields; the header has ${r.__headerCount}` });
    return undefined;
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) {
    rejected.push({ row, field: 'row', reason: 'a row is an object of fields' });
    return undefined;
  }
  const r = schema.safeParse(raw);
  if (r.success) return r.data;
  for (const issue of r.error.issues) {
    if (issue.code === 'unrecognized_keys') for (const k of issue.keys) rejected.push({ row, field: k, reason: 'not a known field' });
    else rejected.push({ row, field: String(issue.path[0] ?? 'row'), reason: issue.message });
  }
  return undefined;
}

export const staffColumns = Object.keys(staffImportRow.shape);
export const subjectColumns = Object.keys(subjectImportRow.shape);

/** Staff rows: an existing staff id is replaced (staff records are master data the district keeps). */
export async function importStaff(rows: unknown[], deps: ApiDeps): Promise<ImportResult> {
  const { territory } = deps.district;
  const rejected: Rejection[] = [];
  const firstRow = new Map<string, number>();
  const accepted: { row: number; staff: Staff }[] = [];
  rows.forEach((raw, i) => {
    const row = i + 1;
    const r = rowShape(staffImportRow, raw, row, rejected);
    if (!r) return;
    const before = rejected.length;
    const org = territory.get(r.orgUnitId);
    if (!org) rejected.push({ row, field: 'orgUnitId', reason: `no org unit "${r.orgUnitId}" in this district` });
    else if (roleOrgKind[r.role] !== org.kind) rejected.push({ row, field: 'role', reason: `${r.role} works for a ${roleOrgKind[r.role]}; "${r.orgUnitId}" is a ${org.kind}` });
    const first = firstRow.get(r.staffId);
    if (first !== undefined) rejected.push({ row, field: 'staffId', reason: `listed twice (first at row ${first})` });
    else firstRow.set(r.staffId, row);
    if (rejected.length > before) return;
    const staff: Staff = {
      staffId: r.staffId,
      name: r.name,
      role: r.role,
      orgUnitId: r.orgUnitId,
      phone: r.phone,
      email: r.email,
      channel: r.channel,
      language: r.language,
      quietHours: { start: r.quietHoursStart, end: r.quietHoursEnd },
    };
    accepted.push({ row, staff });
  });
  // Each replaces her record conditionally (a flag stays while its address is the same: StaffAdmin.replace).
  if (!deps.staffAdmin) throw new Error('the API was created without staffAdmin');
  const admin = deps.staffAdmin;
  const replaced = await pool(accepted, 16, async ({ row, staff }) => {
    try {
      await admin.replace(staff);
      return true;
    } catch (err) {
      if (!(err instanceof StaffChangeConflict)) throw err;
      rejected.push({ row, field: 'staffId', reason: err.message });
      return false;
    }
  });
  const written = replaced.filter(Boolean).length;
  rejected.sort((a, b) => a.row - b.row);
  return { accepted: written, rejected };
}

/** The row error for a subject a street manager may not write: one text for "no such subject" and "not yours". */
export const notYoursToImport = (caller: Caller) =>
  `not a subject managed within your scope (${caller.orgUnitId}); new subjects and those of other streets are imported by the district`;

const sameSubject = (a: Subject, b: Subject) =>
  a.class === b.class && a.communityId === b.communityId && (a.unitId ?? null) === (b.unitId ?? null) && (a.implantUntil ?? null) === (b.implantUntil ?? null) && a.registeredOn === b.registeredOn;

/**
 * Subject rows. A district manager adds new subjects and updates any. A street manager updates the
 * subjects managed within her street only: a row naming any other id, one the district does not
 * have or one managed elsewhere, is refused with one and the same reason, before anything else
 * about that subject is looked at (her open cases, whether the row changes her), so an import never
 * tells a street manager whether a subject outside her street exists. An existing subject that
 * the row leaves unchanged is accepted without a write; one the row changes is updated only while
 * she has no open case (an open case was routed on her current facts; she moves through a
 * handover), otherwise the row is rejected. `written` names every subject written.
 */
export async function importSubjects(rows: unknown[], deps: ApiDeps, caller: Caller, today: string): Promise<ImportResult & { written: string[] }> {
  const { territory } = deps.district;
  const rejected: Rejection[] = [];
  const firstRow = new Map<string, number>();
  const valid: { row: number; subject: Subject }[] = [];
  rows.forEach((raw, i) => {
    const row = i + 1;
    const r = rowShape(subjectImportRow, raw, row, rejected);
    if (!r) return;
    const before = rejected.length;
    const community = territory.get(r.communityId);
    if (!community || community.kind !== 'community') rejected.push({ row, field: 'communityId', reason: `no community "${r.communityId}" in this district` });
    if (r.class === 'co_managed') {
      const unit = r.unitId ? territory.get(r.unitId) : undefined;
      if (!r.unitId) rejected.push({ row, field: 'unitId', reason: 'a co_managed subject needs her employer unit' });
      else if (!unit || unit.kind !== 'unit') rejected.push({ row, field: 'unitId', reason: `no unit "${r.unitId}" in this district` });
    } else if (r.unitId) rejected.push({ row, field: 'unitId', reason: `only co_managed subjects have an employer unit (this one is ${r.class})` });
    if (r.registeredOn > today) rejected.push({ row, field: 'registeredOn', reason: `the registration date is in the future (today is ${today})` });
    const first = firstRow.get(r.subjectId);
    if (first !== undefined) rejected.push({ row, field: 'subjectId', reason: `listed twice (first at row ${first})` });
    else firstRow.set(r.subjectId, row);
    if (rejected.length > before) return;
    const subject: Subject = {
      subjectId: r.subjectId,
      class: r.class,
      communityId: r.communityId,
      ...(r.unitId ? { unitId: r.unitId } : {}),
      ...(r.implantUntil ? { implantUntil: r.implantUntil } : {}),
      registeredOn: r.registeredOn,
    };
    const managing = managingOrgUnitId(subject);
    if (!territory.isWithin(managing, caller.orgUnitId)) {
      rejected.push({ row, field: subject.class === 'co_managed' ? 'unitId' : 'communityId', reason: `"${managing}" is outside your scope (${caller.orgUnitId})` });
      return;
    }
    valid.push({ row, subject });
  });

  const existing = await deps.register.getSubjects(valid.map((v) => v.subject.subjectId));
  const districtWide = caller.orgUnit.kind === 'district';
  const toWrite: { row: number; subject: Subject }[] = [];
  let unchanged = 0;
  for (const { row, subject } of valid) {
    const now = existing.get(subject.subjectId);
    // Not hers to write, whether or not she exists: the same row error either way.
    if (!districtWide && (!now || !territory.isWithin(managingOrgUnitId(now), caller.orgUnitId))) {
      rejected.push({ row, field: 'subjectId', reason: notYoursToImport(caller) });
      continue;
    }
    if (now && sameSubject(now, subject)) {
      unchanged++;
      continue;
    }
    if (now) {
      const open = await deps.cases.listForSubject(subject.subjectId, 'open');
      if (open.length > 0) {
        rejected.push({ row, field: 'subjectId', reason: `has ${open.length} open case${open.length === 1 ? '' : 's'}; her facts change through her cases (a handover), not an import` });
        continue;
      }
    }
    toWrite.push({ row, subject });
  }
  // Each written only if her record is still as read (absent: still absent); one changed meanwhile is that row's error.
  const done = await pool(toWrite, 16, async ({ row, subject }) => {
    if (await deps.register.putSubjectIfUnchanged(existing.get(subject.subjectId), subject, territory)) return true;
    rejected.push({ row, field: 'subjectId', reason: 'her record changed while the import ran; import the row again' });
    return false;
  });
  const written = toWrite.filter((_, i) => done[i]).map((w) => w.subject.subjectId);
  rejected.sort((a, b) => a.row - b.row);
  return { accepted: written.length + unchanged, rejected, written };
}
