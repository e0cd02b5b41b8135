import { runServiceProcess } from '@bazaar/platform';
import { inventoryService } from './service';

await runServiceProcess(inventoryService);
