/** A status an order reached, and when the stream told (performance.now()). */
export interface Reached {
  status: string;
  atMs: number;
}

/** Follows a shopper's SSE stream of order status changes, resolving waiters as statuses arrive. */
export class OrderStream {
  /** Every status each order reached, in order: an order may pass the awaited one before anyone waits. */
  private readonly seen = new Map<string, Reached[]>();
  private readonly waiters = new Map<
    string,
    { statuses: Set<string>; resolve: (reached: Reached) => void }
  >();
  private readonly abort = new AbortController();

  private constructor() {}

  static async open(baseUrl: string, accessToken: string): Promise<OrderStream> {
    const stream = new OrderStream();
    const res = await fetch(`${baseUrl}/api/v1/events?access_token=${encodeURIComponent(accessToken)}`, {
      signal: stream.abort.signal,
      headers: { accept: 'text/event-stream' },
    });
    if (!res.ok || !res.body) throw new Error(`SSE → ${res.status}`);
    void stream.read(res.body);
    return stream;
  }

  private async read(body: ReadableStream<Uint8Array>) {
    const decoder = new TextDecoder();
    let buffer = '';
    try {
      for await (const chunk of body) {
        buffer += decoder.decode(chunk, { stream: true });
        let end = buffer.indexOf('\n\n');
        while (end >= 0) {
          const frame = buffer.slice(0, end);
          buffer = buffer.slice(end + 2);
          const data = frame
            .split('\n')
            .filter((l) => l.startsWith('data:'))
            .map((l) => l.slice(5).trim())
            .join('');
          if (data) this.onStatus(JSON.parse(data) as { orderId: string; status: string });
          end = buffer.indexOf('\n\n');
        }
      }
    } catch {
      // closed
    }
  }

  private onStatus({ orderId, status }: { orderId: string; status: string }) {
    const reached = { status, atMs: performance.now() };
    this.seen.set(orderId, [...(this.seen.get(orderId) ?? []), reached]);
    const waiter = this.waiters.get(orderId);
    if (waiter?.statuses.has(status)) {
      this.waiters.delete(orderId);
      waiter.resolve(reached);
    }
  }

  /**
   * Resolves with the first of `statuses` the order reaches, and when. An order may already be past it
   * (the checkout's answer can arrive after the order shipped and was delivered): the stream remembers.
   */
  waitFor(orderId: string, statuses: string[], timeoutMs = 60_000): Promise<Reached> {
    const earlier = this.seen.get(orderId)?.find((r) => statuses.includes(r.status));
    if (earlier) return Promise.resolve(earlier);
    return new Promise((resolve, reject) => {
      const timer = setTimeout(() => {
        this.waiters.delete(orderId);
        reject(new Error(`order ${orderId} timed out`));
      }, timeoutMs);
      this.waiters.set(orderId, {
        statuses: new Set(statuses),
        resolve: (s) => {
          clearTimeout(timer);
          resolve(s);
        },
      });
    });
  }

  close() {
    this.abort.abort();
  }
}
