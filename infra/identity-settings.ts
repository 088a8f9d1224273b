// Who signs staff in, as the stack is told (no AWS CDK imports: app.ts and the tests read it).
//
// Every target signs in by OpenID Connect, and the HTTP API's JWT authorizer checks the tokens of one
// issuer and audience. The issuer is a district's own (its unified identity platform, a Keycloak it
// runs) from context, or, in the global partition only, the stack's own Cognito user pool when none
// is given. The aws-cn partition has no Cognito user pools: there an issuer is required.
//
// Context keys (cdk.json or -c; a `.<district>` suffix sets it for one district and wins):
//   oidcIssuer     https URL of the issuer (its /.well-known/openid-configuration must be reachable by API Gateway)
//   oidcAudience   comma-separated audiences the authorizer accepts (`aud`, or `client_id` of an access token)
//   oidcClientId   the dashboard's client id at the issuer (public client, PKCE); default the first audience
//   oidcClaims     JSON: the claim names for staffId, orgUnitId, role, district, e.g. {"staffId":"sub"}
import { claimKeys, defaultClaimNames, type ClaimKey, type ClaimNames } from '../functions/api/claims';
import type { Partition } from './target';

// The claim names are the API's (functions/api/claims.ts): the stack passes them to it as OIDC_CLAIMS.
export { claimKeys, type ClaimKey, type ClaimNames };

/** The claims of the stack's Cognito user pool (its custom attributes), and the default for any issuer. */
export const COGNITO_CLAIMS: ClaimNames = defaultClaimNames;

export interface OidcSettings {
  issuer: string;
  audience: string[];
  clientId: string;
  claims: ClaimNames;
}

/** A context value that stops synth: which key, and why. Nothing is synthesized. */
export class ContextError extends Error {
  override readonly name = 'ContextError';
  constructor(
    readonly key: string,
    readonly reason: string,
  ) {
    super(`context ${key} (cdk.json "context" or -c ${key}=…): ${reason}`);
  }
}

type Lookup = (key: string) => string | undefined;

/** The district's value of a context key: `<key>.<district>` first, then `<key>`. */
function districtValue(lookup: Lookup, key: string, districtId: string): { key: string; value: string } | undefined {
  for (const k of [`${key}.${districtId}`, key]) {
    const value = lookup(k);
    if (value !== undefined) return { key: k, value };
  }
  return undefined;
}

function parseClaims(key: string, text: string): ClaimNames {
  let raw: unknown;
  try {
    raw = JSON.parse(text);
  } catch {
    throw new ContextError(key, `must be a JSON object mapping ${claimKeys.join(', ')} to claim names, got ${JSON.stringify(text)}`);
  }
  if (!raw || typeof raw !== 'object' || Array.isArray(raw)) throw new ContextError(key, `must be a JSON object mapping ${claimKeys.join(', ')} to claim names`);
  const out: ClaimNames = { ...COGNITO_CLAIMS };
  for (const [k, v] of Object.entries(raw)) {
    if (!(claimKeys as readonly string[]).includes(k)) throw new ContextError(`${key}.${k}`, `unknown claim key; the keys are ${claimKeys.join(', ')}`);
    if (typeof v !== 'string' || !/^[\w:.\-/]{1,100}$/.test(v)) throw new ContextError(`${key}.${k}`, `must be a claim name (letters, digits, _ : . - /), got ${JSON.stringify(v)}`);
    out[k as ClaimKey] = v;
  }
  return out;
}

/**
 * The district's OIDC settings from context, or undefined for the stack's own Cognito user pool
 * (global partition only). Throws a ContextError naming the key for anything it cannot use.
 */
export function oidcSettingsFrom(lookup: Lookup, districtId: string, partition: Partition, region: string | undefined): OidcSettings | undefined {
  const issuer = districtValue(lookup, 'oidcIssuer', districtId);
  const audience = districtValue(lookup, 'oidcAudience', districtId);
  const clientId = districtValue(lookup, 'oidcClientId', districtId);
  const claims = districtValue(lookup, 'oidcClaims', districtId);
  if (!issuer) {
    if (partition === 'aws-cn')
      throw new ContextError(
        'oidcIssuer',
        `required for district ${districtId} in ${region ?? 'the aws-cn partition'}: the aws-cn partition has no Cognito user pools, so the HTTP API's JWT authorizer needs the district's own OpenID provider (e.g. -c oidcIssuer=https://id.example.gov.cn/realms/shudi -c oidcAudience=shudi-dashboard; docs/deploy-china.md)`,
      );
    const stray = audience ?? clientId ?? claims;
    if (stray) throw new ContextError(stray.key, 'is set without oidcIssuer: the stack would use its Cognito user pool and ignore it; set oidcIssuer too, or remove it');
    return undefined;
  }
  let url: URL;
  try {
    url = new URL(issuer.value);
  } catch {
    throw new ContextError(issuer.key, `must be an https URL, got ${JSON.stringify(issuer.value)}`);
  }
  if (url.protocol !== 'https:' || url.search || url.hash) throw new ContextError(issuer.key, `must be an https URL without query or fragment (API Gateway fetches its discovery document over TLS), got ${JSON.stringify(issuer.value)}`);
  if (!audience) throw new ContextError(`oidcAudience`, `required with ${issuer.key}: the JWT authorizer accepts tokens of listed audiences only (for district ${districtId})`);
  const audiences = audience.value
    .split(',')
    .map((a) => a.trim())
    .filter(Boolean);
  if (audiences.length === 0) throw new ContextError(audience.key, 'lists no audience');
  return {
    // The `iss` claim must equal it exactly; a trailing slash is the issuer's choice, so keep it as given.
    issuer: issuer.value,
    audience: audiences,
    clientId: clientId?.value ?? audiences[0]!,
    claims: claims ? parseClaims(claims.key, claims.value) : { ...COGNITO_CLAIMS },
  };
}
