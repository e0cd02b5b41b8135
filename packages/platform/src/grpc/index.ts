export * from './circuit-breaker';
export * as catalogV1 from './gen/bazaar/catalog/v1/catalog_pb';
export * as identityV1 from './gen/bazaar/identity/v1/identity_pb';
export * as inventoryV1 from './gen/bazaar/inventory/v1/inventory_pb';
export * as healthV1 from './gen/grpc/health/v1/health_pb';
export * from './grpc-client';
export * from './grpc-server';
