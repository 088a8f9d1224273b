// The environment a Lambda is given by its stack (infra/*): a variable the stack forgot fails at cold start,
// naming it (test/infra/bundles.test.ts starts every function with its template's environment).
export function requiredEnv(name: string): string {
  const value = process.env[name];
  if (value === undefined || value === '') throw new Error(`environment variable ${name} is not set`);
  return value;
}
