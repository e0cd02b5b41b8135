import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './services/payments/src/db/schema.ts',
  out: './services/payments/migrations',
  schemaFilter: ['payments'],
});
