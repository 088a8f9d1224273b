// Opaque page cursors: the LastEvaluatedKey, base64url-encoded. A malformed cursor is a caller error.
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
