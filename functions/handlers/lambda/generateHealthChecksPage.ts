// Lambda entry point of the workflow Task function `generateHealthChecksPage` (functions/workflows/catalog.ts).
import { generateHealthChecksPageHandler } from '../tasks/generate-health-checks-page';
import { lambdaDistrictParts } from './district-parts';
import { taskLambda } from './task-lambda';

export const handler = taskLambda('generateHealthChecksPage', () => {
  const parts = lambdaDistrictParts();
  return generateHealthChecksPageHandler({ ...parts, territory: parts.district.territory, rules: parts.district.rules });
});
