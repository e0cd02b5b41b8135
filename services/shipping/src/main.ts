import { runServiceProcess } from '@bazaar/platform';
import { shippingService } from './service';

await runServiceProcess(shippingService);
