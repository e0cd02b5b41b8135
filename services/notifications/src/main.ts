import { runServiceProcess } from '@bazaar/platform';
import { notificationsService } from './service';

await runServiceProcess(notificationsService);
