import { describe, expect, it } from 'vitest';
import { escapeHtml, orderEmails, welcomeEmail } from './order-emails';

const orderId = '0190b5c8-4c2a-7a10-8000-00000000abcd';

describe('order emails', () => {
  it('formats lines and totals in minor units as money', () => {
    const mail = orderEmails.ORDER_PLACED({
      name: 'Ada',
      orderId,
      lines: [{ name: 'Stoneware mug', quantity: 2, unitPrice: { amount: 1250, currency: 'EUR' } }],
      total: { amount: 2500, currency: 'EUR' },
    });
    expect(mail.subject).toBe('We have your order 0000ABCD');
    expect(mail.text).toContain('2 × Stoneware mug — €12.50');
    expect(mail.text).toContain('Total: €25.00');
    expect(mail.text).toContain(orderId);
  });

  it('explains a cancellation in plain words', () => {
    expect(
      orderEmails.ORDER_CANCELLED({ name: 'Ada', orderId, cancelReason: 'OUT_OF_STOCK' }).text,
    ).toContain('because an item is out of stock');
    expect(
      orderEmails.ORDER_CANCELLED({ name: 'Ada', orderId, cancelReason: 'PAYMENT_DECLINED' }).text,
    ).toContain('the payment was declined');
  });

  it('names the tracking number once shipped, and escapes HTML', () => {
    const mail = orderEmails.ORDER_SHIPPED({
      name: '<script>x</script>',
      orderId,
      trackingNumber: 'BZ7KQ2M9XR4T',
    });
    expect(mail.text).toContain('BZ7KQ2M9XR4T');
    expect(mail.html).not.toContain('<script>');
    expect(escapeHtml(`<a href="x">'&'</a>`)).toBe('&lt;a href=&quot;x&quot;&gt;&#39;&amp;&#39;&lt;/a&gt;');
  });

  it('greets a new account by name, with no order to name', () => {
    const mail = welcomeEmail({ name: 'Ada <3' });
    expect(mail.subject).toBe('Welcome to Bazaar');
    expect(mail.text).toMatch(/^Hello Ada <3,/);
    expect(mail.text).not.toContain('Order ');
    expect(mail.html).toContain('Hello Ada &lt;3,');
  });
});
