import { type HttpServer, invalid, requireUser } from '@bazaar/platform';
import type { FastifyRequest } from 'fastify';
import type { CartOwner, CartService } from '../services/cart.service';
import {
  AddItemBody,
  Cart,
  CartHeaders,
  CheckoutAccepted,
  CheckoutBody,
  CheckoutHeaders,
  SetQuantityBody,
  SkuParams,
} from './cart.schemas';

const ownerOf = (request: FastifyRequest & { headers: { 'x-cart-id'?: string } }): CartOwner => ({
  principal: request.principal,
  guestCartId: request.headers['x-cart-id'],
});

export function registerCartRoutes(app: HttpServer, carts: CartService): void {
  const tags = ['cart'];
  app.get(
    '/api/v1/cart',
    {
      schema: {
        tags,
        summary:
          "The signed-in shopper's cart, or a guest's (X-Cart-Id); a guest cart is merged in at sign-in",
        headers: CartHeaders,
        response: { 200: Cart },
      },
    },
    async (request) => carts.getCart(ownerOf(request)),
  );

  app.post(
    '/api/v1/cart/items',
    {
      schema: {
        tags,
        summary: 'Add a product',
        headers: CartHeaders,
        body: AddItemBody,
        response: { 200: Cart },
      },
    },
    async (request) => carts.addItem(ownerOf(request), request.body.sku, request.body.quantity),
  );

  app.patch(
    '/api/v1/cart/items/:sku',
    {
      schema: {
        tags,
        summary: 'Change the quantity of a line',
        headers: CartHeaders,
        params: SkuParams,
        body: SetQuantityBody,
        response: { 200: Cart },
      },
    },
    async (request) => carts.setQuantity(ownerOf(request), request.params.sku, request.body.quantity),
  );

  app.delete(
    '/api/v1/cart/items/:sku',
    {
      schema: {
        tags,
        summary: 'Remove a line',
        headers: CartHeaders,
        params: SkuParams,
        response: { 200: Cart },
      },
    },
    async (request) => carts.removeItem(ownerOf(request), request.params.sku),
  );

  app.post(
    '/api/v1/checkout',
    {
      schema: {
        tags: ['checkout'],
        summary: 'Check the cart out: starts the order saga',
        description:
          'Needs an `Idempotency-Key` header. A repeat with the same key and body answers the same; the same key with another body is refused with 422.',
        security: [{ bearerAuth: [] }],
        headers: CheckoutHeaders,
        body: CheckoutBody,
        response: { 202: CheckoutAccepted },
      },
    },
    async (request, reply) => {
      const principal = requireUser(request);
      const key = request.headers['idempotency-key'];
      if (!key)
        throw invalid('checkout.idempotency_key_required', 'Send an Idempotency-Key header with a checkout.');
      return reply
        .status(202)
        .send(await carts.checkout({ ...ownerOf(request), principal }, key, request.body));
    },
  );
}
