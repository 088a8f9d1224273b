// Powertools for every Lambda of a district stack: a logger that never logs events or personal
// data, EMF metrics in the `shudi` namespace, X-Ray traces. Names and levels come from the
// POWERTOOLS_* environment the stack sets.
import { Logger } from '@aws-lambda-powertools/logger';
import { Metrics } from '@aws-lambda-powertools/metrics';
import { Tracer } from '@aws-lambda-powertools/tracer';

export interface Observability {
  logger: Logger;
  metrics: Metrics;
  tracer: Tracer;
}

export const METRICS_NAMESPACE = 'shudi';

export function observability(opts: { serviceName: string; districtId: string }): Observability {
  const logger = new Logger({ serviceName: opts.serviceName, persistentKeys: { district: opts.districtId } });
  const metrics = new Metrics({
    namespace: process.env.POWERTOOLS_METRICS_NAMESPACE ?? METRICS_NAMESPACE,
    serviceName: opts.serviceName,
    defaultDimensions: { district: opts.districtId },
  });
  const tracer = new Tracer({ serviceName: opts.serviceName });
  return { logger, metrics, tracer };
}
