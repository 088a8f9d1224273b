// Lambda entry point of the workflow Task function `openObligations` (functions/workflows/catalog.ts).
import { taskHandler } from './runtime';

export const handler = taskHandler('openObligations');
