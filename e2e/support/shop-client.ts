import { randomUUID } from 'node:crypto';

export interface Session {
  user: { id: string; email: string; roles: string[] };
  accessToken: string;
  refreshToken: string;
}

export interface OrderView {
  id: string;
  status: string;
  cancelReason?: string;
  total: { amount: number; currency: string };
  history: { status: string; at: string }[];
  shipment?: { trackingNumber: string };
}

export const finalStatuses = new Set(['DELIVERED', 'CANCELLED']);

/** A shopper (or an admin) talking to the public API through the gateway, as a browser would. */
export class ShopClient {
  constructor(
    readonly baseUrl: string,
    readonly session?: Session,
  ) {}

  async request(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        ...(body !== undefined ? { 'content-type': 'application/json' } : {}),
        ...(this.session ? { authorization: `Bearer ${this.session.accessToken}` } : {}),
        ...headers,
      },
      body: body !== undefined ? JSON.stringify(body) : undefined,
    });
    const text = await res.text();
    let json: unknown;
    try {
      json = text ? JSON.parse(text) : undefined;
    } catch {
      json = undefined;
    }
    // biome-ignore lint/suspicious/noExplicitAny: response bodies are asserted by the tests.
    return { status: res.status, headers: res.headers, text, body: json as any };
  }

  async ok(method: string, path: string, body?: unknown, headers: Record<string, string> = {}) {
    const res = await this.request(method, path, body, headers);
    if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status} ${res.text}`);
    return res.body;
  }

  static async register(baseUrl: string, name = 'Shopper'): Promise<ShopClient> {
    const email = `shopper-${randomUUID()}@example.com`;
    const res = await new ShopClient(baseUrl).request('POST', '/api/v1/auth/register', {
      email,
      password: 'a-good-password-1',
      name,
    });
    if (res.status !== 201) throw new Error(`register → ${res.status} ${res.text}`);
    return new ShopClient(baseUrl, res.body as Session);
  }

  static async login(baseUrl: string, email: string, password: string): Promise<ShopClient> {
    const res = await new ShopClient(baseUrl).request('POST', '/api/v1/auth/login', { email, password });
    if (res.status !== 200) throw new Error(`login → ${res.status} ${res.text}`);
    return new ShopClient(baseUrl, res.body as Session);
  }

  addToCart(sku: string, quantity: number) {
    return this.ok('POST', '/api/v1/cart/items', { sku, quantity });
  }

  /** Checks the cart out, shipping to a fixed address, or to the saved one `addressId` names. */
  checkout(paymentMethod = 'pm_card_visa', key: string = randomUUID(), addressId?: string) {
    const shipTo = addressId
      ? { addressId }
      : {
          shippingAddress: {
            name: 'Ada Lovelace',
            line1: '12 Analytical Row',
            city: 'London',
            postalCode: 'N1 9GU',
            country: 'GB',
          },
        };
    return this.request('POST', '/api/v1/checkout', { ...shipTo, paymentMethod }, { 'idempotency-key': key });
  }

  /**
   * Checks out as a careful client does: a 503 (or a 409 while the first attempt still runs) is tried
   * again after its Retry-After, with the same Idempotency-Key, so that it can never place two orders.
   */
  async checkoutRetrying(paymentMethod = 'pm_card_visa', key: string = randomUUID(), budgetMs = 30_000) {
    const giveUpAt = Date.now() + budgetMs;
    for (;;) {
      // A gateway that is restarting refuses the connection or drops it: ask again, as a browser would.
      const res = await this.checkout(paymentMethod, key).catch((err: unknown) => {
        if (Date.now() > giveUpAt) throw err;
        return { status: 503, headers: new Headers(), text: '', body: undefined };
      });
      if ((res.status !== 503 && res.status !== 409) || Date.now() > giveUpAt) return res;
      const after = Number(res.headers.get('retry-after') ?? 1);
      await new Promise((r) => setTimeout(r, after * 1000));
    }
  }

  order(id: string): Promise<OrderView> {
    return this.ok('GET', `/api/v1/orders/${id}`);
  }

  /** Polls the order until `done` holds (by default: a final state). */
  async waitForOrder(
    id: string,
    done: (o: OrderView) => boolean = (o) => finalStatuses.has(o.status),
    timeoutMs = 60_000,
  ): Promise<OrderView> {
    const deadline = Date.now() + timeoutMs;
    let last: OrderView | undefined;
    while (Date.now() < deadline) {
      const res = await this.request('GET', `/api/v1/orders/${id}`);
      if (res.status === 200) {
        last = res.body as OrderView;
        if (done(last)) return last;
      }
      await new Promise((r) => setTimeout(r, 100));
    }
    throw new Error(`order ${id} did not finish in time; last seen ${JSON.stringify(last)}`);
  }
}

/** Creates a product with stock through the admin API and returns its SKU and price. */
export async function createStockedProduct(
  admin: ShopClient,
  options: { price?: number; stock: number; name?: string },
): Promise<{ sku: string; id: string; price: number }> {
  const sku = `E2E-${randomUUID().slice(0, 8).toUpperCase()}`;
  const price = options.price ?? 1999;
  const product = await admin.ok('POST', '/api/v1/products', {
    sku,
    name: options.name ?? `Test product ${sku}`,
    description: 'A product made for an end-to-end test.',
    category: 'kitchen',
    price: { amount: price, currency: 'EUR' },
  });
  await admin.ok('PUT', `/api/v1/inventory/${sku}`, { onHand: options.stock });
  return { sku, id: product.id, price };
}
