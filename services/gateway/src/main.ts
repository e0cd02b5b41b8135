import { runServiceProcess } from '@bazaar/platform';
import { gatewayService } from './service';

await runServiceProcess(gatewayService);
