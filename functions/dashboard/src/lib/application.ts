// Opening an application from the dashboard: what the form holds, its checks before sending, and the body of
// POST /cases. What is applied for is a code from the district's list (GET /application-codes): never free text.
import type { ApplicationCode, CreateApplicationBody } from '../api/types';
import type { FieldError } from './actions';

export interface ApplicationForm {
  subjectId: string;
  code: string;
  receivedOn: string;
}

/** Checks a form before it is sent (the server checks again; its field errors show the same way). */
export function validateApplication(f: ApplicationForm, codes: readonly ApplicationCode[], today: string): FieldError[] {
  const errors: FieldError[] = [];
  if (!f.subjectId.trim()) errors.push({ path: 'body.subjectId', key: 'apply.subjectRequired' });
  if (!codes.some((c) => c.code === f.code)) errors.push({ path: 'body.code', key: 'apply.codeChoose' });
  if (!/^\d{4}-\d{2}-\d{2}$/.test(f.receivedOn)) errors.push({ path: 'body.receivedOn', key: 'form.date' });
  else if (f.receivedOn > today) errors.push({ path: 'body.receivedOn', key: 'apply.receivedFuture' });
  return errors;
}

export function applicationBody(f: ApplicationForm): CreateApplicationBody {
  return { type: 'application', subjectId: f.subjectId.trim(), code: f.code, receivedOn: f.receivedOn };
}

/** The fields the form shows its errors under; a problem naming another path shows in the box above the buttons. */
export const applicationFields = ['body.subjectId', 'body.code', 'body.receivedOn'] as const;

/**
 * Where a problem of POST /cases belongs: its own field paths as they are; a 404 (the subject: the only thing the
 * request names that can be missing, or outside the caller's scope) under the subject field.
 */
export function applicationFieldOf(status: number, path: string | undefined): string | undefined {
  if (path && (applicationFields as readonly string[]).includes(path)) return path;
  if (status === 404 && !path) return 'body.subjectId';
  return undefined;
}
