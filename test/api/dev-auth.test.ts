// Local sign-in tokens: the key survives a restart (kept in a file, mode 0600), and a forged,
// expired or other-district token is refused with a reason.
import { mkdtempSync, statSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { decodeJwt, decodeProtectedHeader } from 'jose';
import { describe, expect, it } from 'vitest';
import { DevAuth } from '../../dev/local/dev-auth';

const claims = DevAuth.claimsOf({ staffId: 'sm-east', orgUnitId: 'east', role: 'street_manager' }, 'tiny');

describe('DevAuth', () => {
  it('keeps its key in a file, so a token issued before a restart still verifies', async () => {
    const keyFile = join(mkdtempSync(join(tmpdir(), 'shudi-auth-')), 'sub', 'dev-auth-key.json');
    const first = await DevAuth.create({ districtId: 'tiny', keyFile });
    const { token, expiresAt } = await first.issue(claims);
    expect(statSync(keyFile).mode & 0o777).toBe(0o600);
    const again = await DevAuth.create({ districtId: 'tiny', keyFile });
    expect(await again.verify(token)).toMatchObject(claims);
    expect(decodeProtectedHeader(token)).toMatchObject({ alg: 'ES256', typ: 'JWT' });
    const payload = decodeJwt(token);
    expect(payload.exp! - payload.iat!).toBe(12 * 3600);
    expect(Date.parse(expiresAt)).toBe(payload.exp! * 1000);
  });

  it('refuses forged, expired, tampered and other-district tokens', async () => {
    const auth = await DevAuth.create({ districtId: 'tiny' });
    const other = await DevAuth.create({ districtId: 'tiny' });
    await expect(auth.verify((await other.issue(claims)).token)).rejects.toThrow('signature');
    const now = Math.floor(Date.now() / 1000);
    await expect(auth.verify((await auth.issue(claims, { issuedAt: now - 13 * 3600 })).token)).rejects.toThrow('expired');
    await expect(auth.verify((await auth.issue({ ...claims, 'custom:district': 'chuanhui' })).token)).rejects.toThrow('another district');
    const [h, p, sig] = (await auth.issue(claims)).token.split('.');
    const tampered = Buffer.from(JSON.stringify({ ...JSON.parse(Buffer.from(p!, 'base64url').toString()), 'custom:role': 'district_manager' })).toString('base64url');
    await expect(auth.verify(`${h}.${tampered}.${sig}`)).rejects.toThrow('signature');
    await expect(auth.verify('not-a-token')).rejects.toThrow('not valid');
  });
});
