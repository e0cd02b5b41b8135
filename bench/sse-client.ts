/** Follows a shopper's SSE stream of order status changes, resolving waiters as statuses arrive. */
export class OrderStream {
  private readonly seen = new Map<string, string>();
  private readonly waiters = new Map<string, { statuses: Set<string>; resolve: (status: string) => void }>();
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
    this.seen.set(orderId, status);
    const waiter = this.waiters.get(orderId);
    if (waiter?.statuses.has(status)) {
      this.waiters.delete(orderId);
      waiter.resolve(status);
    }
  }

  /** Resolves with the first of `statuses` the order reaches (also if it already did). */
  waitFor(orderId: string, statuses: string[], timeoutMs = 60_000): Promise<string> {
    const current = this.seen.get(orderId);
    if (current && statuses.includes(current)) return Promise.resolve(current);
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
