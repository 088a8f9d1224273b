// Lambda entry point of the workflow Task function `planHealthChecks` (functions/workflows/catalog.ts): the territory
// from the bundled config, no table, no DynamoDB client.
import { systemClock } from '../../domain/clock';
import { Territory } from '../../domain/territory';
import { planHealthChecksHandler } from '../tasks/plan-health-checks';
import { bundledDistrictConfig } from './district';
import { taskLambda } from './task-lambda';

export const handler = taskLambda('planHealthChecks', () => planHealthChecksHandler({ territory: new Territory(bundledDistrictConfig()), clock: systemClock }));
