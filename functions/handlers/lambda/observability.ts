// Powertools for every Lambda of a district stack: a logger that never logs events or personal data, and EMF
// metrics in the `shudi` namespace. Names and levels come from the POWERTOOLS_* environment the stack sets.
//
// No Powertools Tracer: where Lambda has X-Ray (not in the China regions), the stack turns on the function's own
// active tracing (infra/lambda-function.ts), which records each invocation and its initialization without any code
// in the bundle. The Tracer added the X-Ray SDK (with cls-hooked and semver, about 120 KB of every bundle) and its
// start-up work to every cold start, for per-call subsegments of the AWS SDK clients that are no longer recorded
// (docs/performance.md, Lambda bundles).
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';

export interface Observability {
  logger: Logger;
  metrics: Metrics;
}

export const METRICS_NAMESPACE = 'shudi';

export function observability(opts: { serviceName: string; districtId: string }): Observability {
  const logger = new Logger({ serviceName: opts.serviceName, persistentKeys: { district: opts.districtId } });
  const metrics = new Metrics({
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE,
    serviceName: opts.serviceName,
    defaultDimensions: { district: opts.districtId },
  });
  return { logger, metrics };
}
