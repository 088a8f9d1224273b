// A workflow Task handler as a Lambda: middy with Powertools around the in-process handler.
//
// - Errors are rethrown unchanged: the Lambda runtime reports `error.name` as the errorType, which
//   is the error Step Functions matches in Retry and Catch (CaseRejected is never retried).
// - The logger records the function, the outcome and, for a failure, the error; never the event
//   or the result (they carry case ids and subject ids, and the result is not needed to debug).
// - Metrics: TaskSucceeded, TaskRejected (a business rejection) or TaskFailed, one per call, plus
//   Powertools' ColdStart.
import middy from '@middy/core';
import { injectLambdaContext } from '@aws-lambda-powertools/logger/middleware';
import { MetricUnit } from '@aws-lambda-powertools/metrics';
import { logMetrics } from '@aws-lambda-powertools/metrics/middleware';
import type { Context } from 'aws-lambda';
import type { FunctionKey } from '../../workflows/catalog';
import type { TaskHandler } from '../workflow-handlers';
import type { Observability } from './observability';

export type LambdaTaskHandler = (event: unknown, context: Context) => Promise<unknown>;

export function wrapTaskHandler(functionKey: FunctionKey, run: TaskHandler, o: Observability): LambdaTaskHandler {
  const { logger, metrics } = o;
  logger.appendPersistentKeys({ functionKey });
  const base = async (event: unknown): Promise<unknown> => {
    try {
      const result = await run(event);
      metrics.addMetric('TaskSucceeded', MetricUnit.Count, 1);
      return result;
    } catch (err) {
      const name = err instanceof Error ? err.name : 'Error';
      if (name === 'CaseRejected') {
        metrics.addMetric('TaskRejected', MetricUnit.Count, 1);
        // The reason names ids (pseudonymous), never a person's name or phone.
        logger.warn('task rejected', { errorName: name, code: (err as { code?: string }).code, reason: (err as Error).message });
      } else {
        metrics.addMetric('TaskFailed', MetricUnit.Count, 1);
        logger.error('task failed', err as Error);
      }
      throw err;
    }
  };
  return middy(base)
    .use(injectLambdaContext(logger, { logEvent: false }))
    .use(logMetrics(metrics, { captureColdStartMetric: true })) as unknown as LambdaTaskHandler;
}
