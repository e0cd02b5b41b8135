import type { Db } from '@bazaar/platform';
import { eq, sql } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import { providerCharges } from '../db/schema';
import { behaviourOf } from './test-cards';

export type ChargeResult =
  | { outcome: 'succeeded'; chargeId: string; brand: string; last4: string }
  | { outcome: 'declined'; reason: 'DECLINED' | 'INSUFFICIENT_FUNDS'; message: string; last4: string };

export class ProviderTransientError extends Error {
  constructor(message: string) {
    super(message);
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

  async charge(request: ChargeRequest): Promise<ChargeResult> {
    const [entry] = await this.db
      .insert(providerCharges)
      .values({
        idempotencyKey: request.idempotencyKey,
        orderId: request.orderId,
        amount: request.amount,
        currency: request.currency,
        paymentMethod: request.paymentMethod,
        attempts: 1,
      })
      .onConflictDoUpdate({
        target: providerCharges.idempotencyKey,
        set: { attempts: sql`${providerCharges.attempts} + 1` },
      })
      .returning();
    if (entry!.outcome === 'succeeded') {
      const card = behaviourOf(entry!.paymentMethod);
      return {
        outcome: 'succeeded',
        chargeId: entry!.chargeId!,
        brand: 'brand' in card ? card.brand : 'card',
        last4: card.last4,
      };
    }
    if (entry!.outcome === 'declined') {
      const card = behaviourOf(entry!.paymentMethod);
      return {
        outcome: 'declined',
        reason: entry!.declineReason as 'DECLINED' | 'INSUFFICIENT_FUNDS',
        message: card.kind === 'declines' ? card.message : 'Declined.',
        last4: card.last4,
      };
    }
    const card = behaviourOf(request.paymentMethod);
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
    const chargeId = `ch_${uuidv7().replace(/-/g, '')}`;
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
