import type { Money } from '../api/types';
import { formatMoney } from './money';

export function Price({ value, className }: { value: Money; className?: string }) {
  return <span className={className ?? 'price'}>{formatMoney(value)}</span>;
}
