// The local identity keys and the local stand-in for API Gateway's JWT authorizer. One RS256 key
// (API Gateway's HTTP API JWT authorizer accepts RSA algorithms only) signs what the local OpenID
// provider issues (./oidc-provider.ts) and the tokens of /dev/login (scripts and tests). It is
// generated on first start and kept in .data/ (mode 0600) with the provider's cookie keys and the
// development password, so tokens and the password survive a restart. `verify` checks a token as
// the authorizer does: the key named by `kid` in the provider's JWKS, an RSA algorithm, the issuer,
// the audience (`aud`, or `client_id` when there is no `aud`), `exp`, `nbf` and `iat` against the
// wall clock (a session is real time, the virtual business clock is not). Never used on AWS.
import { randomBytes } from 'node:crypto';
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { dirname } from 'node:path';
import { SignJWT, createLocalJWKSet, decodeProtectedHeader, errors, exportJWK, generateKeyPair, importJWK, jwtVerify, type CryptoKey, type JSONWebKeySet, type JWK } from 'jose';
import { defaultClaimNames, staffClaims, type ClaimNames } from '../../functions/api/claims';
import type { Staff } from '../../functions/domain/people';

/** The issuer of tokens when no provider runs (API tests); `npm start` uses the provider's URL. */
export const DEV_ISSUER = 'shudi-local';
/** The API's audience: the resource the provider issues access tokens for, and what the verifier requires. */
export const DEV_AUDIENCE = 'urn:shudi:api';
const ALG = 'RS256';
/** What API Gateway's HTTP API JWT authorizer verifies: RSA signatures only. */
export const AUTHORIZER_ALGORITHMS = ['RS256', 'RS384', 'RS512'];
export const TOKEN_TTL_SECONDS = 12 * 60 * 60;
const CLOCK_TOLERANCE_S = 5;
/** Tokens verified lately: an RSA verification costs about half a millisecond, and a session sends the same token again and again. */
const VERIFIED_CACHE = 256;

/** The token could not be accepted; `reason` is safe to show. */
export class AuthError extends Error {
  override readonly name = 'AuthError';
}

/** A token's staff claims under the default (Cognito) names: what tests build refusals from. */
export interface StaffClaims {
  'custom:staffId': string;
  'custom:orgUnitId': string;
  'custom:role': string;
  'custom:district': string;
}

interface SecretsFile {
  format: 'shudi-local-oidc/1';
  alg: typeof ALG;
  kid: string;
  privateJwk: JWK;
  publicJwk: JWK;
  /** Keys the provider signs its cookies with. */
  cookieKeys: string[];
  /** The one development password of every local account. */
  password: string;
  createdAt: string;
}

async function newSecrets(): Promise<SecretsFile> {
  const { privateKey, publicKey } = await generateKeyPair(ALG, { extractable: true, modulusLength: 2048 });
  const kid = `local-${randomBytes(6).toString('base64url')}`;
  return {
    format: 'shudi-local-oidc/1',
    alg: ALG,
    kid,
    privateJwk: { ...(await exportJWK(privateKey)), kid, alg: ALG, use: 'sig' },
    publicJwk: { ...(await exportJWK(publicKey)), kid, alg: ALG, use: 'sig' },
    cookieKeys: [randomBytes(32).toString('base64url')],
    // Easy to type, hard to guess: three groups of four.
    password: randomBytes(9).toString('base64url').replace(/[-_]/g, 'x').match(/.{4}/g)!.join('-'),
    createdAt: new Date().toISOString(),
  };
}

function readSecrets(file: string): SecretsFile | undefined {
  if (!existsSync(file)) return undefined;
  try {
    const s = JSON.parse(readFileSync(file, 'utf8')) as SecretsFile;
    return s.format === 'shudi-local-oidc/1' && s.privateJwk && s.publicJwk && s.password ? s : undefined;
  } catch {
    return undefined;
  }
}

export interface DevAuthOptions {
  districtId: string;
  /** Where the key, cookie keys and password are kept (created with mode 0600 if absent); in memory without. */
  keyFile?: string;
  /** Default DEV_ISSUER; the local server sets its provider's URL (useIssuer). */
  issuer?: string;
  /** Audiences the verifier accepts; the first is the one /dev/login tokens carry. Default [DEV_AUDIENCE]. */
  audiences?: string[];
  /** The claims that carry the staff attributes (default custom:*). */
  claimNames?: ClaimNames;
  /** A fixed development password (tests); default a random one, kept in keyFile. */
  password?: string;
}

export class DevAuth {
  private readonly jwks: ReturnType<typeof createLocalJWKSet>;
  private currentIssuer: string;
  /** token → its verified payload; only `exp` can change the answer later, and it is checked on every hit. */
  private readonly verified = new Map<string, Record<string, unknown>>();

  private constructor(
    readonly districtId: string,
    private readonly privateKey: CryptoKey,
    private readonly publicKey: CryptoKey,
    private readonly secrets: SecretsFile,
    issuer: string,
    readonly audiences: string[],
    readonly claimNames: ClaimNames,
  ) {
    this.currentIssuer = issuer;
    this.jwks = createLocalJWKSet(this.publicJwks());
  }

  static async create(opts: DevAuthOptions): Promise<DevAuth> {
    let secrets = opts.keyFile ? readSecrets(opts.keyFile) : undefined;
    if (!secrets) {
      secrets = await newSecrets();
      if (opts.keyFile) {
        mkdirSync(dirname(opts.keyFile), { recursive: true });
        writeFileSync(opts.keyFile, JSON.stringify(secrets, null, 2), { mode: 0o600 });
        chmodSync(opts.keyFile, 0o600);
      }
    }
    if (opts.password) secrets = { ...secrets, password: opts.password };
    const privateKey = (await importJWK(secrets.privateJwk, ALG)) as CryptoKey;
    const publicKey = (await importJWK(secrets.publicJwk, ALG)) as CryptoKey;
    const audiences = opts.audiences?.length ? opts.audiences : [DEV_AUDIENCE];
    return new DevAuth(opts.districtId, privateKey, publicKey, secrets, opts.issuer ?? DEV_ISSUER, audiences, opts.claimNames ?? defaultClaimNames);
  }

  get issuer(): string {
    return this.currentIssuer;
  }
  get alg(): string {
    return ALG;
  }
  get kid(): string {
    return this.secrets.kid;
  }
  /** The audience /dev/login tokens and the provider's access tokens carry. */
  get audience(): string {
    return this.audiences[0]!;
  }
  /** The development password of every local account. */
  get password(): string {
    return this.secrets.password;
  }
  get cookieKeys(): string[] {
    return [...this.secrets.cookieKeys];
  }
  /** The provider's signing key (private). */
  signingJwks(): { keys: JWK[] } {
    return { keys: [{ ...this.secrets.privateJwk }] };
  }
  /** What the provider publishes at jwks_uri. */
  publicJwks(): JSONWebKeySet {
    return { keys: [{ ...this.secrets.publicJwk }] };
  }

  /** The local server binds the issuer to its provider's URL once it knows its port. */
  useIssuer(issuer: string): void {
    this.currentIssuer = issuer;
    this.verified.clear();
  }

  /** Claims under the default (Cognito) names: tests build tokens from these. */
  static claimsOf(staff: Pick<Staff, 'staffId' | 'orgUnitId' | 'role'>, districtId: string): StaffClaims {
    return staffClaims(staff, districtId, defaultClaimNames) as unknown as StaffClaims;
  }

  /** Claims under this server's configured names. */
  claimsFor(staff: Pick<Staff, 'staffId' | 'orgUnitId' | 'role'>): Record<string, string> {
    return staffClaims(staff, this.districtId, this.claimNames);
  }

  /** A token for these claims; `issuedAt` (epoch seconds) and `ttlSeconds` are for tests of expiry. */
  async issue(claims: StaffClaims | Record<string, unknown>, opts: { ttlSeconds?: number; issuedAt?: number } = {}): Promise<{ token: string; expiresAt: string }> {
    const iat = opts.issuedAt ?? Math.floor(Date.now() / 1000);
    const exp = iat + (opts.ttlSeconds ?? TOKEN_TTL_SECONDS);
    const c = claims as Record<string, unknown>;
    const sub = c[this.claimNames.staffId] ?? c['custom:staffId'];
    const jwt = new SignJWT({ ...c }).setProtectedHeader({ alg: ALG, kid: this.kid, typ: 'JWT' }).setIssuer(this.issuer).setAudience(this.audience).setIssuedAt(iat).setExpirationTime(exp);
    if (typeof sub === 'string') jwt.setSubject(sub);
    return { token: await jwt.sign(this.privateKey), expiresAt: new Date(exp * 1000).toISOString() };
  }

  /**
   * The verified claims, or AuthError: as API Gateway's JWT authorizer, a token needs a `kid` found in
   * the JWKS, an RSA signature by that key, this issuer, one of the audiences, and a live `exp`.
   */
  async verify(token: string): Promise<Record<string, unknown>> {
    const hit = this.verified.get(token);
    if (hit) {
      if ((hit.exp as number) + CLOCK_TOLERANCE_S > Date.now() / 1000) return { ...hit };
      this.verified.delete(token);
      throw new AuthError('the token has expired; sign in again');
    }
    const payload = await this.verifyFully(token);
    if (this.verified.size >= VERIFIED_CACHE) this.verified.delete(this.verified.keys().next().value!);
    this.verified.set(token, payload);
    return { ...payload };
  }

  private async verifyFully(token: string): Promise<Record<string, unknown>> {
    let kid: unknown;
    try {
      kid = decodeProtectedHeader(token).kid;
    } catch {
      throw new AuthError('the token is not valid');
    }
    if (typeof kid !== 'string' || !kid) throw new AuthError('the token names no signing key (kid)');
    let payload: Record<string, unknown>;
    try {
      ({ payload } = await jwtVerify(token, this.jwks, { issuer: this.issuer, algorithms: AUTHORIZER_ALGORITHMS, clockTolerance: CLOCK_TOLERANCE_S, requiredClaims: ['exp'] }));
    } catch (err) {
      if (err instanceof errors.JWTExpired) throw new AuthError('the token has expired; sign in again');
      if (err instanceof errors.JWSSignatureVerificationFailed) throw new AuthError('the token signature is not valid');
      if (err instanceof errors.JWKSNoMatchingKey) throw new AuthError('the token is signed by a key this issuer does not publish');
      if (err instanceof errors.JOSEAlgNotAllowed) throw new AuthError('the token is not signed with an RSA algorithm');
      if (err instanceof errors.JWTClaimValidationFailed && err.claim === 'iss') throw new AuthError('the token is from another issuer');
      throw new AuthError('the token is not valid');
    }
    const iat = payload.iat;
    if (typeof iat === 'number' && iat > Date.now() / 1000 + CLOCK_TOLERANCE_S) throw new AuthError('the token is issued in the future');
    // API Gateway: `aud` must match one audience; only a token without `aud` is matched on `client_id`.
    const aud = payload.aud;
    const ok =
      aud === undefined
        ? typeof payload.client_id === 'string' && this.audiences.includes(payload.client_id)
        : (Array.isArray(aud) ? aud : [aud]).some((a) => typeof a === 'string' && this.audiences.includes(a));
    if (!ok) throw new AuthError('the token is for another audience');
    return payload;
  }
}
