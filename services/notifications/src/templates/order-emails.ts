import { type CancelReason, formatMoney, type Money } from '@bazaar/contracts';
import type { OrderNotificationKind } from '../db/schema';

export interface EmailContent {
  subject: string;
  text: string;
  html: string;
}

export interface OrderEmailData {
  name: string;
  orderId: string;
  lines?: { name: string; quantity: number; unitPrice: Money }[];
  total?: Money;
  trackingNumber?: string;
  cancelReason?: CancelReason;
}

export function escapeHtml(text: string): string {
  return text.replace(
    /[<>&"']/g,
    (c) => ({ '<': '&lt;', '>': '&gt;', '&': '&amp;', '"': '&quot;', "'": '&#39;' })[c]!,
  );
}

const reasons: Record<CancelReason, string> = {
  OUT_OF_STOCK: 'an item is out of stock',
  PAYMENT_DECLINED: 'the payment was declined',
  TIMEOUT: 'it could not be completed in time',
  CUSTOMER_REQUEST: 'you asked us to cancel it',
  OPERATOR_REQUEST: 'our team had to cancel it',
};

const shortId = (orderId: string) => orderId.slice(-8).toUpperCase();

/** The parts every email shares; an order's email also lists its lines, total and number. */
function render(
  subject: string,
  greeting: string,
  paragraphs: string[],
  data: Partial<OrderEmailData>,
): EmailContent {
  const lines = data.lines ?? [];
  const lineText = lines.map((l) => `  ${l.quantity} × ${l.name} — ${formatMoney(l.unitPrice)}`);
  const text = [
    greeting,
    '',
    ...paragraphs,
    ...(lines.length ? ['', ...lineText] : []),
    ...(data.total ? ['', `Total: ${formatMoney(data.total)}`] : []),
    '',
    ...(data.orderId ? [`Order ${data.orderId}`] : []),
    '— Bazaar',
  ].join('\n');
  const html = `<!doctype html><html><body style="font-family:system-ui,sans-serif;color:#222">
<p>${escapeHtml(greeting)}</p>
${paragraphs.map((p) => `<p>${escapeHtml(p)}</p>`).join('\n')}
${lines.length ? `<ul>${lines.map((l) => `<li>${l.quantity} × ${escapeHtml(l.name)} — ${escapeHtml(formatMoney(l.unitPrice))}</li>`).join('')}</ul>` : ''}
${data.total ? `<p><strong>Total: ${escapeHtml(formatMoney(data.total))}</strong></p>` : ''}
${data.orderId ? `<p style="color:#777">Order ${escapeHtml(data.orderId)}</p>` : ''}</body></html>`;
  return { subject, text, html };
}

/** Greets a new account. */
export const welcomeEmail = (d: { name: string }): EmailContent =>
  render(
    'Welcome to Bazaar',
    `Hello ${d.name},`,
    [
      'Your Bazaar account is ready. Sign in with this email address to shop, check out and follow your orders.',
      'We will write to you here at each step of every order.',
    ],
    {},
  );

/** One template per customer-facing step of an order. */
export const orderEmails: Record<OrderNotificationKind, (d: OrderEmailData) => EmailContent> = {
  ORDER_PLACED: (d) =>
    render(
      `We have your order ${shortId(d.orderId)}`,
      `Hello ${d.name},`,
      ['Thank you for your order. We are reserving your items and taking payment now.'],
      d,
    ),
  ORDER_PAID: (d) =>
    render(
      `Payment received for order ${shortId(d.orderId)}`,
      `Hello ${d.name},`,
      ['Your payment went through. We are packing your order.'],
      d,
    ),
  ORDER_SHIPPED: (d) =>
    render(
      `Order ${shortId(d.orderId)} is on its way`,
      `Hello ${d.name},`,
      [`Your order has shipped with Bazaar Post. Tracking number: ${d.trackingNumber ?? 'pending'}.`],
      d,
    ),
  ORDER_DELIVERED: (d) =>
    render(
      `Order ${shortId(d.orderId)} was delivered`,
      `Hello ${d.name},`,
      ['Your order was delivered. Enjoy!'],
      d,
    ),
  ORDER_CANCELLED: (d) =>
    render(
      `Order ${shortId(d.orderId)} was cancelled`,
      `Hello ${d.name},`,
      [
        `We cancelled your order because ${d.cancelReason ? reasons[d.cancelReason] : 'it could not be completed'}.`,
        'Anything you paid is refunded, and nothing more will be charged.',
      ],
      d,
    ),
};
