// Lambda entry point of the workflow Task function `listDueTimers` (functions/workflows/catalog.ts).
import { taskHandler } from './runtime';

export const handler = taskHandler('listDueTimers');
