import { runServiceProcess } from '@bazaar/platform';
import { cartService } from './service';

await runServiceProcess(cartService);
