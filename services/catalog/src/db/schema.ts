import { defineInboxTable, defineOutboxTable } from '@bazaar/platform/tables';
import { type SQL, sql } from 'drizzle-orm';
import { boolean, customType, index, integer, pgSchema, text, timestamp, uuid } from 'drizzle-orm/pg-core';

const tsvector = customType<{ data: string }>({ dataType: () => 'tsvector' });

export const catalog = pgSchema('catalog');

export const categories = catalog.table('categories', {
  slug: text('slug').primaryKey(),
  name: text('name').notNull(),
});

export const products = catalog.table(
  'products',
  {
    id: uuid('id').primaryKey(),
    sku: text('sku').notNull().unique(),
    name: text('name').notNull(),
    description: text('description').notNull(),
    category: text('category')
      .notNull()
      .references(() => categories.slug),
    priceAmount: integer('price_amount').notNull(),
    currency: text('currency').notNull(),
    imageUrl: text('image_url'),
    active: boolean('active').notNull().default(true),
    // Weighted so that a word in the name ranks above the same word in the description.
    search: tsvector('search').generatedAlwaysAs(
      (): SQL =>
        sql`setweight(to_tsvector('english', coalesce(name, '')), 'A') || setweight(to_tsvector('english', coalesce(category, '')), 'B') || setweight(to_tsvector('english', coalesce(description, '')), 'C')`,
    ),
    createdAt: timestamp('created_at', { withTimezone: true }).notNull().defaultNow(),
    updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
  },
  (t) => [
    index('products_search_idx').using('gin', t.search),
    index('products_name_idx').on(t.name, t.id),
    index('products_category_idx').on(t.category, t.name, t.id),
  ],
);

/** Stock figures learnt from inventory's StockChanged; kept apart from products so event order never matters. */
export const availability = catalog.table('availability', {
  sku: text('sku').primaryKey(),
  available: integer('available').notNull(),
  updatedAt: timestamp('updated_at', { withTimezone: true }).notNull().defaultNow(),
});

export const outbox = defineOutboxTable(catalog);
export const inbox = defineInboxTable(catalog);
