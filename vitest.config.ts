import { defineConfig } from 'vitest/config';

export default defineConfig({
  test: {
    include: ['test/**/*.test.ts'],
    // test/lambda needs AWS's runtime interface client, a native build: `npm run test:lambda` (vitest.lambda.config.ts).
    exclude: ['**/node_modules/**', 'test/lambda/**'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
    // The AWS SDK's own switch for its "Node 22 from 2027" notice, which every test process would print otherwise.
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      // Every request logs a line at info: tests print warnings and errors only (a test that reads info sets it).
      GATEWAY_LOG_LEVEL: 'warn',
    },
  },
});
