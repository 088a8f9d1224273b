// Lambda entry point of the workflow Task function `fireTimer` (functions/workflows/catalog.ts).
import { fireTimerHandler } from '../tasks/fire-timer';
import { lambdaDistrictParts } from './district-parts';
import { taskLambda } from './task-lambda';

export const handler = taskLambda('fireTimer', () => fireTimerHandler(lambdaDistrictParts()));
