import { describe, expect, it } from 'vitest';
import { serviceOfRpc } from './rpc-spans';

describe('serviceOfRpc', () => {
  it('names the service that serves a Bazaar RPC, and none for others', () => {
    expect(serviceOfRpc('bazaar.catalog.v1.CatalogService')).toBe('catalog');
    expect(serviceOfRpc('bazaar.inventory.v1.InventoryService')).toBe('inventory');
    expect(serviceOfRpc('grpc.health.v1.Health')).toBeUndefined();
  });
});
