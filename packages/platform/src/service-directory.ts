/** Where each service listens by default; every address can be overridden with `<NAME>_URL`. */
export const serviceDirectory = {
  gateway: { port: 8080 },
  identity: { port: 8081, grpcPort: 9081 },
  catalog: { port: 8082, grpcPort: 9082 },
  inventory: { port: 8083, grpcPort: 9083 },
  cart: { port: 8084 },
  orders: { port: 8085 },
  payments: { port: 8086 },
  shipping: { port: 8087 },
  notifications: { port: 8088 },
} as const;

export type ServiceName = keyof typeof serviceDirectory;

/**
 * The services that consume events, each through a durable queue (and dead-letter queue) named after it.
 * The gateway's queues are live ones that keep no dead letters; identity consumes nothing.
 */
export const consumingServices = [
  'cart',
  'catalog',
  'inventory',
  'notifications',
  'orders',
  'payments',
  'shipping',
] as const satisfies readonly ServiceName[];

export function serviceUrl(name: ServiceName, env: NodeJS.ProcessEnv = process.env): string {
  return env[`${name.toUpperCase()}_URL`] ?? `http://127.0.0.1:${serviceDirectory[name].port}`;
}

export function grpcUrl(
  name: 'identity' | 'catalog' | 'inventory',
  env: NodeJS.ProcessEnv = process.env,
): string {
  return env[`${name.toUpperCase()}_GRPC_URL`] ?? `http://127.0.0.1:${serviceDirectory[name].grpcPort}`;
}
