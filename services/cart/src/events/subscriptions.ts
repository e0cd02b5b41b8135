import { on } from '@bazaar/platform';
import type { CartService } from '../services/cart.service';

/** Everything cart listens to. */
export const cartSubscriptions = (carts: CartService) => [
  on('PriceChanged', (event, tx) =>
    carts.applyPriceChange(tx, event.data.sku, event.data.newPrice.amount, event.data.newPrice.currency),
  ),
];
