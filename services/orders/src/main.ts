import { runServiceProcess } from '@bazaar/platform';
import { ordersService } from './service';

await runServiceProcess(ordersService);
