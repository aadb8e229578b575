import { defineConfig } from 'vitest/config';

/**
 * Files that need a module graph of their own: they mock a module (`vi.mock`), read the tracing switch, which
 * `lib/tracing/tracer.ts` reads once at load, after setting the environment Lambda would have, or load the X-Ray SDK,
 * whose async hook would slow every file after them.
 */
const ownModuleGraph = [
  'test/gateway/call-tracing.test.ts',
  'test/functions/shared/traced-handler.test.ts',
  'test/tracing/**/*.test.ts',
];

export default defineConfig({
  test: {
    // test/lambda needs AWS's runtime interface client, a native build: `npm run test:lambda` (vitest.lambda.config.ts).
    exclude: ['**/node_modules/**', 'test/lambda/**'],
    environment: 'node',
    testTimeout: 20_000,
    hookTimeout: 20_000,
    pool: 'forks',
    // Most of the suite's time is spent waiting on loopback servers and child processes, not on the CPU, so a 2-core
    // machine keeps four files in flight (vitest's default is one per core less one).
    maxWorkers: 4,
    // The AWS SDK's own switch for its "Node 22 from 2027" notice, which every test process would print otherwise.
    env: {
      AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
      // Every request logs a line at info: tests print warnings and errors only (a test that reads info sets it).
      GATEWAY_LOG_LEVEL: 'warn',
    },
    projects: [
      {
        extends: true,
        // A worker runs file after file in one module graph: importing the SDKs once per worker instead of once per
        // file is most of the suite's wall time. Tests that change process-wide state (environment, clocks) put it back.
        test: { name: 'shared', include: ['test/**/*.test.ts'], exclude: ownModuleGraph, isolate: false },
      },
      {
        extends: true,
        test: { name: 'isolated', include: ownModuleGraph, isolate: true },
      },
    ],
  },
});
