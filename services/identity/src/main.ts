import { runServiceProcess } from '@bazaar/platform';
import { identityService } from './service';

await runServiceProcess(identityService);
