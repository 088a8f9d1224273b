// Shared by the security tests: raw HTTP to the local server (node:http, so paths, headers and
// bodies go out exactly as generated, unnormalised), hostile token makers, and the checks every
// refusal must pass.
import { Agent, request } from 'node:http';
import { ScanCommand } from '@aws-sdk/client-dynamodb';
import { base64url, exportJWK, SignJWT, type CryptoKey } from 'jose';
import { PROBLEM_BASE } from '../../functions/api/problem';
import { DEV_AUDIENCE, DEV_ISSUER, DevAuth, type StaffClaims } from '../../dev/local/dev-auth';
import type { ApiServer } from '../api/support';

export interface RawRequest {
  method: string;
  /** Exactly what goes on the request line (already percent-encoded where needed). */
  path: string;
  headers: Record<string, string>;
  body?: Buffer;
}

export interface RawReply {
  status: number;
  headers: Record<string, string | string[] | undefined>;
  text: string;
  bytes: number;
}

/** One request over a keep-alive agent; a connection error is an `error` reply (status 0). */
export function send(base: string, agent: Agent, r: RawRequest, timeoutMs = 30_000): Promise<RawReply & { error?: string }> {
  const u = new URL(base);
  return new Promise((ok) => {
    const headers: Record<string, string> = { ...r.headers };
    if (r.body) headers['content-length'] = String(r.body.length);
    let req;
    try {
      req = request({ host: '127.0.0.1', port: Number(u.port), method: r.method, path: r.path, headers, agent, timeout: timeoutMs }, (res) => {
        const chunks: Buffer[] = [];
        res.on('data', (c: Buffer) => chunks.push(c));
        res.on('end', () => {
          const buf = Buffer.concat(chunks);
          ok({ status: res.statusCode ?? 0, headers: res.headers, text: buf.toString('utf8'), bytes: buf.length });
        });
        res.on('error', (e) => ok({ status: 0, headers: {}, text: '', bytes: 0, error: String(e) }));
      });
    } catch (e) {
      // The client itself refused (an invalid header character): nothing was sent.
      return ok({ status: -1, headers: {}, text: '', bytes: 0, error: String(e) });
    }
    req.on('timeout', () => req.destroy(new Error('timeout')));
    req.on('error', (e) => ok({ status: 0, headers: {}, text: '', bytes: 0, error: String(e) }));
    req.end(r.body);
  });
}

/** What leaks internals: stack frames, file paths, runtime error class names, AWS SDK errors. */
const INTERNALS =
  /\n\s+at\s|\bat\s+\S+\s+\(|node:internal|node_modules|\/work\/|\.ts:\d+|\.js:\d+|\b(TypeError|RangeError|ReferenceError|SyntaxError|ValidationException|ConditionalCheckFailed|TransactionCanceled|ResourceNotFoundException|ProvisionedThroughput|DynamoDB|ExclusiveStartKey|stack)\b/;

/** The problems with a refusal, empty when it is a proper 4xx problem+json. */
export function refusalProblems(r: RawReply & { error?: string }): string[] {
  const errs: string[] = [];
  if (r.status < 400 || r.status > 499) errs.push(`status ${r.status}${r.error ? ` (${r.error})` : ''}`);
  const ct = String(r.headers['content-type'] ?? '');
  if (!/^application\/problem\+json(;|$)/.test(ct)) errs.push(`content-type "${ct}"`);
  let body: any;
  try {
    body = JSON.parse(r.text);
  } catch {
    errs.push('body is not JSON');
    return errs;
  }
  if (!body || typeof body !== 'object') errs.push('body is not an object');
  else {
    if (body.status !== r.status) errs.push(`body.status ${body.status} ≠ ${r.status}`);
    if (typeof body.type !== 'string' || !body.type.startsWith(PROBLEM_BASE)) errs.push(`type ${body.type}`);
    if (typeof body.title !== 'string') errs.push('no title');
  }
  if (INTERNALS.test(r.text)) errs.push(`internals in the body: ${r.text.slice(0, 200)}`);
  return errs;
}

/** Item counts: the audit log apart from everything else (an accepted audited read appends one entry). */
export async function countItems(s: ApiServer): Promise<{ audit: number; other: number }> {
  let audit = 0;
  let all = 0;
  for (const filter of [true, false]) {
    let start: Record<string, any> | undefined;
    do {
      const out = await s.rt.client.send(
        new ScanCommand({
          TableName: s.rt.tableName,
          Select: 'COUNT',
          ConsistentRead: true,
          ...(filter ? { FilterExpression: 'begins_with(PK, :a)', ExpressionAttributeValues: { ':a': { S: 'AUDIT#' } } } : {}),
          ...(start ? { ExclusiveStartKey: start } : {}),
        }),
      );
      if (filter) audit += out.Count ?? 0;
      else all += out.Count ?? 0;
      start = out.LastEvaluatedKey;
    } while (start);
  }
  return { audit, other: all - audit };
}

const b64 = (v: unknown) => base64url.encode(JSON.stringify(v));

/**
 * Tokens the API must refuse (401), each with the reason. `auth` is the server's own DevAuth (its
 * keys are read from the instance: a test may, an attacker has the public key only).
 */
export async function hostileTokens(s: ApiServer, staff: StaffClaims): Promise<Record<string, string>> {
  const now = Math.floor(Date.now() / 1000);
  const own = s.auth as unknown as { privateKey: CryptoKey; publicKey: CryptoKey; kid: string };
  const sign = (payload: Record<string, unknown>, header: Record<string, unknown> = {}) =>
    new SignJWT(payload).setProtectedHeader({ alg: s.auth.alg, kid: own.kid, typ: 'JWT', ...header }).sign(own.privateKey);
  const std = { ...staff, sub: staff['custom:staffId'], iss: DEV_ISSUER, aud: DEV_AUDIENCE, iat: now, exp: now + 3600 };
  const good = await s.tokenFor(staff);
  const [gh, gp] = good.split('.') as [string, string, string];
  const forger = await DevAuth.create({ districtId: staff['custom:district'] });
  const pub = await exportJWK(own.publicKey);
  const hmac = async (secret: string) =>
    new SignJWT(std).setProtectedHeader({ alg: 'HS256', typ: 'JWT', kid: own.kid }).sign(new TextEncoder().encode(secret));
  const { 'custom:role': _r, ...noRole } = staff;
  const { 'custom:district': _d, ...noDistrict } = staff;
  const { 'custom:orgUnitId': _o, ...noOrg } = staff;
  const { 'custom:staffId': _s, ...noStaff } = staff;
  return {
    'signed by another key': (await forger.issue(staff)).token,
    expired: await s.tokenFor(staff, { issuedAt: now - 13 * 3600, ttlSeconds: 12 * 3600 }),
    'expired a second ago (past the 5 s tolerance)': await s.tokenFor(staff, { issuedAt: now - 3600, ttlSeconds: 3600 - 6 }),
    'another district (signed by this key)': await s.tokenFor({ ...staff, 'custom:district': 'chuanhui' }),
    'another district staff': await s.tokenFor(DevAuth.claimsOf({ staffId: 'dm-chuanhui', orgUnitId: 'chuanhui', role: 'district_manager' }, 'chuanhui')),
    'alg none': `${b64({ alg: 'none', typ: 'JWT' })}.${gp}.`,
    'alg none, signature kept': `${b64({ alg: 'none', typ: 'JWT' })}.${good.split('.').slice(1).join('.')}`,
    'HS256 keyed with the public JWK': await hmac(JSON.stringify(pub)),
    'HS256 keyed with the public x coordinate': await hmac(String(pub.x ?? pub.n)),
    'payload swapped (signature of another payload)': `${gh}.${b64({ ...std, 'custom:role': 'district_manager', 'custom:orgUnitId': 'tiny', 'custom:staffId': 'dm-tiny' })}.${good.split('.')[2]}`,
    'missing role claim': await s.tokenFor(noRole as StaffClaims),
    'missing district claim': await sign({ ...std, ...noDistrict, 'custom:district': undefined }),
    'missing org claim': await s.tokenFor(noOrg as StaffClaims),
    'missing staff claim': await sign({ ...std, ...noStaff, 'custom:staffId': undefined }),
    'no claims at all': await sign({ iss: DEV_ISSUER, aud: DEV_AUDIENCE, iat: now, exp: now + 3600 }),
    'role not in the enum': await s.tokenFor({ ...staff, 'custom:role': 'superuser' }),
    'role of another org kind': await s.tokenFor({ ...staff, 'custom:role': staff['custom:role'] === 'district_manager' ? 'community_officer' : 'district_manager' }),
    'org unit not in the district': await s.tokenFor({ ...staff, 'custom:orgUnitId': 'xinhua' }),
    'claims of the wrong type': await sign({ ...std, 'custom:staffId': ['dm-tiny'], 'custom:role': { $ne: null } }),
    'staff id not in the register': await s.tokenFor({ ...staff, 'custom:staffId': 'dm-nobody' }),
    'wrong issuer': await sign({ ...std, iss: 'https://cognito-idp.example/evil' }),
    'wrong audience': await sign({ ...std, aud: 'another-api' }),
    'not yet valid (nbf in an hour)': await sign({ ...std, nbf: now + 3600 }),
    'no exp': await sign({ ...staff, sub: staff['custom:staffId'], iss: DEV_ISSUER, aud: DEV_AUDIENCE, iat: now }),
    'truncated signature': good.slice(0, -10),
    'two segments': `${gh}.${gp}`,
    'garbage': 'not-a-jwt',
    'embedded jwk header (attacker key)': await new SignJWT(std)
      .setProtectedHeader({ alg: s.auth.alg, typ: 'JWT', jwk: await exportJWK((forger as unknown as { publicKey: CryptoKey }).publicKey) })
      .sign((forger as unknown as { privateKey: CryptoKey }).privateKey),
  };
}
