import { type Executor, query } from '@bazaar/platform';
import { and, asc, desc, eq, gt, or, type SQL, sql } from 'drizzle-orm';
import type { ProductCursor } from '../domain/product-cursor';
import { availability, categories, products } from './schema';

const columns = {
  id: products.id,
  sku: products.sku,
  name: products.name,
  description: products.description,
  category: products.category,
  priceAmount: products.priceAmount,
  currency: products.currency,
  imageUrl: products.imageUrl,
  active: products.active,
  available: sql<number>`coalesce(${availability.available}, 0)`.mapWith(Number),
};

export type ProductRow = {
  id: string;
  sku: string;
  name: string;
  description: string;
  category: string;
  priceAmount: number;
  currency: string;
  imageUrl: string | null;
  active: boolean;
  available: number;
};

export async function findProductById(db: Executor, id: string): Promise<ProductRow | undefined> {
  const [row] = await db
    .select(columns)
    .from(products)
    .leftJoin(availability, eq(availability.sku, products.sku))
    .where(eq(products.id, id))
    .limit(1);
  return row;
}

/** What the cart asks for on every add and checkout: one fixed statement, nothing to assemble per call. */
export async function pricesBySku(db: Executor, skus: string[]) {
  if (skus.length === 0) return [];
  return query<{
    id: string;
    sku: string;
    name: string;
    price_amount: number;
    currency: string;
    active: boolean;
  }>(
    db,
    sql`select id, sku, name, price_amount, currency, active from ${products}
        where sku = any(${sql.param(skus)}::text[])`,
  );
}

export async function listProducts(
  db: Executor,
  query: { q?: string; category?: string; limit: number; cursor?: ProductCursor },
): Promise<ProductRow[]> {
  const filters: SQL[] = [eq(products.active, true)];
  if (query.category) filters.push(eq(products.category, query.category));
  if (query.q) {
    const tsQuery = sql`websearch_to_tsquery('english', ${query.q})`;
    filters.push(sql`${products.search} @@ ${tsQuery}`);
    const offset = query.cursor?.kind === 'offset' ? query.cursor.offset : 0;
    return db
      .select(columns)
      .from(products)
      .leftJoin(availability, eq(availability.sku, products.sku))
      .where(and(...filters))
      .orderBy(desc(sql`ts_rank(${products.search}, ${tsQuery})`), asc(products.id))
      .limit(query.limit + 1)
      .offset(offset);
  }
  if (query.cursor?.kind === 'keyset') {
    const { name, id } = query.cursor;
    filters.push(or(gt(products.name, name), and(eq(products.name, name), gt(products.id, id)))!);
  }
  return db
    .select(columns)
    .from(products)
    .leftJoin(availability, eq(availability.sku, products.sku))
    .where(and(...filters))
    .orderBy(asc(products.name), asc(products.id))
    .limit(query.limit + 1);
}

export async function categoryExists(db: Executor, slug: string): Promise<boolean> {
  const [row] = await db
    .select({ slug: categories.slug })
    .from(categories)
    .where(eq(categories.slug, slug))
    .limit(1);
  return row !== undefined;
}
