import { Address } from '@bazaar/contracts';
import { type HttpServer, requireUser } from '@bazaar/platform';
import { z } from 'zod';
import type { AddressBook } from '../services/address-book';

const SavedAddress = Address.extend({ id: z.uuid(), createdAt: z.iso.datetime({ offset: true }) });
const AddressParams = z.object({ id: z.uuid() });

export function registerAddressRoutes(app: HttpServer, book: AddressBook): void {
  const security = [{ bearerAuth: [] }];

  app.get(
    '/api/v1/me/addresses',
    {
      schema: {
        tags: ['auth'],
        summary: "The signed-in user's saved addresses, oldest first",
        security,
        response: { 200: z.object({ items: z.array(SavedAddress) }) },
      },
    },
    async (request) => ({ items: await book.list(requireUser(request).userId) }),
  );

  app.post(
    '/api/v1/me/addresses',
    {
      schema: {
        tags: ['auth'],
        summary: 'Save an address (at most 20 per account)',
        security,
        body: Address,
        response: { 201: SavedAddress },
      },
    },
    async (request, reply) =>
      reply.status(201).send(await book.add(requireUser(request).userId, request.body)),
  );

  app.delete(
    '/api/v1/me/addresses/:id',
    {
      schema: { tags: ['auth'], summary: 'Forget a saved address', security, params: AddressParams },
    },
    async (request, reply) => {
      await book.remove(requireUser(request).userId, request.params.id);
      return reply.status(204).send();
    },
  );
}
