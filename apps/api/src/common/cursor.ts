import { ErrorCode } from '@relayboard/contracts';
import { DomainError } from './domain-error';

/**
 * Keyset pagination: a cursor is the sort key of the last item of a page,
 * opaque to clients (base64url JSON). A page after it is found with an index,
 * however deep, and stays right while new rows arrive.
 */
export function encodeCursor(key: (string | number)[]): string {
  return Buffer.from(JSON.stringify(key)).toString('base64url');
}

export function decodeCursor(cursor: string, shape: ('string' | 'number')[]): (string | number)[] {
  let key: unknown;
  try {
    key = JSON.parse(Buffer.from(cursor, 'base64url').toString('utf8'));
  } catch {
    key = null;
  }
  if (!Array.isArray(key) || key.length !== shape.length || key.some((part, i) => typeof part !== shape[i])) {
    throw new DomainError(
      ErrorCode.ValidationFailed,
      'invalid request query: cursor: is not a cursor this api gave out (use nextCursor from the previous page, or leave it out for the first page)',
    );
  }
  return key as (string | number)[];
}

/** The page and the cursor of the next one (null on the last page), from limit + 1 rows. */
export function page<T>(
  rows: T[],
  limit: number,
  keyOf: (row: T) => (string | number)[],
): { items: T[]; nextCursor: string | null } {
  const items = rows.slice(0, limit);
  return { items, nextCursor: rows.length > limit ? encodeCursor(keyOf(items[items.length - 1])) : null };
}
