// The error of a command the domain refused. Its own module, free of the domain's code, so a
// Lambda that only lists or plans (and throws it for a bad event) does not bundle the case machines.
import type { Rejection } from '../domain/case-machines';

/** A command the domain refused: not allowed in this state, or invalid. Never retried. */
export class CaseRejected extends Error {
  override readonly name = 'CaseRejected';
  constructor(
    readonly code: Rejection['code'] | 'not_found',
    readonly reason: string,
  ) {
    super(reason);
  }
}
