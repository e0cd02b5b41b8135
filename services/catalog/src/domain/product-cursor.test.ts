import { describe, expect, it } from 'vitest';
import { decodeCursor, encodeCursor } from './product-cursor';

describe('product cursors', () => {
  it('round-trips both kinds', () => {
    const keyset = { kind: 'keyset', name: 'Mug', id: '0190b5c8-4c2a-7a10-8000-000000000001' } as const;
    expect(decodeCursor(encodeCursor(keyset))).toEqual(keyset);
    expect(decodeCursor(encodeCursor({ kind: 'offset', offset: 40 }))).toEqual({
      kind: 'offset',
      offset: 40,
    });
  });

  it.each([
    'nonsense',
    encodeCursor({ kind: 'offset', offset: -1 }),
    Buffer.from('{"kind":"x"}').toString('base64url'),
  ])('refuses %s', (raw) => {
    expect(() => decodeCursor(raw)).toThrow(/cursor/);
  });
});
