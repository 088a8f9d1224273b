// Lambda entry point of the workflow Task function `openCase` (functions/workflows/catalog.ts).
import { taskHandler } from './runtime';

export const handler = taskHandler('openCase');
