import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

/** `npm run test:lambda`: the functions under AWS's runtime interface client (test/lambda), after its build. */
export default defineConfig({
  test: {
    ...base.test,
    include: ['test/lambda/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    hookTimeout: 180_000,
  },
});
