// Lambda entry point of the workflow Task function `planObligations` (functions/workflows/catalog.ts).
import { taskHandler } from './runtime';

export const handler = taskHandler('planObligations');
