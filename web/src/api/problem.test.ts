import { describe, expect, it } from 'vitest';
import { ApiError, messageOf, readProblem } from './problem';

const problemResponse = (status: number, body: unknown) =>
  new Response(typeof body === 'string' ? body : JSON.stringify(body), {
    status,
    headers: { 'content-type': 'application/problem+json' },
  });

describe('problem+json in the web app', () => {
  it('tells the detail of a 4xx and keeps its code', async () => {
    const error = await readProblem(
      problemResponse(409, { status: 409, code: 'cart.insufficient_stock', detail: 'Only 2 left of MUG-1.' }),
    );
    expect(error).toBeInstanceOf(ApiError);
    expect(error.message).toBe('Only 2 left of MUG-1.');
    expect(error.code).toBe('cart.insufficient_stock');
    expect(error.status).toBe(409);
  });

  it('maps validation errors onto form fields and names them in the message', async () => {
    const error = await readProblem(
      problemResponse(400, {
        code: 'request.invalid',
        detail: 'body.shippingAddress.city: Too small',
        errors: [
          { path: 'body.shippingAddress.city', message: 'Too small' },
          { path: 'body.price.amount', message: 'Expected integer' },
        ],
      }),
    );
    expect(error.fieldErrors).toEqual({
      'shippingAddress.city': 'Too small',
      'price.amount': 'Expected integer',
    });
    expect(error.message).toBe(
      'Please check shippingAddress.city: Too small; price.amount: Expected integer.',
    );
  });

  it('keeps server failures generic and survives a body that is not JSON', async () => {
    const busy = await readProblem(problemResponse(503, { detail: 'pool exhausted at db-3' }));
    expect(busy.message).toBe('The shop is busy; try again in a moment.');
    const html = await readProblem(new Response('<html>bad gateway</html>', { status: 502 }));
    expect(html.message).toBe('A service did not answer; try again in a moment.');
    expect(html.code).toBe('http.502');
    expect(messageOf(new TypeError('Failed to fetch'))).toMatch(/Cannot reach the shop/);
  });
});
