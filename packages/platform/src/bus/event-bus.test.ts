import { describe, expect, it } from 'vitest';
import { matchesRoutingKey } from './event-bus';

describe('matchesRoutingKey', () => {
  it.each([
    ['order.created', 'order.created', true],
    ['order.created', 'order.cancelled', false],
    ['order.*', 'order.created', true],
    ['order.*', 'order.status.changed', false],
    ['order.#', 'order.status.changed', true],
    ['#', 'stock.reservation.failed', true],
    ['*.created', 'product.created', true],
    ['stock.#.failed', 'stock.reservation.failed', true],
  ])('%s against %s is %s', (pattern, key, expected) => {
    expect(matchesRoutingKey(pattern, key)).toBe(expected);
  });
});
