// Lambda entry point of the workflow Task function `planObligations` (functions/workflows/catalog.ts): the territory
// from the bundled config, no table, no DynamoDB client.
import { systemClock } from '../../domain/clock';
import { Territory } from '../../domain/territory';
import { planObligationsHandler } from '../tasks/plan-obligations';
import { bundledDistrictConfig } from './district';
import { taskLambda } from './task-lambda';

export const handler = taskLambda('planObligations', () => planObligationsHandler({ territory: new Territory(bundledDistrictConfig()), clock: systemClock }));
