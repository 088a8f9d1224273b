// The local identity keys and verifier (dev/local/dev-auth.ts) and the claim names (functions/api/claims.ts):
// the key, cookie keys and password survive a restart in a file of mode 0600; the verifier refuses what
// API Gateway's JWT authorizer refuses (no kid, a key it does not publish, a non-RSA algorithm, another
// issuer, another audience, expired, not yet valid); the claim names come from OIDC_CLAIMS, and a bad
// OIDC_CLAIMS names the variable, the path and the reason.
import { mkdtempSync, readFileSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { SignJWT, base64url, decodeJwt, decodeProtectedHeader, generateKeyPair } from 'jose';
import { describe, expect, it, vi } from 'vitest';
import { callerFromClaims } from '../../functions/api/access';
import { claimNamesFromEnv, defaultClaimNames, staffClaims } from '../../functions/api/claims';
import { HttpProblem } from '../../functions/api/problem';
import { Territory } from '../../functions/domain/territory';
import { DevAuth } from '../../dev/local/dev-auth';

const claims = DevAuth.claimsOf({ staffId: 'sm-east', orgUnitId: 'east', role: 'street_manager' }, 'tiny');

describe('DevAuth', () => {
  it('keeps its key, cookie keys and password in a file of mode 0600, so a token issued before a restart still verifies', async () => {
    const keyFile = join(mkdtempSync(join(tmpdir(), 'shudi-auth-')), 'sub', 'oidc-dev.json');
    const first = await DevAuth.create({ districtId: 'tiny', keyFile });
    const { token, expiresAt } = await first.issue(claims);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const again = await DevAuth.create({ districtId: 'tiny', keyFile });
    expect(again.password).toBe(first.password);
    expect(again.cookieKeys).toEqual(first.cookieKeys);
    expect(await again.verify(token)).toMatchObject(claims);
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'RS256', typ: 'JWT', kid: first.kid });
    const payload = decodeJwt(token);
    expect(payload.exp! - payload.iat!).toBe(12 * 3600);
    expect(Date.parse(expiresAt)).toBe(payload.exp! * 1000);
    // The public JWKS (what the provider publishes) holds no private part.
    expect(Object.keys(first.publicJwks().keys[0]!).sort()).toEqual(['alg', 'e', 'kid', 'kty', 'n', 'use']);
    expect(JSON.parse(readFileSync(keyFile, 'utf8')).password).toMatch(/^[A-Za-z0-9]{4}-[A-Za-z0-9]{4}-[A-Za-z0-9]{4}$/);
  });

  it('refuses what API Gateway would: another key, no kid, an unpublished kid, HS256 and ES256, alg none, another issuer or audience, expired, not yet valid, tampered', async () => {
    const auth = await DevAuth.create({ districtId: 'tiny' });
    const other = await DevAuth.create({ districtId: 'tiny' });
    const now = Math.floor(Date.now() / 1000);
    const std = { ...claims, sub: 'sm-east', iss: auth.issuer, aud: auth.audience, iat: now, exp: now + 600 };
    const own = auth as unknown as { privateKey: CryptoKey };
    const sign = (payload: Record<string, unknown>, header: Record<string, unknown> = {}) => new SignJWT(payload).setProtectedHeader({ alg: 'RS256', kid: auth.kid, ...header }).sign(own.privateKey);
    const ec = await generateKeyPair('ES256');

    await expect(auth.verify((await other.issue(claims)).token)).rejects.toThrow(/key this issuer does not publish|signature/);
    await expect(auth.verify(await new SignJWT(std).setProtectedHeader({ alg: 'RS256' }).sign(own.privateKey))).rejects.toThrow('names no signing key');
    await expect(auth.verify(await sign(std, { kid: 'someone-else' }))).rejects.toThrow('does not publish');
    await expect(auth.verify(await new SignJWT(std).setProtectedHeader({ alg: 'HS256', kid: auth.kid }).sign(new TextEncoder().encode('secret-secret-secret-secret-1234')))).rejects.toThrow('RSA');
    await expect(auth.verify(await new SignJWT(std).setProtectedHeader({ alg: 'ES256', kid: auth.kid }).sign(ec.privateKey))).rejects.toThrow('RSA');
    const none = `${base64url.encode(JSON.stringify({ alg: 'none', kid: auth.kid }))}.${base64url.encode(JSON.stringify(std))}.`;
    await expect(auth.verify(none)).rejects.toThrow(/RSA|not valid/);
    await expect(auth.verify(await sign({ ...std, iss: 'https://idp.example.cn/realms/other' }))).rejects.toThrow('another issuer');
    await expect(auth.verify(await sign({ ...std, aud: 'shudi-dashboard' }))).rejects.toThrow('another audience');
    await expect(auth.verify(await sign({ ...std, exp: now - 60 }))).rejects.toThrow('expired');
    await expect(auth.verify(await sign({ ...std, nbf: now + 600 }))).rejects.toThrow('not valid');
    await expect(auth.verify(await sign({ ...std, iat: now + 600 }))).rejects.toThrow('future');
    await expect(auth.verify(await sign({ ...std, exp: undefined }))).rejects.toThrow('not valid');
    const [h, p, sig] = (await auth.issue(claims)).token.split('.');
    const tampered = base64url.encode(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), 'custom:role': 'district_manager' }));
    await expect(auth.verify(`${h}.${tampered}.${sig}`)).rejects.toThrow('signature');
    await expect(auth.verify('not-a-token')).rejects.toThrow('not valid');
  });

  it('a token verified before is still refused once it expires (the verified-token cache checks exp on every hit)', async () => {
    const auth = await DevAuth.create({ districtId: 'tiny' });
    const { token } = await auth.issue(claims, { ttlSeconds: 60 });
    expect(await auth.verify(token)).toMatchObject(claims);
    expect(await auth.verify(token)).toMatchObject(claims);
    vi.useFakeTimers({ now: Date.now() + 120_000, toFake: ['Date'] });
    try {
      await expect(auth.verify(token)).rejects.toThrow('expired');
      await expect(auth.verify(token)).rejects.toThrow('expired');
    } finally {
      vi.useRealTimers();
    }
  });

  it('matches the audience as API Gateway does: aud when present, client_id only when there is no aud', async () => {
    const auth = await DevAuth.create({ districtId: 'tiny', audiences: ['urn:shudi:api', 'dashboard-client'] });
    const now = Math.floor(Date.now() / 1000);
    const own = auth as unknown as { privateKey: CryptoKey };
    const sign = (payload: Record<string, unknown>) => new SignJWT({ ...claims, iss: auth.issuer, iat: now, exp: now + 600, ...payload }).setProtectedHeader({ alg: 'RS256', kid: auth.kid }).sign(own.privateKey);
    await expect(auth.verify(await sign({ aud: ['other', 'dashboard-client'] }))).resolves.toBeTruthy();
    await expect(auth.verify(await sign({ client_id: 'dashboard-client' }))).resolves.toBeTruthy();
    await expect(auth.verify(await sign({ aud: 'other', client_id: 'dashboard-client' }))).rejects.toThrow('another audience');
    await expect(auth.verify(await sign({ client_id: 'other' }))).rejects.toThrow('another audience');
    await expect(auth.verify(await sign({}))).rejects.toThrow('another audience');
  });
});

describe('claim names', () => {
  const territory = new Territory({ id: 'tiny', name: { zh: '小区', en: 'Tiny' }, streets: [{ id: 'east', kind: 'street', name: { zh: '东街道', en: 'East' }, communities: [] }], units: [] } as never);

  it('OIDC_CLAIMS renames any of the four claims; the API reads the staff from the configured claims only', () => {
    const names = claimNamesFromEnv({ OIDC_CLAIMS: JSON.stringify({ staffId: 'preferred_username', role: 'shudi_role' }) });
    expect(names).toEqual({ ...defaultClaimNames, staffId: 'preferred_username', role: 'shudi_role' });
    const token = staffClaims({ staffId: 'sm-east', orgUnitId: 'east', role: 'street_manager' }, 'tiny', names);
    expect(token).toEqual({ preferred_username: 'sm-east', 'custom:orgUnitId': 'east', shudi_role: 'street_manager', 'custom:district': 'tiny' });
    expect(callerFromClaims(token, territory, names)).toMatchObject({ staffId: 'sm-east', role: 'street_manager', orgUnitId: 'east', district: 'tiny' });
    // The same values under the default names are not read: 401, naming the claims it looked for.
    const refused = (() => {
      try {
        callerFromClaims(DevAuth.claimsOf({ staffId: 'sm-east', orgUnitId: 'east', role: 'street_manager' }, 'tiny'), territory, names);
      } catch (e) {
        return e;
      }
    })();
    expect(refused).toBeInstanceOf(HttpProblem);
    expect((refused as HttpProblem).status).toBe(401);
    expect((refused as HttpProblem).detail).toContain('preferred_username, custom:orgUnitId, shudi_role, custom:district');
    // An inherited property is not a claim.
    expect(() => callerFromClaims(Object.create(token), territory, names)).toThrow(HttpProblem);
  });

  it('unset or empty: the Cognito names', () => {
    expect(claimNamesFromEnv({})).toEqual(defaultClaimNames);
    expect(claimNamesFromEnv({ OIDC_CLAIMS: ' ' })).toEqual(defaultClaimNames);
  });

  it('a bad OIDC_CLAIMS names the variable, the JSON path and the reason', () => {
    const bad = (v: string) => {
      try {
        claimNamesFromEnv({ OIDC_CLAIMS: v });
        return 'accepted';
      } catch (e) {
        return (e as Error).message;
      }
    };
    expect(bad('{staffId:')).toBe('OIDC_CLAIMS: (root): not valid JSON (expected {"staffId": "…", "orgUnitId": "…", "role": "…", "district": "…"})');
    expect(bad('{"staffId": ""}')).toBe('OIDC_CLAIMS: staffId: a claim name is required');
    expect(bad('{"role": "aud"}')).toBe('OIDC_CLAIMS: role: a registered JWT claim (iss, aud, exp …) cannot carry a staff attribute');
    expect(bad('{"roles": "x"}')).toMatch(/^OIDC_CLAIMS: \(root\): .*roles/);
    expect(bad('{"staffId": "sub", "district": "sub"}')).toBe('OIDC_CLAIMS: (root): each attribute needs a claim of its own (two share a name)');
    expect(bad('["custom:staffId"]')).toMatch(/^OIDC_CLAIMS: \(root\): /);
  });
});
