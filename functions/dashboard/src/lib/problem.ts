// Problem details (RFC 9457) → what the UI shows: a title, a detail line and one line per invalid field.
import { hasKey, type Translator } from '../i18n';
import type { Problem } from '../api/types';

/** Any failure of an API call: an HTTP status with its problem details, or a network failure (status 0). */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  constructor(
    readonly status: number,
    readonly problem: Problem,
  ) {
    super(problem.detail ?? problem.title ?? `HTTP ${status}`);
  }
}

/** Reads a problem from a response body; a body that is not one still gives a problem with the status. */
export function toProblem(status: number, body: unknown): Problem {
  if (body && typeof body === 'object' && !Array.isArray(body)) {
    const b = body as Record<string, unknown>;
    const p: Problem = { status: typeof b.status === 'number' ? b.status : status };
    if (typeof b.type === 'string') p.type = b.type;
    if (typeof b.title === 'string') p.title = b.title;
    if (typeof b.detail === 'string') p.detail = b.detail;
    if (Array.isArray(b.errors)) {
      p.errors = b.errors
        .filter((e): e is Record<string, unknown> => !!e && typeof e === 'object')
        .map((e) => ({ path: typeof e.path === 'string' ? e.path : '', message: typeof e.message === 'string' ? e.message : String(e.message ?? '') }));
    }
    return p;
  }
  return { status, ...(typeof body === 'string' && body.trim() ? { detail: body.trim().slice(0, 300) } : {}) };
}

export interface ProblemView {
  title: string;
  detail?: string;
  errors: { field: string; path: string; message: string }[];
}

/** The last segment of a problem type URI: `https://shudi.dev/problems/conflict` → `conflict`. */
export function problemKind(type: string | undefined): string | undefined {
  if (!type) return undefined;
  const last = type.replace(/\/+$/, '').split('/').pop();
  return last || undefined;
}

/**
 * The text to show for a failed call. The title is ours, by problem type (translated), else the server's
 * title, else the status; the detail and the field messages are the server's (they explain the case).
 */
export function renderProblem(err: unknown, tr: Translator): ProblemView {
  if (!(err instanceof ApiError)) return { title: tr.t('problem.network'), errors: [] };
  if (err.status === 0) return { title: tr.t('problem.network'), ...(err.problem.detail ? { detail: err.problem.detail } : {}), errors: [] };
  const p = err.problem;
  const kind = problemKind(p.type);
  const key = kind ? `problem.${kind}` : '';
  const title = hasKey(key) ? tr.t(key) : p.title ?? tr.t('problem.status', { status: err.status });
  const errors = (p.errors ?? []).map((e) => {
    const fieldKey = `field.${e.path}`;
    const field = hasKey(fieldKey) ? tr.t(fieldKey) : e.path.replace(/^(body|query|params)\./, '');
    return { field, path: e.path, message: e.message };
  });
  const detail = p.detail && p.detail !== title ? p.detail : undefined;
  return { title, ...(detail ? { detail } : {}), errors };
}
