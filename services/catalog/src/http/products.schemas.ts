import { Money } from '@bazaar/contracts';
import { z } from 'zod';

export const Product = z.object({
  id: z.uuid(),
  sku: z.string(),
  name: z.string(),
  description: z.string(),
  category: z.string(),
  price: Money,
  available: z.number().int(),
  imageUrl: z.string(),
});
export type Product = z.infer<typeof Product>;

export const ProductPage = z.object({ items: z.array(Product), nextCursor: z.string().nullable() });
export type ProductPage = z.infer<typeof ProductPage>;

export const ListProductsQuery = z.object({
  q: z.string().trim().max(200).optional(),
  category: z.string().max(60).optional(),
  limit: z.coerce.number().int().min(1).max(100).default(20),
  cursor: z.string().max(500).optional(),
});
export type ListProductsQuery = z.infer<typeof ListProductsQuery>;

const Sku = z
  .string()
  .trim()
  .regex(/^[A-Z0-9][A-Z0-9-]{1,63}$/, 'upper-case letters, digits and dashes, 2 to 64 characters');

export const CreateProductBody = z.object({
  sku: Sku,
  name: z.string().trim().min(1).max(200),
  description: z.string().trim().max(5000).default(''),
  category: z.string().trim().min(1).max(60),
  price: Money,
  imageUrl: z.string().trim().max(500).optional(),
});
export type CreateProductBody = z.infer<typeof CreateProductBody>;

export const UpdateProductBody = CreateProductBody.omit({ sku: true })
  .partial()
  .refine((b) => Object.keys(b).length > 0, 'send at least one field to change');
export type UpdateProductBody = z.infer<typeof UpdateProductBody>;

export const ProductParams = z.object({ id: z.uuid() });

export const Category = z.object({ slug: z.string(), name: z.string() });
