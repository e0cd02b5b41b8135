import { describe, expect, it } from 'vitest';
import { demoCategories, demoProducts } from './demo-products';
import { escapeXml, renderPlaceholderSvg } from './placeholder-image';

describe('demo catalog', () => {
  it('has sixty well-formed products over every category', () => {
    expect(demoProducts.length).toBeGreaterThanOrEqual(60);
    expect(new Set(demoProducts.map((p) => p.sku)).size).toBe(demoProducts.length);
    for (const c of demoCategories)
      expect(demoProducts.filter((p) => p.category === c.slug).length).toBeGreaterThanOrEqual(8);
    for (const p of demoProducts) {
      expect(Number.isInteger(p.priceAmount) && p.priceAmount > 0).toBe(true);
      expect(Number.isInteger(p.stock) && p.stock >= 0).toBe(true);
    }
    expect(demoProducts.filter((p) => p.stock === 0).length).toBeGreaterThanOrEqual(2);
  });

  it('renders escaped, well-formed placeholder images', () => {
    expect(escapeXml(`<a & "b" 'c'>`)).toBe('&lt;a &amp; &quot;b&quot; &apos;c&apos;&gt;');
    const svg = renderPlaceholderSvg({
      name: 'Pots & <pans> for a very long product name indeed',
      category: 'kitchen',
    });
    expect(svg.startsWith('<svg')).toBe(true);
    expect(svg.endsWith('</svg>')).toBe(true);
    expect(svg).toContain('width="400" height="300"');
    expect(svg).toContain('Pots &amp; &lt;pans&gt;');
  });
});
