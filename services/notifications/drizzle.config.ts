import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './services/notifications/src/db/schema.ts',
  out: './services/notifications/migrations',
  schemaFilter: ['notifications'],
});
