import { defineConfig } from 'vitest/config';

// Unit tests are pure and fast; integration and e2e tests talk to PostgreSQL, RabbitMQ and Redis
// (or the embedded stand-ins) and get longer time-outs.
export default defineConfig({
  test: {
    projects: [
      {
        test: {
          name: 'unit',
          include: ['packages/**/src/**/*.test.ts', 'services/**/src/**/*.test.ts', 'web/src/**/*.test.ts'],
          exclude: ['**/*.int.test.ts', '**/node_modules/**'],
        },
      },
      {
        test: {
          name: 'integration',
          include: ['packages/**/src/**/*.int.test.ts', 'services/**/src/**/*.int.test.ts'],
          testTimeout: 60_000,
          hookTimeout: 120_000,
        },
      },
      {
        test: {
          name: 'e2e',
          include: ['e2e/**/*.test.ts'],
          // They restart the servers every suite shares: `npm run test:restarts`, on demand.
          exclude: ['e2e/restarts/**'],
          testTimeout: 180_000,
          hookTimeout: 180_000,
          fileParallelism: false,
        },
      },
    ],
  },
});
