import { createEvent, type EventData } from '@bazaar/contracts';
import type { demoProducts as DemoProducts } from '@bazaar/demo';
import { conflict, type Db, invalid, type Messaging, notFound, type Tx } from '@bazaar/platform';
import { count, eq, lte, sql } from 'drizzle-orm';
import { v7 as uuidv7 } from 'uuid';
import { categoryExists, findProductById, listProducts, type ProductRow } from '../db/product.repository';
import { availability, categories, products } from '../db/schema';
import { decodeCursor, encodeCursor } from '../domain/product-cursor';
import type {
  CreateProductBody,
  ListProductsQuery,
  Product,
  ProductPage,
  UpdateProductBody,
} from '../http/products.schemas';
import type { AnswerCache } from './answer-cache';

const source = '/bazaar/catalog';

export function toProduct(row: ProductRow): Product {
  return {
    id: row.id,
    sku: row.sku,
    name: row.name,
    description: row.description,
    category: row.category,
    price: { amount: row.priceAmount, currency: row.currency },
    available: Math.max(0, row.available),
    imageUrl: row.imageUrl ?? `/api/v1/products/${row.id}/image.svg`,
  };
}

const productEvent = (row: ProductRow): EventData<'ProductUpdated'> => ({
  productId: row.id,
  sku: row.sku,
  name: row.name,
  category: row.category,
  price: { amount: row.priceAmount, currency: row.currency },
  active: row.active,
});

export function createCatalogService(deps: { db: Db; messaging: Messaging; cache: AnswerCache }) {
  const { db, messaging, cache } = deps;

  async function getProductRow(id: string, tx: Db | Tx = db): Promise<ProductRow> {
    const row = await findProductById(tx, id);
    if (!row?.active) throw notFound('catalog.product_not_found', `No product ${id}.`);
    return row;
  }

  async function assertCategory(tx: Db | Tx, slug: string) {
    if (!(await categoryExists(tx, slug)))
      throw invalid('catalog.unknown_category', `There is no category "${slug}".`);
  }

  return {
    /** The serialised page, straight from the cache when possible: the hottest path of the platform. */
    listProductsJson(query: ListProductsQuery): Promise<Buffer> {
      const key = `list:${query.q ?? ''}|${query.category ?? ''}|${query.limit}|${query.cursor ?? ''}`;
      return cache.read(key, async () => {
        const cursor = query.cursor ? decodeCursor(query.cursor) : undefined;
        const rows = await listProducts(db, {
          q: query.q,
          category: query.category,
          limit: query.limit,
          cursor,
        });
        const page = rows.slice(0, query.limit);
        let nextCursor: string | null = null;
        if (rows.length > query.limit) {
          const last = page[page.length - 1]!;
          const offset = cursor?.kind === 'offset' ? cursor.offset : 0;
          nextCursor = encodeCursor(
            query.q
              ? { kind: 'offset', offset: offset + query.limit }
              : { kind: 'keyset', name: last.name, id: last.id },
          );
        }
        const body: ProductPage = { items: page.map(toProduct), nextCursor };
        return JSON.stringify(body);
      });
    },

    getProductJson(id: string): Promise<Buffer> {
      return cache.read(`product:${id}`, async () => JSON.stringify(toProduct(await getProductRow(id))));
    },

    async getProductRow(id: string) {
      return getProductRow(id);
    },

    listCategories() {
      return db.select().from(categories).orderBy(categories.name);
    },

    async createProduct(body: CreateProductBody): Promise<Product> {
      const row = await messaging.transact(async (tx, emit) => {
        await assertCategory(tx, body.category);
        const id = uuidv7();
        const inserted = await tx
          .insert(products)
          .values({
            id,
            sku: body.sku,
            name: body.name,
            description: body.description,
            category: body.category,
            priceAmount: body.price.amount,
            currency: body.price.currency,
            imageUrl: body.imageUrl,
          })
          .onConflictDoNothing()
          .returning({ id: products.id });
        if (inserted.length === 0)
          throw conflict('catalog.sku_taken', `A product with SKU ${body.sku} exists.`);
        const created = (await findProductById(tx, id))!;
        const { active: _active, ...data } = productEvent(created);
        emit(createEvent('ProductCreated', data, { source, correlationId: id }));
        return created;
      });
      await cache.invalidate();
      return toProduct(row);
    },

    async updateProduct(id: string, body: UpdateProductBody): Promise<Product> {
      const row = await messaging.transact(async (tx, emit) => {
        const before = await getProductRow(id, tx);
        if (body.category) await assertCategory(tx, body.category);
        await tx
          .update(products)
          .set({
            name: body.name,
            description: body.description,
            category: body.category,
            priceAmount: body.price?.amount,
            currency: body.price?.currency,
            imageUrl: body.imageUrl,
            updatedAt: sql`now()`,
          })
          .where(eq(products.id, id));
        const after = (await findProductById(tx, id))!;
        emit(createEvent('ProductUpdated', productEvent(after), { source, correlationId: id }));
        if (before.priceAmount !== after.priceAmount || before.currency !== after.currency) {
          emit(
            createEvent(
              'PriceChanged',
              {
                productId: id,
                sku: after.sku,
                oldPrice: { amount: before.priceAmount, currency: before.currency },
                newPrice: { amount: after.priceAmount, currency: after.currency },
              },
              { source, correlationId: id },
            ),
          );
        }
        return after;
      });
      await cache.invalidate();
      return toProduct(row);
    },

    /** Deleting hides the product: orders and carts still refer to it. */
    async deleteProduct(id: string): Promise<void> {
      await messaging.transact(async (tx, emit) => {
        const row = await getProductRow(id, tx);
        await tx.update(products).set({ active: false, updatedAt: sql`now()` }).where(eq(products.id, id));
        emit(
          createEvent(
            'ProductUpdated',
            { ...productEvent(row), active: false },
            { source, correlationId: id },
          ),
        );
      });
      await cache.invalidate();
    },

    /**
     * Keeps the latest stock level inventory reported. Events may arrive out of order; an older level
     * never overwrites a newer one (the time is when inventory changed the stock, under its row lock).
     */
    async recordAvailability(tx: Tx, sku: string, available: number, asOf: Date): Promise<void> {
      await tx
        .insert(availability)
        .values({ sku, available, updatedAt: asOf })
        .onConflictDoUpdate({
          target: availability.sku,
          set: { available, updatedAt: asOf },
          setWhere: lte(availability.updatedAt, asOf),
        });
    },

    invalidateCache: () => cache.invalidate(),

    async seedDemoCatalog(
      demo: typeof DemoProducts,
      demoCategories: readonly { slug: string; name: string }[],
    ) {
      const [{ n }] = (await db.select({ n: count() }).from(products)) as [{ n: number }];
      if (Number(n) > 0) return false;
      await db.transaction(async (tx) => {
        await tx
          .insert(categories)
          .values([...demoCategories])
          .onConflictDoNothing();
        await tx
          .insert(products)
          .values(
            demo.map((p) => ({
              id: uuidv7(),
              sku: p.sku,
              name: p.name,
              description: p.description,
              category: p.category,
              priceAmount: p.priceAmount,
              currency: p.currency,
            })),
          )
          .onConflictDoNothing();
      });
      await cache.invalidate();
      return true;
    },
  };
}

export type CatalogService = ReturnType<typeof createCatalogService>;
