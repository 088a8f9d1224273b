// Lambda entry point of the workflow Task function `generateHealthChecksPage` (functions/workflows/catalog.ts).
import { taskHandler } from './runtime';

export const handler = taskHandler('generateHealthChecksPage');
