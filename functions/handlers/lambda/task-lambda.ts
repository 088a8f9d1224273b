// A workflow Task function as a Lambda: Powertools and the wrapper (task-handler.ts) around the handler its entry
// builds once per cold start, from only the pieces it uses (table.ts, district-parts.ts), so its bundle holds only
// their code. Environment: DISTRICT_ID (and what the pieces read).
import type { FunctionKey } from '../../workflows/catalog';
import type { TaskHandler } from '../tasks/task-support';
import { requiredEnv } from './env';
import { observability } from './observability';
import { wrapTaskHandler, type LambdaTaskHandler } from './task-handler';

/** The Lambda handler of one workflow Task function; call it at module level (cold start). */
export function taskLambda(functionKey: FunctionKey, build: () => TaskHandler): LambdaTaskHandler {
  const o = observability({ serviceName: process.env.POWERTOOLS_SERVICE_NAME ?? `shudi-${functionKey}`, districtId: requiredEnv('DISTRICT_ID') });
  return wrapTaskHandler(functionKey, build(), o);
}
