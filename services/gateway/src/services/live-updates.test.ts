import type { ServerResponse } from 'node:http';
import { describe, expect, it } from 'vitest';
import { LiveUpdates } from './live-updates';

/** A stand-in for an open SSE response: it keeps what is written to it. */
const stream = () => {
  const frames: string[] = [];
  return {
    frames,
    res: { write: (f: string) => frames.push(f) > 0, end: () => {} } as unknown as ServerResponse,
  };
};

describe('LiveUpdates', () => {
  it("sends a status change to its owner's streams only, and a resync to every stream", () => {
    const live = new LiveUpdates();
    const [mine, mineToo, theirs] = [stream(), stream(), stream()];
    live.add('u1', mine.res);
    const remove = live.add('u1', mineToo.res);
    live.add('u2', theirs.res);
    const update = { orderId: 'o1', status: 'PAID', at: '2026-11-26T10:00:00.000Z' };
    expect(live.publish('u1', update)).toBe(2);
    expect(mine.frames).toEqual([`event: order-status\nid: o1:PAID\ndata: ${JSON.stringify(update)}\n\n`]);
    expect(theirs.frames).toEqual([]);

    remove();
    expect(live.resync()).toBe(2);
    expect(mine.frames.at(-1)).toBe('event: resync\ndata: {}\n\n');
    expect(theirs.frames).toEqual(['event: resync\ndata: {}\n\n']);
    expect(mineToo.frames).toHaveLength(1);
  });
});
