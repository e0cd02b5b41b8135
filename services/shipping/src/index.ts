export { shippingService } from './service';
