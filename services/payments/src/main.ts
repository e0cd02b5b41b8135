import { runServiceProcess } from '@bazaar/platform';
import { paymentsService } from './service';

await runServiceProcess(paymentsService);
