import { describe, expect, it } from 'vitest';
import { mergeOpenApi } from './openapi-merge';

describe('mergeOpenApi', () => {
  it('puts every service path in one document and keeps clashing schemas apart', () => {
    const merged = mergeOpenApi([
      {
        paths: { '/api/v1/me': { get: {} } },
        components: { schemas: { Money: { type: 'object' } } },
        tags: [{ name: 'auth' }],
      },
      {
        paths: { '/api/v1/products': { get: {} } },
        components: { schemas: { Money: { type: 'string' } } },
        tags: [{ name: 'catalog' }],
      },
    ]);
    expect(Object.keys(merged.paths!)).toEqual(['/api/v1/me', '/api/v1/products']);
    expect(Object.keys(merged.components!.schemas!)).toHaveLength(2);
    expect(merged.tags!.map((t) => t.name)).toEqual(['auth', 'catalog']);
    expect(merged.openapi).toBe('3.1.0');
  });
});
