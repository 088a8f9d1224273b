// Lambda entry point of the workflow Task function `fireTimer` (functions/workflows/catalog.ts).
import { taskHandler } from './runtime';

export const handler = taskHandler('fireTimer');
