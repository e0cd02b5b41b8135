import { identityV1, startGrpcServer } from '@bazaar/platform';
import { Code, ConnectError } from '@connectrpc/connect';
import type { AddressBook } from '../services/address-book';

/** Customers' saved addresses for the cart's checkout, over gRPC. */
export function startIdentityGrpc(addressBook: AddressBook, host: string, port: number) {
  return startGrpcServer({
    host,
    port,
    register: (router) =>
      router.service(identityV1.IdentityService, {
        async getAddress(request) {
          const address = await addressBook.find(request.userId, request.addressId);
          if (!address) throw new ConnectError('no such address for this user', Code.NotFound);
          return { address: { ...address, line2: address.line2 ?? '' } };
        },
      }),
  });
}
