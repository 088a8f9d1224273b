// The local cursor key: 32 random bytes kept in .data/cursor-key (mode 0600) beside the dev-auth
// key, so page cursors survive a restart of `npm start`. On AWS the key comes from the district's
// Secrets Manager secret (functions/api/lambda.ts); both go through cursorKeyFrom.
import { chmodSync, existsSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import { randomBytes } from 'node:crypto';
import { dirname } from 'node:path';
import { cursorKeyFrom } from '../../functions/store/paging';

export function localCursorKey(file: string, districtId: string): Uint8Array {
  if (!existsSync(file)) {
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, randomBytes(32).toString('base64url'), { mode: 0o600 });
    chmodSync(file, 0o600);
  }
  return cursorKeyFrom(readFileSync(file, 'utf8').trim(), districtId);
}
