// The AWS SDK's default credential provider as the Lambda bundles have it: the execution role's credentials from
// the environment (AWS_ACCESS_KEY_ID, AWS_SECRET_ACCESS_KEY, AWS_SESSION_TOKEN), which Lambda sets for every
// function. infra/bundling.ts aliases `@aws-sdk/credential-provider-node` to this module, so the clients' default
// configuration gets it: the rest of the Node chain (SSO, shared ini files, credential processes, web identity, the
// container and instance metadata endpoints, with the STS, SSO and sign-in clients they build) is for machines, not
// Lambda, and was about 130 KB of every bundle with an SDK client. Local code (npm start, tests) keeps the full chain.
import { fromEnv } from '@aws-sdk/credential-provider-env';

/** Same signature as @aws-sdk/credential-provider-node's defaultProvider; fails clearly if the variables are missing. */
export const defaultProvider = (init: Parameters<typeof fromEnv>[0] = {}) => fromEnv(init);
