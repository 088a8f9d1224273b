// Lambda entry point of the workflow Task function `applyAction` (functions/workflows/catalog.ts).
import { taskHandler } from './runtime';

export const handler = taskHandler('applyAction');
