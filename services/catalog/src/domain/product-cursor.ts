import { invalid } from '@bazaar/platform';

/**
 * Opaque page cursors. Browsing walks (name, id) keyset pages, which stay stable while products change;
 * search results are ranked, so their cursor is a position in the ranking.
 */
export type ProductCursor = { kind: 'keyset'; name: string; id: string } | { kind: 'offset'; offset: number };

export function encodeCursor(cursor: ProductCursor): string {
  return Buffer.from(JSON.stringify(cursor)).toString('base64url');
}

export function decodeCursor(raw: string): ProductCursor {
  try {
    const value = JSON.parse(Buffer.from(raw, 'base64url').toString('utf8')) as ProductCursor;
    if (value.kind === 'keyset' && typeof value.name === 'string' && typeof value.id === 'string')
      return value;
    if (value.kind === 'offset' && Number.isInteger(value.offset) && value.offset >= 0) return value;
  } catch {
    // fall through
  }
  throw invalid('catalog.invalid_cursor', 'The cursor is not one this API handed out.');
}
