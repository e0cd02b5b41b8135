import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './services/inventory/src/db/schema.ts',
  out: './services/inventory/migrations',
  schemaFilter: ['inventory'],
});
