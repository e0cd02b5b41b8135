import type { ServerResponse } from 'node:http';

export interface OrderStatusUpdate {
  orderId: string;
  status: string;
  cancelReason?: string;
  at: string;
}

/** The open SSE connections of this gateway process, by user. */
export class LiveUpdates {
  private readonly byUser = new Map<string, Set<ServerResponse>>();

  add(userId: string, res: ServerResponse): () => void {
    let set = this.byUser.get(userId);
    if (!set) {
      set = new Set();
      this.byUser.set(userId, set);
    }
    set.add(res);
    return () => {
      set.delete(res);
      if (set.size === 0) this.byUser.delete(userId);
    };
  }

  publish(userId: string, update: OrderStatusUpdate): number {
    const connections = this.byUser.get(userId);
    if (!connections) return 0;
    const frame = `event: order-status\nid: ${update.orderId}:${update.status}\ndata: ${JSON.stringify(update)}\n\n`;
    for (const res of connections) res.write(frame);
    return connections.size;
  }

  /**
   * Tells every open stream that status changes may have been missed (the broker connection was lost):
   * a client reads its orders again. Returns how many streams were told.
   */
  resync(): number {
    let told = 0;
    for (const set of this.byUser.values()) {
      for (const res of set) {
        res.write('event: resync\ndata: {}\n\n');
        told++;
      }
    }
    return told;
  }

  get connections(): number {
    let n = 0;
    for (const set of this.byUser.values()) n += set.size;
    return n;
  }

  closeAll(): void {
    for (const set of this.byUser.values()) for (const res of set) res.end();
    this.byUser.clear();
  }
}
