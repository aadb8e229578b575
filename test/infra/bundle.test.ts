import { execFile } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build, type Metafile } from 'esbuild';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { ENTRY_FILE, esbuildOptions, PROJECT_ROOT } from '../../infra/bundling.js';

const PROVIDER_SDKS = [
  'node_modules/openai/',
  'node_modules/@anthropic-ai/sdk/',
  'node_modules/@google/genai/',
  'node_modules/google-auth-library/',
  'node_modules/@aws-sdk/client-bedrock-runtime/',
];

/** The output files Node loads when it imports `entry`: the static imports, recursively (not `import()`). */
function loadedAtImport(metafile: Metafile, entry: string, seen = new Set<string>()): Set<string> {
  if (seen.has(entry)) return seen;
  seen.add(entry);
  for (const imported of metafile.outputs[entry]?.imports ?? []) {
    if (imported.kind === 'import-statement' && !imported.external) loadedAtImport(metafile, imported.path, seen);
  }
  return seen;
}

// The options the CDK asset's local bundler and `npm run bundle` both use (infra/bundling.ts). The synth tests skip
// bundling for speed; this builds the chat function once to check what Lambda would load.
describe('the chat function bundle', () => {
  const outdir = mkdtempSync(join(tmpdir(), 'gw-bundle-'));
  let metafile: Metafile;
  let entryKey = '';

  beforeAll(async () => {
    ({ metafile } = await build(esbuildOptions('chat', outdir)));
    entryKey = relative(PROJECT_ROOT, join(outdir, ENTRY_FILE)).replace(/\\/g, '/');
  }, 120_000);

  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('is an ES module exporting handler, with its chunks and source maps beside it', () => {
    expect(readdirSync(outdir).sort()).toEqual(['chunks', 'index.mjs', 'index.mjs.map']);
    expect(metafile.outputs[entryKey]?.exports).toEqual(['handler']);
    const entry = readFileSync(join(outdir, ENTRY_FILE), 'utf8');
    expect(entry.trimEnd().endsWith('//# sourceMappingURL=index.mjs.map')).toBe(true);
  });

  it('loads no provider SDK at cold start: each is a chunk reached only through import()', () => {
    const eager = loadedAtImport(metafile, entryKey);
    const eagerInputs = [...eager].flatMap((file) => Object.keys(metafile.outputs[file]?.inputs ?? {}));
    for (const sdk of PROVIDER_SDKS) {
      expect(
        eagerInputs.filter((input) => input.startsWith(sdk)),
        sdk,
      ).toEqual([]);
      const lazyChunks = Object.entries(metafile.outputs).filter(([, output]) =>
        Object.keys(output.inputs).some((input) => input.startsWith(sdk)),
      );
      expect(lazyChunks.length, sdk).toBeGreaterThan(0);
    }
    const dynamic = metafile.outputs[entryKey]!.imports.filter((i) => i.kind === 'dynamic-import');
    const openai = Object.entries(metafile.outputs).find(([, o]) => o.entryPoint === 'node_modules/openai/index.mjs');
    expect(dynamic.map((i) => i.path)).toContain(openai?.[0]);
  });

  it("loads under 1 MiB at cold start, without zod's locales", () => {
    const eager = [...loadedAtImport(metafile, entryKey)];
    const bytes = eager.reduce((sum, file) => sum + (metafile.outputs[file]?.bytes ?? 0), 0);
    expect(bytes).toBeLessThan(1024 * 1024);
    // `import { z } from 'zod'` takes zod's namespace as a value, and with it every locale (~350 KiB): the code
    // imports `* as z`, whose members esbuild can leave out one by one.
    const locales = eager.flatMap((file) =>
      Object.keys(metafile.outputs[file]?.inputs ?? {}).filter((input) => input.includes('/zod/v4/locales/')),
    );
    expect(locales.filter((input) => !input.endsWith('/en.js'))).toEqual([]);
  });
});

// The event-driven functions: built as deployed, then imported by a fresh `node` with no AWS_* variables, as Lambda's
// init would (nothing may call AWS or throw at import).
describe.each(['aggregator', 'spool-redrive'] as const)('the %s function bundle', (name) => {
  const outdir = mkdtempSync(join(tmpdir(), `gw-bundle-${name}-`));
  let metafile: Metafile;

  beforeAll(async () => {
    ({ metafile } = await build(esbuildOptions(name, outdir)));
  }, 120_000);

  afterAll(() => rmSync(outdir, { recursive: true, force: true }));

  it('exports a handler that loads without AWS, and carries no provider SDK', async () => {
    const entry = relative(PROJECT_ROOT, join(outdir, ENTRY_FILE)).replace(/\\/g, '/');
    expect(metafile.outputs[entry]?.exports).toContain('handler');
    const inputs = Object.values(metafile.outputs).flatMap((output) => Object.keys(output.inputs));
    for (const sdk of PROVIDER_SDKS)
      expect(
        inputs.filter((input) => input.startsWith(sdk)),
        sdk,
      ).toEqual([]);
    const probe = `const m = await import(${JSON.stringify(pathToFileURL(join(outdir, ENTRY_FILE)).href)});
      process.stdout.write(typeof m.handler);`;
    const { stdout } = await promisify(execFile)(process.execPath, ['--input-type=module', '-e', probe], {
      env: { PATH: process.env.PATH },
    });
    expect(stdout).toBe('function');
  }, 60_000);
});
