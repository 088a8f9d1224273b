// A job Lambda (reminders, retention, subscription sync) as a handler: middy with Powertools around the in-process
// handler, as task-handler.ts does for the workflow Tasks.
//
// - Errors are rethrown unchanged: an asynchronous invocation (EventBridge Scheduler, SNS) is then retried by Lambda
//   and, after its retries, kept by the function's dead-letter queue.
// - The logger records the job's report (counts, dates: each report is built to be safe to log), never the event
//   (an SNS record carries message text and staff ids).
// - Metrics: JobSucceeded or JobFailed, one per call, the figures `metricsOf` picks from the report, and ColdStart.
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context } from 'aws-lambda';
import type { Observability } from './observability';

export type LambdaJobHandler = (event: unknown, context: Context) => Promise<unknown>;

export interface JobHandlerOptions<R> {
  /** Figures of the report to emit as Count metrics (name → value). */
  metricsOf?: (report: R) => Record<string, number>;
  /** What of the report is logged (default: the report itself). */
  summaryOf?: (report: R) => unknown;
}

export function wrapJobHandler<R>(job: string, run: (event: unknown) => Promise<R>, o: Observability, opts: JobHandlerOptions<R> = {}): LambdaJobHandler {
  const { logger, metrics } = o;
  logger.appendPersistentKeys({ job });
  const base = async (event: unknown): Promise<R> => {
    try {
      const report = await run(event);
      metrics.addMetric('JobSucceeded', MetricUnit.Count, 1);
      for (const [name, value] of Object.entries(opts.metricsOf?.(report) ?? {})) metrics.addMetric(name, MetricUnit.Count, value);
      logger.info('job done', { report: opts.summaryOf ? opts.summaryOf(report) : report });
      return report;
    } catch (err) {
      metrics.addMetric('JobFailed', MetricUnit.Count, 1);
      logger.error('job failed', err as Error);
      throw err;
    }
  };
  return middy(base)
    .use(injectLambdaContext(logger, { logEvent: false }))
    .use(logMetrics(metrics, { captureColdStartMetric: true })) as unknown as LambdaJobHandler;
}
