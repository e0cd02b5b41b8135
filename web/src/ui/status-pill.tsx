import { statusLabels, toneOf } from '../account/order-status';
import type { OrderStatus } from '../api/types';

export function StatusPill({ status }: { status: OrderStatus }) {
  return <span className={`pill pill--${toneOf(status)}`}>{statusLabels[status]}</span>;
}
