// Local sign-in: ES256 tokens with the claims Cognito gives on AWS (custom:staffId, custom:orgUnitId,
// custom:role, custom:district), signed with a key generated on first start and kept in .data/ so
// tokens survive a restart. Expiry is checked against the wall clock (a session is real time, the
// virtual business clock is not). Never used on AWS: there API Gateway's JWT authorizer verifies.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { SignJWT, errors, exportJWK, generateKeyPair, importJWK, jwtVerify, type CryptoKey, type JWK } from 'jose';
import type { Staff } from '../../functions/domain/people';

export const DEV_ISSUER = 'shudi-local';
export const DEV_AUDIENCE = 'shudi-api';
const ALG = 'ES256';
export const TOKEN_TTL_SECONDS = 12 * 60 * 60;

/** The token could not be accepted; `reason` is safe to show. */
export class AuthError extends Error {
  override readonly name = 'AuthError';
}

export interface StaffClaims {
  'custom:staffId': string;
  'custom:orgUnitId': string;
  'custom:role': string;
  'custom:district': string;
}

interface KeyFile {
  alg: typeof ALG;
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
  createdAt: string;
}

export class DevAuth {
  private constructor(
    readonly districtId: string,
    private readonly privateKey: CryptoKey,
    private readonly publicKey: CryptoKey,
    readonly kid: string,
  ) {}

  /** Loads the signing key from `keyFile` (creating it, mode 0600, if absent); in memory without a file. */
  static async create(opts: { districtId: string; keyFile?: string }): Promise<DevAuth> {
    let file: KeyFile | undefined;
    if (opts.keyFile && existsSync(opts.keyFile)) file = JSON.parse(readFileSync(opts.keyFile, 'utf8')) as KeyFile;
    if (!file) {
      const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true });
      file = { alg: ALG, kid: `local-${Date.now().toString(36)}`, privateJwk: await exportJWK(privateKey), publicJwk: await exportJWK(publicKey), createdAt: new Date().toISOString() };
      if (opts.keyFile) {
        mkdirSync(dirname(opts.keyFile), { recursive: true });
        writeFileSync(opts.keyFile, JSON.stringify(file, null, 2), { mode: 0o600 });
        chmodSync(opts.keyFile, 0o600);
      }
    }
    const privateKey = (await importJWK(file.privateJwk, ALG)) as CryptoKey;
    const publicKey = (await importJWK(file.publicJwk, ALG)) as CryptoKey;
    return new DevAuth(opts.districtId, privateKey, publicKey, file.kid);
  }

  static claimsOf(staff: Pick<Staff, 'staffId' | 'orgUnitId' | 'role'>, districtId: string): StaffClaims {
    return { 'custom:staffId': staff.staffId, 'custom:orgUnitId': staff.orgUnitId, 'custom:role': staff.role, 'custom:district': districtId };
  }

  /** A token for these claims; `issuedAt` (epoch seconds) and `ttlSeconds` are for tests of expiry. */
  async issue(claims: StaffClaims, opts: { ttlSeconds?: number; issuedAt?: number } = {}): Promise<{ token: string; expiresAt: string }> {
    const iat = opts.issuedAt ?? Math.floor(Date.now() / 1000);
    const exp = iat + (opts.ttlSeconds ?? TOKEN_TTL_SECONDS);
    const token = await new SignJWT({ ...claims })
      .setProtectedHeader({ alg: ALG, kid: this.kid, typ: 'JWT' })
      .setSubject(claims['custom:staffId'])
      .setIssuer(DEV_ISSUER)
      .setAudience(DEV_AUDIENCE)
      .setIssuedAt(iat)
      .setExpirationTime(exp)
      .sign(this.privateKey);
    return { token, expiresAt: new Date(exp * 1000).toISOString() };
  }

  /** The verified claims, or AuthError: forged, expired, malformed, or for another district. */
  async verify(token: string): Promise<Record<string, unknown>> {
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.publicKey, { issuer: DEV_ISSUER, audience: DEV_AUDIENCE, algorithms: [ALG], clockTolerance: 5, requiredClaims: ['exp', 'iat'] }));
    } catch (err) {
      if (err instanceof errors.JWTExpired) throw new AuthError('the token has expired; sign in again');
      if (err instanceof errors.JWSSignatureVerificationFailed) throw new AuthError('the token signature is not valid');
      throw new AuthError('the token is not valid');
    }
    if (payload['custom:district'] !== this.districtId) throw new AuthError('the token is for another district');
    return payload;
  }
}
