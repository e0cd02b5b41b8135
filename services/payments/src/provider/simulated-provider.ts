import type { Db } from '@bazaar/platform';
import { eq, sql } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import { providerCharges } from '../db/schema';
import { behaviourOf } from './test-cards';

export type ChargeResult =
  | { outcome: 'succeeded'; chargeId: string; brand: string; last4: string }
  | { outcome: 'declined'; reason: 'DECLINED' | 'INSUFFICIENT_FUNDS'; message: string; last4: string };

const newChargeId = () => `ch_${uuidv7().replace(/-/g, '')}`;

export class ProviderTransientError extends Error {
  constructor(message: string, options?: { cause?: unknown }) {
    super(message, options);
    this.name = 'ProviderTransientError';
  }
}

export interface ChargeRequest {
  idempotencyKey: string;
  orderId: string;
  amount: number;
  currency: string;
  paymentMethod: string;
}

/**
 * A card provider in test mode. Like a real one it is idempotent by key: asking again with a key it
 * has answered returns the same answer, never a second charge. It runs outside the caller's
 * transactions, as a remote system would.
 */
export class SimulatedProvider {
  constructor(
    private readonly db: Db,
    private readonly slowMs: number,
  ) {}

  /**
   * A failure inside the provider (here: its storage, say a database restart) reaches the caller as a
   * real provider's 500 would: a transient error, to be retried with the same key, never a decline.
   */
  async charge(request: ChargeRequest): Promise<ChargeResult> {
    try {
      return await this.answer(request);
    } catch (err) {
      if (err instanceof ProviderTransientError) throw err;
      throw new ProviderTransientError('provider error (500)', { cause: err });
    }
  }

  private async answer(request: ChargeRequest): Promise<ChargeResult> {
    const card = behaviourOf(request.paymentMethod);
    // A card whose answer does not depend on the attempt is answered by the statement that records the
    // request; a key seen before keeps its first answer (the update only counts the attempt).
    const decided =
      card.kind === 'succeeds'
        ? { outcome: 'succeeded' as const, chargeId: newChargeId() }
        : card.kind === 'declines'
          ? { outcome: 'declined' as const, declineReason: card.reason }
          : {};
    const [entry] = await this.db
      .insert(providerCharges)
      .values({
        idempotencyKey: request.idempotencyKey,
        orderId: request.orderId,
        amount: request.amount,
        currency: request.currency,
        paymentMethod: request.paymentMethod,
        attempts: 1,
        ...decided,
      })
      .onConflictDoUpdate({
        target: providerCharges.idempotencyKey,
        set: { attempts: sql`${providerCharges.attempts} + 1` },
      })
      .returning();
    if (entry!.outcome === 'succeeded') {
      const stored = behaviourOf(entry!.paymentMethod);
      return {
        outcome: 'succeeded',
        chargeId: entry!.chargeId!,
        brand: 'brand' in stored ? stored.brand : 'card',
        last4: stored.last4,
      };
    }
    if (entry!.outcome === 'declined') {
      const stored = behaviourOf(entry!.paymentMethod);
      return {
        outcome: 'declined',
        reason: entry!.declineReason as 'DECLINED' | 'INSUFFICIENT_FUNDS',
        message: stored.kind === 'declines' ? stored.message : 'Declined.',
        last4: stored.last4,
      };
    }
    const attempt = entry!.attempts;
    switch (card.kind) {
      case 'declines':
        await this.record(request.idempotencyKey, { outcome: 'declined', declineReason: card.reason });
        return { outcome: 'declined', reason: card.reason, message: card.message, last4: card.last4 };
      case 'flaky':
        if (attempt <= card.failures)
          throw new ProviderTransientError('provider temporarily unavailable (503)');
        return this.succeed(request.idempotencyKey, card.brand, card.last4);
      case 'slow':
        if (attempt === 1) {
          // The first request is processed, but only after the caller has stopped waiting.
          await new Promise((r) => setTimeout(r, this.slowMs));
          return this.succeed(request.idempotencyKey, card.brand, card.last4);
        }
        throw new ProviderTransientError('a request with this key is still being processed (409)');
      case 'succeeds':
        return this.succeed(request.idempotencyKey, card.brand, card.last4);
    }
  }

  private async succeed(key: string, brand: string, last4: string): Promise<ChargeResult> {
    const chargeId = newChargeId();
    // Only the first success under a key counts; a racing twin gets the stored charge.
    const [stored] = await this.db
      .update(providerCharges)
      .set({ outcome: 'succeeded', chargeId: sql`coalesce(${providerCharges.chargeId}, ${chargeId})` })
      .where(eq(providerCharges.idempotencyKey, key))
      .returning({ chargeId: providerCharges.chargeId });
    return { outcome: 'succeeded', chargeId: stored!.chargeId!, brand, last4 };
  }

  private async record(key: string, values: { outcome: 'declined'; declineReason: string }) {
    await this.db.update(providerCharges).set(values).where(eq(providerCharges.idempotencyKey, key));
  }
}
