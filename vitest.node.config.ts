import { defineConfig } from 'vitest/config';

/**
 * The Node suite (`npm run test:node`): the built package (`dist/lib`, after `npm run build:lib`) in Node's worker
 * threads, and the packed package in Node, Bun and Deno. One file at a time: each starts several runtimes' threads.
 */
export default defineConfig({
  test: {
    include: ['test/node/**/*.test.ts'],
    environment: 'node',
    fileParallelism: false,
    testTimeout: 180_000,
    hookTimeout: 300_000,
  },
});
