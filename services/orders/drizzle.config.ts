import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './services/orders/src/db/schema.ts',
  out: './services/orders/migrations',
  schemaFilter: ['orders'],
});
