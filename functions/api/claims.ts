// Which token claims carry the staff id, org unit, role and district. Each district's identity
// platform names them its own way (Cognito custom attributes `custom:staffId` …, a Keycloak mapper
// `staff_id` …), so the names are configuration: the environment variable OIDC_CLAIMS, a JSON object
// `{"staffId": …, "orgUnitId": …, "role": …, "district": …}` (any key left out keeps its default).
// The API Lambda (CDK sets it from the `oidcClaims` context) and `npm start` (its provider issues
// tokens under the same names) both read it here.
import * as z from 'zod';

export const claimKeys = ['staffId', 'orgUnitId', 'role', 'district'] as const;
export type ClaimKey = (typeof claimKeys)[number];
export type ClaimNames = Record<ClaimKey, string>;

export const CLAIMS_ENV = 'OIDC_CLAIMS';

/** The names Cognito custom attributes give (and the local provider issues unless told otherwise). */
export const defaultClaimNames: ClaimNames = {
  staffId: 'custom:staffId',
  orgUnitId: 'custom:orgUnitId',
  role: 'custom:role',
  district: 'custom:district',
};

/** Registered JWT claims an authorizer owns: a staff claim under one of these names would be read from the wrong value. */
const reserved = new Set(['iss', 'aud', 'exp', 'nbf', 'iat', 'jti', 'azp', 'scope', 'client_id', 'token_use', 'auth_time', 'nonce']);

const claimName = z
  .string()
  .trim()
  .min(1, 'a claim name is required')
  .max(100, 'a claim name is at most 100 characters')
  .refine((n) => !reserved.has(n), { message: 'a registered JWT claim (iss, aud, exp …) cannot carry a staff attribute' });

export const claimNamesSchema = z
  .strictObject({ staffId: claimName.optional(), orgUnitId: claimName.optional(), role: claimName.optional(), district: claimName.optional() })
  .transform((v): ClaimNames => ({ ...defaultClaimNames, ...Object.fromEntries(Object.entries(v).filter(([, n]) => n !== undefined)) }))
  .refine((n) => new Set(Object.values(n)).size === claimKeys.length, { message: 'each attribute needs a claim of its own (two share a name)' });

/** A bad OIDC_CLAIMS: names the variable, the JSON path and the reason. */
export class ClaimNamesError extends Error {
  override readonly name = 'ClaimNamesError';
}

/** The claim names from OIDC_CLAIMS, or the defaults when it is unset or empty. */
export function claimNamesFromEnv(env: Record<string, string | undefined> = process.env): ClaimNames {
  const raw = env[CLAIMS_ENV]?.trim();
  if (!raw) return defaultClaimNames;
  let json: unknown;
  try {
    json = JSON.parse(raw);
  } catch {
    throw new ClaimNamesError(`${CLAIMS_ENV}: (root): not valid JSON (expected {"staffId": "…", "orgUnitId": "…", "role": "…", "district": "…"})`);
  }
  const parsed = claimNamesSchema.safeParse(json);
  if (!parsed.success) {
    const lines = parsed.error.issues.map((i) => `${CLAIMS_ENV}: ${i.path.length ? i.path.join('.') : '(root)'}: ${i.message}`);
    throw new ClaimNamesError(lines.join('\n'));
  }
  return parsed.data;
}

/** The claims a token carries for a staff member, under the configured names (the local provider and /dev/login issue these). */
export function staffClaims(staff: { staffId: string; orgUnitId: string; role: string }, district: string, names: ClaimNames = defaultClaimNames): Record<string, string> {
  return { [names.staffId]: staff.staffId, [names.orgUnitId]: staff.orgUnitId, [names.role]: staff.role, [names.district]: district };
}

/** The four values read from the configured claims (still unchecked: access.ts parses them). */
export function readStaffClaims(raw: Record<string, unknown>, names: ClaimNames): Record<ClaimKey, unknown> {
  const own = (k: string) => (Object.hasOwn(raw, k) ? raw[k] : undefined);
  return { staffId: own(names.staffId), orgUnitId: own(names.orgUnitId), role: own(names.role), district: own(names.district) };
}
