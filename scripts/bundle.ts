/**
 * `npm run bundle`: builds every Lambda bundle into dist/functions/<name> with the options the CDK stack deploys
 * (infra/bundling.ts), prints their sizes, then measures the chat function's cold import (a fresh `node`
 * importing the bundle with a stub `awslambda`, as Lambda's init does) and each provider SDK's first use.
 */
import { execFile } from 'node:child_process';
import { rm } from 'node:fs/promises';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { promisify } from 'node:util';
import { build, type Metafile } from 'esbuild';
import { ENTRY_FILE, esbuildOptions, FUNCTION_ENTRIES, type FunctionName, PROJECT_ROOT } from '../infra/bundling.js';

const run = promisify(execFile);
const OUT_ROOT = join(PROJECT_ROOT, 'dist', 'functions');
const COLD_RUNS = 5;

/** Provider SDKs by the module their lazy chunk is built from. */
const PROVIDER_SDKS: Record<string, string> = {
  openai: 'node_modules/openai/index.mjs',
  anthropic: 'node_modules/@anthropic-ai/sdk/index.mjs',
  'google-genai': 'node_modules/@google/genai/dist/node/index.mjs',
  'bedrock-runtime': 'node_modules/@aws-sdk/client-bedrock-runtime/dist-es/index.js',
};

interface BundleReport {
  name: FunctionName;
  outdir: string;
  files: number;
  codeBytes: number;
  mapBytes: number;
  entryBytes: number;
  eagerBytes: number;
  eagerFiles: number;
  /** Output file (absolute) of each provider SDK's lazy chunk. */
  sdkChunks: Record<string, string>;
}

const kib = (bytes: number) => `${(bytes / 1024).toFixed(1)} KiB`;

/** The outputs Node loads on `import(entry)`: static imports only, recursively. */
export function eagerOutputs(metafile: Metafile, entry: string, seen = new Set<string>()): Set<string> {
  if (seen.has(entry)) return seen;
  seen.add(entry);
  for (const imported of metafile.outputs[entry]?.imports ?? []) {
    if (imported.kind === 'import-statement' && !imported.external) eagerOutputs(metafile, imported.path, seen);
  }
  return seen;
}

async function bundle(name: FunctionName): Promise<BundleReport> {
  const outdir = join(OUT_ROOT, name);
  await rm(outdir, { recursive: true, force: true });
  const { metafile } = await build(esbuildOptions(name, outdir));
  const outputs = Object.entries(metafile.outputs);
  const code = outputs.filter(([file]) => !file.endsWith('.map'));
  const entry = relative(PROJECT_ROOT, join(outdir, ENTRY_FILE)).replace(/\\/g, '/');
  const eager = eagerOutputs(metafile, entry);
  const sdkChunks: Record<string, string> = {};
  for (const [sdk, module] of Object.entries(PROVIDER_SDKS)) {
    const chunk = code.find(([, output]) => output.entryPoint === module);
    if (chunk) sdkChunks[sdk] = join(PROJECT_ROOT, chunk[0]);
  }
  return {
    name,
    outdir,
    files: outputs.length,
    codeBytes: code.reduce((sum, [, output]) => sum + output.bytes, 0),
    mapBytes: outputs.filter(([file]) => file.endsWith('.map')).reduce((sum, [, output]) => sum + output.bytes, 0),
    entryBytes: metafile.outputs[entry]?.bytes ?? 0,
    eagerBytes: [...eager].reduce((sum, file) => sum + (metafile.outputs[file]?.bytes ?? 0), 0),
    eagerFiles: eager.size,
    sdkChunks,
  };
}

/** Run in a fresh `node`: imports the bundle as Lambda's init would, then each SDK chunk as a first request would. */
const PROBE = `
globalThis.awslambda = { streamifyResponse: (handler) => handler, HttpResponseStream: { from: (stream) => stream } };
const started = performance.now();
const entry = await import(process.argv[1]);
const initMs = performance.now() - started;
if (typeof entry.handler !== 'function') throw new Error('the bundle exports no handler');
const sdks = {};
for (const [name, url] of JSON.parse(process.argv[2])) {
  const t = performance.now();
  await import(url);
  sdks[name] = performance.now() - t;
}
process.stdout.write(JSON.stringify({ initMs, sdks }));
`;

interface Probe {
  initMs: number;
  sdks: Record<string, number>;
}

async function probe(report: BundleReport): Promise<Probe> {
  const entryUrl = pathToFileURL(join(report.outdir, ENTRY_FILE)).href;
  const sdks = Object.entries(report.sdkChunks).map(([name, file]) => [name, pathToFileURL(file).href]);
  // As deployed by default (no --enable-source-maps: context sourceMaps). No AWS_* variables: nothing may call AWS at init.
  const env: NodeJS.ProcessEnv = { PATH: process.env.PATH, NODE_ENV: 'production' };
  const { stdout } = await run(process.execPath, ['--input-type=module', '-e', PROBE, entryUrl, JSON.stringify(sdks)], {
    env,
    cwd: report.outdir,
  });
  return JSON.parse(stdout) as Probe;
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)] ?? Number.NaN;
};

async function main(): Promise<void> {
  const reports: BundleReport[] = [];
  for (const name of Object.keys(FUNCTION_ENTRIES) as FunctionName[]) reports.push(await bundle(name));

  console.log(`Lambda bundles in ${relative(process.cwd(), OUT_ROOT) || '.'} (ESM, minified, code splitting)\n`);
  const rows = [
    ['function', 'files', 'code', 'entry chunk', 'loaded at import', 'source maps'],
    ...reports.map((r) => [
      r.name,
      String(r.files),
      kib(r.codeBytes),
      kib(r.entryBytes),
      `${kib(r.eagerBytes)} (${r.eagerFiles} files)`,
      kib(r.mapBytes),
    ]),
  ];
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)));
  for (const row of rows) console.log(row.map((cell, column) => cell.padEnd(widths[column]!)).join('  '));

  const chat = reports.find((r) => r.name === 'chat')!;
  console.log('\nProvider SDK chunks of chat (loaded on first use):');
  for (const [sdk, file] of Object.entries(chat.sdkChunks)) {
    console.log(`  ${sdk.padEnd(16)}${relative(chat.outdir, file)}`);
  }

  const probes: Probe[] = [];
  for (let i = 0; i < COLD_RUNS; i++) probes.push(await probe(chat));
  const init = probes.map((p) => p.initMs);
  console.log(
    `\nchat cold import (node ${process.version}, ${COLD_RUNS} fresh processes): ` +
      `median ${median(init).toFixed(0)} ms, min ${Math.min(...init).toFixed(0)} ms`,
  );
  for (const sdk of Object.keys(chat.sdkChunks)) {
    console.log(
      `  + ${sdk} on first use: median ${median(probes.map((p) => p.sdks[sdk] ?? Number.NaN)).toFixed(0)} ms`,
    );
  }
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? '').href) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exitCode = 1;
  });
}
