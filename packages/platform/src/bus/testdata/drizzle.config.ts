import { defineConfig } from 'drizzle-kit';

export default defineConfig({
  dialect: 'postgresql',
  schema: './packages/platform/src/bus/testdata/schema.ts',
  out: './packages/platform/src/bus/testdata/migrations',
  schemaFilter: ['bustest'],
});
