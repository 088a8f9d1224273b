// The Task handlers the workflows call: the same functions run as Lambdas on AWS and in-process
// on the local engine. Each parses its event, calls the case service, and returns plain JSON.
// Commands (open a case, act on one) are no Task: the API calls the case service directly.
// One module per handler in tasks/, given only what it uses: a Lambda entry imports its own and
// its bundle holds nothing of the others (no case machines in listDueTimers, no DynamoDB client in
// the planners). This file binds them all, for the local engine.
import type { CaseService } from '../app/case-service';
import type { DistrictContext } from '../app/district-context';
import type { Clock } from '../domain/clock';
import type { CaseStore } from '../store/case-store';
import type { RegisterStore } from '../store/register-store';
import type { FunctionKey } from '../workflows/catalog';
import { fireTimerHandler } from './tasks/fire-timer';
import { generateHealthChecksPageHandler } from './tasks/generate-health-checks-page';
import { listDueTimersHandler } from './tasks/list-due-timers';
import { openObligationsHandler } from './tasks/open-obligations';
import { planHealthChecksHandler } from './tasks/plan-health-checks';
import { planObligationsHandler } from './tasks/plan-obligations';
import type { TaskHandler } from './tasks/task-support';

export type { FunctionKey, TaskHandler };
export { obligationPeriodOn } from './tasks/plan-obligations';

export interface HandlerDeps {
  service: CaseService;
  cases: CaseStore;
  register: RegisterStore;
  district: DistrictContext;
  clock: Clock;
}

/** Every Task handler, as the local engine binds them. */
export function createWorkflowHandlers(deps: HandlerDeps) {
  const { territory } = deps.district;
  return {
    listDueTimers: listDueTimersHandler(deps),
    fireTimer: fireTimerHandler(deps),
    planHealthChecks: planHealthChecksHandler({ territory, clock: deps.clock }),
    generateHealthChecksPage: generateHealthChecksPageHandler({ ...deps, territory, rules: deps.district.rules }),
    planObligations: planObligationsHandler({ territory, clock: deps.clock }),
    openObligations: openObligationsHandler(deps),
  } satisfies Record<FunctionKey, TaskHandler>;
}

export type WorkflowHandlers = ReturnType<typeof createWorkflowHandlers>;
