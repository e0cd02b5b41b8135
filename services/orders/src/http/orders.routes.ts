import type { OrderStatus } from '@bazaar/contracts';
import { type HttpServer, requireUser } from '@bazaar/platform';
import type { OrderService } from '../services/order.service';
import { Cancelled, ListOrdersQuery, Order, OrderPage, OrderParams } from './orders.schemas';

const signedIn = [{ bearerAuth: [] }];

export function registerOrderRoutes(app: HttpServer, orders: OrderService): void {
  app.get(
    '/api/v1/orders',
    {
      schema: {
        tags: ['orders'],
        summary: 'My orders, newest first (administrators see every order unless `mine=true`), by status',
        security: signedIn,
        querystring: ListOrdersQuery,
        response: { 200: OrderPage },
      },
    },
    async (request) =>
      orders.listOrders(requireUser(request), request.query.limit, request.query.cursor, {
        statuses: request.query.status?.split(',') as OrderStatus[] | undefined,
        mine: request.query.mine === 'true',
      }),
  );

  app.get(
    '/api/v1/orders/:id',
    {
      schema: {
        tags: ['orders'],
        summary: 'One order with its status history',
        security: signedIn,
        params: OrderParams,
        response: { 200: Order },
      },
    },
    async (request) => orders.getOrder(request.params.id, requireUser(request)),
  );

  app.post(
    '/api/v1/orders/:id/cancel',
    {
      schema: {
        tags: ['orders'],
        summary: 'Cancel an order that has not shipped; stock and payment are given back',
        security: signedIn,
        params: OrderParams,
        response: { 202: Cancelled },
      },
    },
    async (request, reply) =>
      reply.status(202).send(await orders.cancelByCustomer(request.params.id, requireUser(request))),
  );
}
