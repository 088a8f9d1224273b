// Lambda entry point of the workflow Task function `openObligations` (functions/workflows/catalog.ts).
import { openObligationsHandler } from '../tasks/open-obligations';
import { lambdaDistrictParts } from './district-parts';
import { taskLambda } from './task-lambda';

export const handler = taskLambda('openObligations', () => openObligationsHandler(lambdaDistrictParts()));
