import { renderPlaceholderSvg } from '@bazaar/demo';
import { type HttpServer, requireAdmin } from '@bazaar/platform';
import type { FastifyReply } from 'fastify';
import { z } from 'zod';
import type { CatalogService } from '../services/catalog.service';
import {
  Category,
  CreateProductBody,
  ListProductsQuery,
  Product,
  ProductPage,
  ProductParams,
  UpdateProductBody,
} from './products.schemas';

const admin = [{ bearerAuth: [] }];

export function registerProductRoutes(
  app: HttpServer,
  catalog: CatalogService,
  options: { publicMaxAgeSeconds: number },
): void {
  const publicCaching =
    options.publicMaxAgeSeconds > 0 ? `public, max-age=${options.publicMaxAgeSeconds}` : 'no-cache';
  /** Sends a public answer that is already JSON (validated when it was built), as bytes. */
  const sendJson = (reply: FastifyReply, json: Buffer) =>
    reply
      .type('application/json; charset=utf-8')
      .header('cache-control', publicCaching)
      .send(json as never);

  app.get(
    '/api/v1/products',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Browse or search products',
        description: '`q` searches names, categories and descriptions (PostgreSQL full-text search).',
        querystring: ListProductsQuery,
        response: { 200: ProductPage },
      },
    },
    // The cached page is already JSON; sending its bytes skips serialising and encoding it again.
    async (request, reply) => sendJson(reply, await catalog.listProductsJson(request.query)),
  );

  app.get(
    '/api/v1/products/:id',
    {
      schema: {
        tags: ['catalog'],
        summary: 'One product',
        params: ProductParams,
        response: { 200: Product },
      },
    },
    async (request, reply) => sendJson(reply, await catalog.getProductJson(request.params.id)),
  );

  app.get(
    '/api/v1/products/:id/image.svg',
    { schema: { tags: ['catalog'], summary: "A product's placeholder image", params: ProductParams } },
    async (request, reply) => {
      const product = await catalog.getProductRow(request.params.id);
      reply.header('cache-control', 'public, max-age=86400').type('image/svg+xml');
      return renderPlaceholderSvg({ name: product.name, category: product.category });
    },
  );

  app.get(
    '/api/v1/categories',
    { schema: { tags: ['catalog'], summary: 'Product categories', response: { 200: z.array(Category) } } },
    async (_request, reply) => {
      reply.header('cache-control', publicCaching);
      return catalog.listCategories();
    },
  );

  app.post(
    '/api/v1/products',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Create a product (admin)',
        security: admin,
        body: CreateProductBody,
        response: { 201: Product },
      },
    },
    async (request, reply) => {
      requireAdmin(request);
      return reply.status(201).send(await catalog.createProduct(request.body));
    },
  );

  app.patch(
    '/api/v1/products/:id',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Change a product (admin)',
        security: admin,
        params: ProductParams,
        body: UpdateProductBody,
        response: { 200: Product },
      },
    },
    async (request) => {
      requireAdmin(request);
      return catalog.updateProduct(request.params.id, request.body);
    },
  );

  app.delete(
    '/api/v1/products/:id',
    {
      schema: {
        tags: ['catalog'],
        summary: 'Withdraw a product (admin)',
        security: admin,
        params: ProductParams,
      },
    },
    async (request, reply) => {
      requireAdmin(request);
      await catalog.deleteProduct(request.params.id);
      return reply.status(204).send();
    },
  );
}
