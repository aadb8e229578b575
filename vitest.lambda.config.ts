import { defineConfig } from 'vitest/config';
import base from './vitest.config.js';

// The unit suite's projects would bring back its own file list: these tests take the shared settings only.
const { projects: _unitProjects, ...shared } = base.test ?? {};

/** `npm run test:lambda`: the functions under AWS's runtime interface client (test/lambda), after its build. */
export default defineConfig({
  test: {
    ...shared,
    include: ['test/lambda/**/*.test.ts'],
    exclude: ['**/node_modules/**'],
    hookTimeout: 180_000,
  },
});
