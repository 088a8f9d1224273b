// Page cursors. Inside the stores: the LastEvaluatedKey (or the last sort key), base64url JSON; a
// malformed one is a caller error. At the API boundary every cursor is sealed (CursorSeal, below).
import { createCipheriv, createDecipheriv, hkdfSync, randomBytes } from 'node:crypto';

export class BadCursorError extends Error {
  constructor() {
    super('the cursor is not one this service issued');
    this.name = 'BadCursorError';
  }
}

export interface Page<T> {
  items: T[];
  /** Present when more items follow. */
  cursor?: string;
}

export function encodeCursor(key: Record<string, unknown> | undefined): string | undefined {
  return key ? Buffer.from(JSON.stringify(key)).toString('base64url') : undefined;
}

export function decodeCursor(cursor: string | undefined): Record<string, unknown> | undefined {
  if (!cursor) return undefined;
  try {
    const key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8')) as unknown;
    if (key && typeof key === 'object' && !Array.isArray(key) && Object.values(key).every((v) => typeof v === 'string')) {
      return key as Record<string, unknown>;
    }
  } catch {
    // fall through
  }
  throw new BadCursorError();
}

/** Whether a decoded cursor is exactly an index item's key: the table's PK and SK and the index's own two keys. */
export function isIndexKey(start: Record<string, unknown>, idx: { pk: string; sk: string }): boolean {
  return Object.keys(start).sort().join() === ['PK', 'SK', idx.pk, idx.sk].sort().join();
}

// ---------------------------------------------------------------------------------------------
// Sealed cursors: what the API hands out. A store cursor names table keys (ids, the key design);
// the API seals it with AES-256-GCM under a per-district key, bound (as additional authenticated
// data) to the list it pages and the staff member it was issued to. An edited, forged, truncated
// or borrowed cursor fails authentication and is refused before any read.

const SEAL_VERSION = 1;
const IV_BYTES = 12;
const TAG_BYTES = 16;

/** Where the 32-byte key comes from: bytes, or a loader run once on first use (a Secrets Manager read on AWS). */
export type CursorKeySource = Uint8Array | (() => Promise<Uint8Array>);

/**
 * The cursor key from secret material (a Secrets Manager string, a key file): HKDF-SHA256 with the
 * district as salt, so one secret never yields the same key in two districts.
 */
export function cursorKeyFrom(material: string | Uint8Array, districtId: string): Uint8Array {
  const ikm = typeof material === 'string' ? Buffer.from(material, 'utf8') : material;
  if (ikm.length < 32) throw new Error('cursor key material must be at least 32 bytes');
  return new Uint8Array(hkdfSync('sha256', ikm, `shudi-cursor:${districtId}`, 'shudi cursor seal v1', 32));
}

export class CursorSeal {
  private key?: Promise<Uint8Array>;

  constructor(private readonly source: CursorKeySource) {}

  /** A key for this process only: tests, and any API built without the district's key (cursors do not survive a restart). */
  static ephemeral(): CursorSeal {
    return new CursorSeal(randomBytes(32));
  }

  private async keyBytes(): Promise<Uint8Array> {
    const src = this.source;
    this.key ??= (typeof src === 'function' ? src() : Promise.resolve(src)).then((k) => {
      if (k.length !== 32) throw new Error(`a cursor key is 32 bytes (got ${k.length})`);
      return k;
    });
    // A failed load (a Secrets Manager outage) is tried again by the next request.
    return this.key.catch((err) => {
      this.key = undefined;
      throw err;
    });
  }

  /** `version ‖ iv ‖ ciphertext ‖ tag`, base64url. */
  async seal(cursor: string, binding: string): Promise<string> {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv('aes-256-gcm', await this.keyBytes(), iv);
    cipher.setAAD(aadOf(binding));
    const body = Buffer.concat([cipher.update(cursor, 'utf8'), cipher.final()]);
    return Buffer.concat([Buffer.from([SEAL_VERSION]), iv, body, cipher.getAuthTag()]).toString('base64url');
  }

  /** The store cursor inside a sealed one; BadCursorError for anything this key did not seal for this binding. */
  async open(sealed: string, binding: string): Promise<string> {
    const key = await this.keyBytes();
    if (!/^[A-Za-z0-9_-]+$/.test(sealed)) throw new BadCursorError();
    const raw = Buffer.from(sealed, 'base64url');
    if (raw.length < 1 + IV_BYTES + TAG_BYTES + 1 || raw[0] !== SEAL_VERSION) throw new BadCursorError();
    try {
      const decipher = createDecipheriv('aes-256-gcm', key, raw.subarray(1, 1 + IV_BYTES));
      decipher.setAAD(aadOf(binding));
      decipher.setAuthTag(raw.subarray(raw.length - TAG_BYTES));
      return Buffer.concat([decipher.update(raw.subarray(1 + IV_BYTES, raw.length - TAG_BYTES)), decipher.final()]).toString('utf8');
    } catch {
      throw new BadCursorError();
    }
  }
}

const aadOf = (binding: string) => Buffer.from(`shudi-cursor-v${SEAL_VERSION}|${binding}`, 'utf8');
