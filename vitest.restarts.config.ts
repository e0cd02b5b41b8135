import { defineConfig } from 'vitest/config';

// `npm run test:restarts`: the end-to-end tests that stop and start this machine's PostgreSQL, RabbitMQ
// and Redis servers. Never part of `npm test`, which shares those servers between suites running at once.
export default defineConfig({
  test: {
    name: 'restarts',
    include: ['e2e/restarts/**/*.test.ts'],
    testTimeout: 300_000,
    hookTimeout: 180_000,
    fileParallelism: false,
  },
});
