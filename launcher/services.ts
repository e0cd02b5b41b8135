import { cartService } from '@bazaar/cart';
import { catalogService } from '@bazaar/catalog';
import { gatewayService } from '@bazaar/gateway';
import { identityService } from '@bazaar/identity';
import { inventoryService } from '@bazaar/inventory';
import { notificationsService } from '@bazaar/notifications';
import { ordersService } from '@bazaar/orders';
import { paymentsService } from '@bazaar/payments';
import type { ServiceDefinition, ServiceName } from '@bazaar/platform';
import { shippingService } from '@bazaar/shipping';

/**
 * Every service, in start order: identity first (its JWKS verifies everyone's tokens), the gRPC servers
 * before their clients, the gateway last.
 */
// biome-ignore lint/suspicious/noExplicitAny: each definition has its own config type.
export const services: readonly (readonly [ServiceName, ServiceDefinition<any>])[] = [
  ['identity', identityService],
  ['catalog', catalogService],
  ['inventory', inventoryService],
  ['cart', cartService],
  ['orders', ordersService],
  ['payments', paymentsService],
  ['shipping', shippingService],
  ['notifications', notificationsService],
  ['gateway', gatewayService],
];
