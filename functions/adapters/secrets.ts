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
