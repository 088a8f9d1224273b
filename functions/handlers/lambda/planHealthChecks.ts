// Lambda entry point of the workflow Task function `planHealthChecks` (functions/workflows/catalog.ts).
import { taskHandler } from './runtime';

export const handler = taskHandler('planHealthChecks');
