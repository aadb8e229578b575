/**
 * How the Lambda functions are packaged: one esbuild configuration shared by the CDK stack (which bundles at synth
 * time, locally, no Docker) and `npm run bundle` (which prints sizes), so what is measured is what is deployed.
 *
 * Why not `NodejsFunction`: it builds a single `--outfile`, and esbuild's code splitting needs `outdir`, so every
 * provider SDK would land in the one file and load on every cold start. Its alternatives are worse here:
 * `nodeModules` runs `npm install` during synth (network, not offline), and SDKs left external are simply missing
 * in Lambda. With splitting, each `await import('openai')` (and the other SDKs) becomes its own chunk, read from
 * disk only when a request first needs that provider (DESIGN.md §2).
 * @see https://esbuild.github.io/api/#splitting
 */
import { readFile } from 'node:fs/promises';
import { dirname, join, resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { BuildOptions, Plugin } from 'esbuild';

export const PROJECT_ROOT = resolve(dirname(fileURLToPath(import.meta.url)), '..');

export const FUNCTION_ENTRIES = {
  chat: 'functions/chat/handler.ts',
  admin: 'functions/admin/handler.ts',
  aggregator: 'functions/aggregator/handler.ts',
  'spool-redrive': 'functions/spool-redrive/handler.ts',
} as const;

export type FunctionName = keyof typeof FUNCTION_ENTRIES;

/** The file Lambda loads: `index.mjs` (ESM by its extension, no package.json needed), export `handler`. */
export const LAMBDA_HANDLER = 'index.handler';
export const ENTRY_FILE = 'index.mjs';

/**
 * CommonJS dependencies bundled into ESM still call `require` for Node built-ins; esbuild's shim throws unless a real
 * `require` exists. The alias keeps the banner's import from clashing with a bundled module's own `createRequire`.
 */
const REQUIRE_BANNER =
  "import { createRequire as __gatewayCreateRequire } from 'node:module'; const require = __gatewayCreateRequire(import.meta.url);";

/**
 * Node's flag that maps stack traces through the bundle's source maps. It reads every loaded chunk's map at load,
 * about a fifth of a cold start, so the stack sets it only with context `sourceMaps=true` (docs/deploy.md); the maps
 * ship beside the chunks either way.
 */
export const SOURCE_MAPS_NODE_OPTION = '--enable-source-maps';

/**
 * The catalog (`models_data.json`, ~200 KiB) as `JSON.parse` of one string rather than esbuild's object literal:
 * V8 parses JSON faster than it compiles an object literal of that size, on every cold start.
 * @see https://v8.dev/blog/cost-of-javascript-2019#json
 */
const catalogAsJsonParse: Plugin = {
  name: 'catalog-as-json-parse',
  setup(build) {
    build.onLoad({ filter: /[\\/]models_data\.json$/ }, async (args) => {
      const compact = JSON.stringify(JSON.parse(await readFile(args.path, 'utf8')));
      return { contents: `export default JSON.parse(${JSON.stringify(compact)});`, loader: 'js' };
    });
  },
};

/** esbuild options for one function, written to `outdir` (`index.mjs`, `chunks/*.mjs`, source maps). */
export function esbuildOptions(name: FunctionName, outdir: string): BuildOptions & { metafile: true } {
  return {
    absWorkingDir: PROJECT_ROOT,
    entryPoints: { index: join(PROJECT_ROOT, FUNCTION_ENTRIES[name]) },
    outdir,
    bundle: true,
    platform: 'node',
    target: 'node22',
    format: 'esm',
    splitting: true,
    minify: true,
    sourcemap: true,
    // Stack traces need the mappings, not the sources: without them the maps shrink several times over.
    sourcesContent: false,
    mainFields: ['module', 'main'],
    outExtension: { '.js': '.mjs' },
    chunkNames: 'chunks/[name]-[hash]',
    banner: { js: REQUIRE_BANNER },
    legalComments: 'none',
    metafile: true,
    logLevel: 'warning',
    plugins: [catalogAsJsonParse],
  };
}
