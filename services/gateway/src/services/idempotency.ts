import { createHash } from 'node:crypto';
import type { KeyValueStore, Logger } from '@bazaar/platform';

/** What a key remembers: the request's fingerprint and, once known, the answer to replay. */
export type IdempotencyRecord =
  | { state: 'running'; fingerprint: string }
  | { state: 'done'; fingerprint: string; status: number; contentType: string; body: string };

export type IdempotencyDecision =
  | { kind: 'proceed' }
  | { kind: 'replay'; record: Extract<IdempotencyRecord, { state: 'done' }> }
  | { kind: 'in_progress' }
  | { kind: 'mismatch' };

export const fingerprintOf = (method: string, path: string, body: Buffer) =>
  createHash('sha256').update(method).update('\n').update(path).update('\n').update(body).digest('base64url');

/**
 * Idempotency keys as payment providers keep them: per caller, remembering the first answer and a
 * fingerprint of the request it answered.
 */
export class IdempotencyStore {
  /**
   * @param ttlSeconds how long an answer is kept for replay.
   * @param runningTtlSeconds how long a request in progress holds its key: a little longer than the
   *   gateway waits for any answer, so that the key of a request whose gateway died (a crash, a restart)
   *   is free for the client's retry within seconds, not minutes.
   * @param settleForMs how long a write the store refused is tried again (each second) before the key is
   *   left to expire.
   */
  constructor(
    private readonly kv: KeyValueStore,
    private readonly ttlSeconds: number,
    private readonly runningTtlSeconds: number,
    private readonly logger?: Logger,
    private readonly settleForMs = runningTtlSeconds * 1000,
  ) {}

  private keyOf(scope: string, key: string) {
    return `gateway:idempotency:${scope}:${createHash('sha256').update(key).digest('base64url')}`;
  }

  async begin(scope: string, key: string, fingerprint: string): Promise<IdempotencyDecision> {
    const storeKey = this.keyOf(scope, key);
    const running: IdempotencyRecord = { state: 'running', fingerprint };
    // A request that never finishes (its client vanished, the gateway crashed) frees its key soon.
    if (await this.kv.setIfAbsent(storeKey, JSON.stringify(running), this.runningTtlSeconds))
      return { kind: 'proceed' };
    const raw = await this.kv.get(storeKey);
    // It expired between the two calls: try once more as the first.
    if (raw === null) return this.begin(scope, key, fingerprint);
    const record = JSON.parse(raw) as IdempotencyRecord;
    if (record.fingerprint !== fingerprint) return { kind: 'mismatch' };
    return record.state === 'running' ? { kind: 'in_progress' } : { kind: 'replay', record };
  }

  /**
   * Keeps the answer to replay. Never throws: the answer reaches its client whatever happens here. If
   * the store cannot be reached (Redis restarting), the write is tried again each second until it lands,
   * so that a retry is soon answered instead of being told the first request is still running.
   */
  finish(scope: string, key: string, record: Extract<IdempotencyRecord, { state: 'done' }>) {
    const storeKey = this.keyOf(scope, key);
    return this.settle(() => this.kv.set(storeKey, JSON.stringify(record), this.ttlSeconds));
  }

  /**
   * Forgets a key whose request failed on the server side, so the client can simply retry; tried again
   * like `finish` when the store cannot be reached.
   */
  release(scope: string, key: string) {
    const storeKey = this.keyOf(scope, key);
    return this.settle(() => this.kv.del(storeKey));
  }

  private async settle(write: () => Promise<unknown>): Promise<void> {
    const giveUpAt = Date.now() + this.settleForMs;
    const attempt = async (): Promise<void> => {
      try {
        await write();
      } catch (err) {
        if (Date.now() >= giveUpAt) {
          this.logger?.warn({ err }, 'an idempotency key could not be settled; it expires on its own');
          return;
        }
        setTimeout(() => void attempt(), 1000).unref();
      }
    };
    await attempt();
  }
}
