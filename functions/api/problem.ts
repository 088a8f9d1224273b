// Errors the API answers with: RFC 9457 problem details (application/problem+json).
import type { APIGatewayProxyStructuredResultV2 } from 'aws-lambda';
import type { z } from 'zod';

export const PROBLEM_BASE = 'https://shudi.dev/problems/';

const titles = {
  validation: [400, 'The request is not valid'],
  unauthenticated: [401, 'Not signed in'],
  forbidden: [403, 'Not allowed for this caller'],
  'not-found': [404, 'Not found'],
  'method-not-allowed': [405, 'Method not allowed'],
  conflict: [409, 'Conflict'],
  'too-large': [413, 'The request body is too large'],
  'unsupported-media-type': [415, 'Unsupported media type'],
  internal: [500, 'Internal error'],
} as const;
export type ProblemKind = keyof typeof titles;

export interface FieldError {
  /** Where the bad value is: `body.effectiveDate`, `query.limit`, `path.caseId`, `header.idempotency-key`. */
  path: string;
  message: string;
}

/** A problem to answer with. Thrown anywhere in a request; the error middleware renders it. */
export class HttpProblem extends Error {
  override readonly name = 'HttpProblem';
  readonly status: number;
  readonly title: string;

  constructor(
    readonly kind: ProblemKind,
    readonly detail?: string,
    readonly errors?: FieldError[],
    readonly headers: Record<string, string> = {},
  ) {
    super(detail ?? kind);
    const [status, title] = titles[kind];
    this.status = status;
    this.title = title;
  }

  body() {
    return {
      type: `${PROBLEM_BASE}${this.kind}`,
      title: this.title,
      status: this.status,
      ...(this.detail ? { detail: this.detail } : {}),
      ...(this.errors?.length ? { errors: this.errors } : {}),
    };
  }
}

export function problemResponse(p: HttpProblem, extraHeaders: Record<string, string> = {}): APIGatewayProxyStructuredResultV2 {
  return {
    statusCode: p.status,
    headers: { 'content-type': 'application/problem+json', ...p.headers, ...extraHeaders },
    body: JSON.stringify(p.body()),
  };
}

/** `body.x.0.y` from a zod issue path under `where`. */
export function fieldPath(where: string, path: readonly PropertyKey[]): string {
  return [where, ...path.map((p) => String(p))].join('.');
}

export function validationProblem(errors: FieldError[]): HttpProblem {
  return new HttpProblem('validation', `${errors.length} field${errors.length === 1 ? ' is' : 's are'} not valid`, errors);
}

/** Parses `value` with `schema`; a failure is a 400 listing each bad field under `where`. */
export function parseOr400<T extends z.ZodType>(schema: T, value: unknown, where: 'body' | 'query' | 'path' | 'header'): z.output<T> {
  const r = schema.safeParse(value);
  if (r.success) return r.data;
  throw validationProblem(issuesToErrors(r.error.issues, where));
}

export function issuesToErrors(issues: readonly z.core.$ZodIssue[], where: string): FieldError[] {
  return issues.flatMap((i) =>
    i.code === 'unrecognized_keys'
      ? i.keys.map((k) => ({ path: fieldPath(where, [...i.path, k]), message: 'not a known field' }))
      : [{ path: fieldPath(where, i.path), message: issueMessage(i) }],
  );
}

function issueMessage(i: z.core.$ZodIssue): string {
  if (i.code === 'invalid_union' && 'options' in i && Array.isArray(i.options)) return `one of: ${i.options.join(', ')}`;
  return i.message;
}
