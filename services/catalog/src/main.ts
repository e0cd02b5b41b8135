import { runServiceProcess } from '@bazaar/platform';
import { catalogService } from './service';

await runServiceProcess(catalogService);
