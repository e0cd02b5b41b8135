import { fileURLToPath } from 'node:url';
import { PlatformEnv, serviceDirectory, serviceUrl } from '@bazaar/platform';
import { z } from 'zod';

const upstream = (name: Parameters<typeof serviceUrl>[0]) => z.url().default(serviceUrl(name, {}));

export const GatewayConfig = PlatformEnv.extend({
  PORT: z.coerce.number().int().min(0).max(65535).default(serviceDirectory.gateway.port),
  IDENTITY_URL: upstream('identity'),
  CATALOG_URL: upstream('catalog'),
  INVENTORY_URL: upstream('inventory'),
  CART_URL: upstream('cart'),
  ORDERS_URL: upstream('orders'),
  PAYMENTS_URL: upstream('payments'),
  SHIPPING_URL: upstream('shipping'),
  NOTIFICATIONS_URL: upstream('notifications'),
  /** Requests per minute per signed-in user, or per IP address for anonymous callers. */
  RATE_LIMIT_MAX: z.coerce.number().int().positive().default(1200),
  /** Requests per minute per IP address on the sign-in and registration routes. */
  AUTH_RATE_LIMIT_MAX: z.coerce.number().int().positive().default(30),
  UPSTREAM_TIMEOUT_MS: z.coerce.number().int().positive().default(10_000),
  BODY_LIMIT_BYTES: z.coerce.number().int().positive().default(65_536),
  IDEMPOTENCY_TTL_SECONDS: z.coerce.number().int().positive().default(86_400),
  /** The web app's build, served at `/`; the default is the repository's (or dist/'s) web/dist. */
  WEB_DIST_DIR: z
    .string()
    .min(1)
    .default(fileURLToPath(new URL('../../../web/dist', import.meta.url))),
});
export type GatewayConfig = z.infer<typeof GatewayConfig>;

/** Which service answers which public path prefix. */
export function routingTable(config: GatewayConfig) {
  return [
    { prefix: '/api/v1/auth', upstream: config.IDENTITY_URL, auth: true },
    { prefix: '/api/v1/me', upstream: config.IDENTITY_URL },
    { prefix: '/api/v1/products', upstream: config.CATALOG_URL },
    { prefix: '/api/v1/categories', upstream: config.CATALOG_URL },
    { prefix: '/api/v1/inventory', upstream: config.INVENTORY_URL },
    { prefix: '/api/v1/cart', upstream: config.CART_URL },
    { prefix: '/api/v1/checkout', upstream: config.CART_URL },
    { prefix: '/api/v1/orders', upstream: config.ORDERS_URL },
    { prefix: '/api/v1/payments', upstream: config.PAYMENTS_URL },
    { prefix: '/api/v1/shipments', upstream: config.SHIPPING_URL },
    { prefix: '/api/v1/notifications', upstream: config.NOTIFICATIONS_URL },
  ];
}
