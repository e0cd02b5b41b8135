import {
  type CancelReason,
  cancellable,
  type Fact,
  type OrderStatus,
  progress,
  transitions,
} from './order-status';

/**
 * What a fact does to an order in a given status:
 * - `applied`: it moves the order on;
 * - `ignored`: the order is already past it (a duplicate) or cancelled (the compensation is under way);
 * - `too_early`: a step in between has not been seen yet, so the fact must wait and be retried.
 */
export type Outcome =
  | { kind: 'applied'; to: OrderStatus }
  | { kind: 'ignored'; why: string }
  | { kind: 'too_early' };

export function applyFact(status: OrderStatus, fact: Fact): Outcome {
  const { from, to } = transitions[fact];
  if (status === from) return { kind: 'applied', to };
  if (status === 'CANCELLED') return { kind: 'ignored', why: 'order is cancelled' };
  return progress.indexOf(status) >= progress.indexOf(to)
    ? { kind: 'ignored', why: `already ${status}` }
    : { kind: 'too_early' };
}

export type CancelOutcome = { kind: 'cancelled'; reason: CancelReason } | { kind: 'refused'; why: string };

export function cancel(status: OrderStatus, reason: CancelReason): CancelOutcome {
  if (status === 'CANCELLED') return { kind: 'refused', why: 'the order is already cancelled' };
  if (!cancellable.includes(status)) return { kind: 'refused', why: 'the order has already shipped' };
  return { kind: 'cancelled', reason };
}
