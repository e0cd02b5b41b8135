import { on } from '@bazaar/platform';
import type { CatalogService } from '../services/catalog.service';

/** Everything catalog listens to. */
export const catalogSubscriptions = (catalog: CatalogService) => [
  on('StockChanged', async (event, tx) => {
    await catalog.recordAvailability(tx, event.data.sku, event.data.available, new Date(event.time));
  }),
];
