import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './services/shipping/src/db/schema.ts',
  out: './services/shipping/migrations',
  schemaFilter: ['shipping'],
});
