// The error of a command the domain refused. Its own module, free of the domain's code, so a
// Lambda that only lists or plans (and throws it for a bad event) does not bundle the case machines.
import type { Rejection } from '../domain/case-machines';

/**
 * A command refused: not allowed in this state, or invalid (the domain); no such case, or none the caller may see
 * (`not_found`: the two look the same); the state allows it but not for this actor (`forbidden`); an idempotency key
 * sent before with another request (`key_reused`). Never retried.
 */
export class CaseRejected extends Error {
  override readonly name = 'CaseRejected';
  constructor(
    readonly code: Rejection['code'] | 'not_found' | 'forbidden' | 'key_reused',
    readonly reason: string,
  ) {
    super(reason);
  }
}
