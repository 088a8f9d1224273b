// Where things are, from the repository root (so synth works from any working directory).
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';

export const ROOT = fileURLToPath(new URL('..', import.meta.url));

export const paths = {
  workflows: join(ROOT, 'workflows'),
  lambdaEntries: join(ROOT, 'functions', 'handlers', 'lambda'),
  apiEntry: join(ROOT, 'functions', 'api', 'lambda.ts'),
  dashboardDist: join(ROOT, 'functions', 'dashboard', 'dist'),
  lockFile: join(ROOT, 'package-lock.json'),
};

/** `openCase` → `OpenCase`: construct ids from function keys and workflow names. */
export const pascal = (s: string) => s.charAt(0).toUpperCase() + s.slice(1);
