// What every workflow Task handler shares: its type, the event check, and how a page of openings fails.
//
// The event check takes a schema of either zod API: the planners use zod/mini (they carry no other zod, and mini's
// functions leave out what they do not call: their bundles hold ~15 KB of zod instead of ~85 KB, docs/performance.md);
// the handlers that change cases use classic zod, which the case machines need anyway. zod/mini ships no messages,
// so the English ones classic zod installs are installed here: an error reads the same whichever API built the schema.
import * as z from 'zod/mini';
import en from 'zod/v4/locales/en.js';
import { CaseRejected } from '../../app/case-rejected';

z.config(en());

export type TaskHandler = (event: unknown) => Promise<unknown>;

/** The event, checked: a bad one is a CaseRejected (never retried) naming each field path. */
export function parse<T extends z.core.$ZodType>(schema: T, event: unknown): z.output<T> {
  const r = z.safeParse(schema, event);
  if (!r.success) throw new CaseRejected('invalid', r.error.issues.map((i) => `${i.path.join('.') || '(event)'}: ${i.message}`).join('; '));
  return r.data;
}

/**
 * Opens one case per item, each on its own (one transaction each): a failed opening does not stop
 * the others. If any failed, the call fails after all were tried, with a transient error when there
 * is one (the workflow's Retry then redoes only what is missing: openings are idempotent), else with
 * the first rejection. Stopping at the first failure would make one opening of progress per attempt,
 * and a page could run out of attempts under throttling or conflicts.
 */
export async function openEach<T>(items: readonly T[], open: (item: T) => Promise<unknown>): Promise<void> {
  const errors: unknown[] = [];
  for (const item of items) {
    try {
      await open(item);
    } catch (err) {
      errors.push(err);
    }
  }
  if (errors.length > 0) throw errors.find((err) => !(err instanceof CaseRejected)) ?? errors[0];
}

/** After a page of openings: fails like openEach when any failed (a transient error first, else the first rejection). */
export function throwFirstFailure(results: readonly unknown[]): void {
  const errors = results.filter((r): r is Error => r instanceof Error);
  if (errors.length > 0) throw errors.find((err) => !(err instanceof CaseRejected)) ?? errors[0];
}
