import { describe, expect, it } from 'vitest';
import { buildAsyncApiDocument } from './asyncapi';
import { createEvent, EventValidationError, parseEvent } from './envelope';
import { eventTypes, routingKeyOf } from './events';
import { addMoney, formatMoney, multiplyMoney } from './money';
import { sampleEventData } from './samples';

const options = { source: '/bazaar/test', correlationId: 'c-1' };

describe('events', () => {
  it.each(eventTypes)('%s round-trips through the envelope', (type) => {
    const event = createEvent(type, sampleEventData(type), options);
    expect(event.id).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-7[0-9a-f]{3}-/);
    expect(event.dataschema).toBe(`urn:bazaar:event:${type}:v1`);
    const parsed = parseEvent(JSON.parse(JSON.stringify(event)));
    expect(parsed).toEqual(event);
  });

  it.each([
    ['a missing field', (d: Record<string, unknown>) => delete d.email, 'data.email'],
    [
      'a float amount',
      (d: Record<string, unknown>) => ((d.total as { amount: number }).amount = 12.5),
      'data.total.amount',
    ],
    [
      'a bad currency',
      (d: Record<string, unknown>) => ((d.total as { currency: string }).currency = 'euro'),
      'data.total.currency',
    ],
    ['a bad order id', (d: Record<string, unknown>) => (d.orderId = 'x'), 'data.orderId'],
  ])('refuses %s, naming the path', (_what, spoil, path) => {
    const data = sampleEventData('OrderCreated') as unknown as Record<string, unknown>;
    spoil(data);
    expect(() => createEvent('OrderCreated', data as never, options)).toThrow(path);
    const raw = { ...createEvent('OrderCreated', sampleEventData('OrderCreated'), options), data };
    expect(() => parseEvent(raw)).toThrow(EventValidationError);
  });

  it('refuses unknown types and broken envelopes', () => {
    const good = createEvent('OrderCompleted', sampleEventData('OrderCompleted'), options);
    expect(() => parseEvent({ ...good, type: 'OrderTeleported' })).toThrow(/not a Bazaar event/);
    expect(() => parseEvent({ ...good, specversion: '0.3' })).toThrow(/specversion/);
    expect(() => parseEvent('hello')).toThrow(EventValidationError);
  });

  it('derives routing keys from names', () => {
    expect(routingKeyOf('OrderCreated')).toBe('order.created');
    expect(routingKeyOf('StockReservationFailed')).toBe('stock.reservation.failed');
    expect(routingKeyOf('CartCheckedOut')).toBe('cart.checked.out');
  });
});

describe('money', () => {
  it('adds and multiplies in minor units only', () => {
    expect(addMoney({ amount: 150, currency: 'EUR' }, { amount: 99, currency: 'EUR' })).toEqual({
      amount: 249,
      currency: 'EUR',
    });
    expect(multiplyMoney({ amount: 1250, currency: 'EUR' }, 3).amount).toBe(3750);
    expect(() => addMoney({ amount: 1, currency: 'EUR' }, { amount: 1, currency: 'USD' })).toThrow();
    expect(() => multiplyMoney({ amount: 1, currency: 'EUR' }, 1.5)).toThrow();
    expect(formatMoney({ amount: 1250, currency: 'EUR' })).toContain('12.50');
    // Minor units follow the currency: yen have none, dinars three.
    expect(formatMoney({ amount: 1250, currency: 'JPY' })).toContain('1,250');
    expect(formatMoney({ amount: 1250, currency: 'KWD' })).toContain('1.250');
  });
});

describe('AsyncAPI document', () => {
  const doc = buildAsyncApiDocument();
  it('describes every event with a channel, an operation and a message', () => {
    expect(doc.asyncapi).toBe('3.0.0');
    for (const type of eventTypes) {
      expect(doc.channels[type]).toMatchObject({ address: routingKeyOf(type) });
      expect(doc.operations[`publish${type}`]).toMatchObject({ action: 'send' });
      const message = doc.components.messages[type] as {
        payload: { properties: { data: Record<string, unknown> } };
      };
      expect(message.payload.properties.data).toMatchObject({ type: 'object' });
      expect(JSON.stringify(message)).not.toContain('$schema');
    }
  });
});
