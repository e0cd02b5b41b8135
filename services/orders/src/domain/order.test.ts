import { describe, expect, it } from 'vitest';
import { applyFact, cancel } from './order';
import type { Fact, OrderStatus } from './order-status';

const statuses: OrderStatus[] = ['PENDING', 'STOCK_RESERVED', 'PAID', 'COMPLETED', 'DELIVERED', 'CANCELLED'];

describe('order lifecycle', () => {
  const table: Record<Fact, Record<OrderStatus, string>> = {
    stockReserved: {
      PENDING: 'STOCK_RESERVED',
      STOCK_RESERVED: 'ignored',
      PAID: 'ignored',
      COMPLETED: 'ignored',
      DELIVERED: 'ignored',
      CANCELLED: 'ignored',
    },
    paid: {
      PENDING: 'too_early',
      STOCK_RESERVED: 'PAID',
      PAID: 'ignored',
      COMPLETED: 'ignored',
      DELIVERED: 'ignored',
      CANCELLED: 'ignored',
    },
    shipped: {
      PENDING: 'too_early',
      STOCK_RESERVED: 'too_early',
      PAID: 'COMPLETED',
      COMPLETED: 'ignored',
      DELIVERED: 'ignored',
      CANCELLED: 'ignored',
    },
    delivered: {
      PENDING: 'too_early',
      STOCK_RESERVED: 'too_early',
      PAID: 'too_early',
      COMPLETED: 'DELIVERED',
      DELIVERED: 'ignored',
      CANCELLED: 'ignored',
    },
  };

  for (const [fact, row] of Object.entries(table) as [Fact, Record<OrderStatus, string>][]) {
    it.each(statuses)(`${fact} on %s`, (status) => {
      const outcome = applyFact(status, fact);
      const expected = row[status];
      if (expected === 'ignored' || expected === 'too_early') expect(outcome.kind).toBe(expected);
      else expect(outcome).toEqual({ kind: 'applied', to: expected });
    });
  }

  it.each(statuses)('cancelling an order that is %s', (status) => {
    const outcome = cancel(status, 'CUSTOMER_REQUEST');
    expect(outcome.kind).toBe(
      ['PENDING', 'STOCK_RESERVED', 'PAID'].includes(status) ? 'cancelled' : 'refused',
    );
  });
});
