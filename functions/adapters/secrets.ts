// Secrets Manager, read by name at run time (never an environment variable, never logged): a secret's SecretString
// is fetched on first use and kept in memory for the life of the execution environment; a failed read is not
// kept, so the next use tries again.
import { GetSecretValueCommand, type SecretsManagerClient } from '@aws-sdk/client-secrets-manager';

export function secretReader(client: Pick<SecretsManagerClient, 'send'>): (name: string) => Promise<string> {
  const cache = new Map<string, Promise<string>>();
  return (name) => {
    let p = cache.get(name);
    if (!p) {
      p = client.send(new GetSecretValueCommand({ SecretId: name })).then((out) => {
        if (!out.SecretString) throw new Error(`secret ${name} has no SecretString`);
        return out.SecretString;
      });
      p.catch(() => cache.delete(name));
      cache.set(name, p);
    }
    return p;
  };
}

/** The environment variable that names each department's signing-key secret: JSON `{ "<department id>": "<secret ARN>" }`. */
export const DEPARTMENT_SECRETS_ENV = 'SHUDI_DEPARTMENT_SECRETS';

/** The department → secret map from the environment (infra/department-keys.ts sets it); none: an empty map. */
export function departmentSecretIds(env: Record<string, string | undefined> = process.env): Record<string, string> {
  const raw = env[DEPARTMENT_SECRETS_ENV];
  if (!raw) return {};
  const parsed = JSON.parse(raw) as unknown;
  if (!parsed || typeof parsed !== 'object' || Array.isArray(parsed) || Object.values(parsed).some((v) => typeof v !== 'string'))
    throw new Error(`${DEPARTMENT_SECRETS_ENV} is not a JSON object of department id → secret ARN`);
  return parsed as Record<string, string>;
}

/**
 * The signing keys of department systems (POST /events) from Secrets Manager: one secret per department, read through
 * `read` (a secretReader: cached, a failed read tried again next time). A department with no secret has no key.
 * `prefetch` starts every read at once (a cold start), so the first batch finds its key in memory.
 */
export function departmentKeysFromSecrets(read: (name: string) => Promise<string>, secretIds: Record<string, string>) {
  const key = async (departmentId: string): Promise<string | undefined> => {
    const id = Object.hasOwn(secretIds, departmentId) ? secretIds[departmentId] : undefined;
    return id ? read(id) : undefined;
  };
  return {
    key,
    prefetch: () => Promise.allSettled(Object.keys(secretIds).map((d) => key(d))),
  };
}
