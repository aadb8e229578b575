/**
 * `npm run bench:cold`: the cold start of the chat and admin functions as deployed (the bundles built with the CDK
 * asset's options, infra/bundling.ts, into a temporary directory).
 *
 * - Loaded at init: the bytes of the entry chunk and of every chunk it imports statically.
 * - Import: a fresh `node` importing the bundle (stub `awslambda`), with the V8 heap flags Lambda's Node.js bootstrap
 *   derives from the memory size (new space a tenth of it, the semi-space half of that, old space the rest), at 512
 *   and 1024 MB. Median and min of 10 processes; also the time from process start to the handler's export.
 * - Runtime init: when AWS's runtime interface client is installed (`npm run test:lambda` builds it), the time from
 *   spawning `node aws-lambda-ric` to its first `GET …/invocation/next` — what Lambda reports as Init Duration, less
 *   the sandbox's own start.
 * - First request: per provider, a fresh chat function under the runtime client answering its first request
 *   through the Function URL front (simulators/lambda.ts), against that provider's simulator, then a second one.
 *
 * Figures vary with the machine; README.md keeps the last ones with their date and machine.
 */
import '../local/quiet-warnings.js';
import { spawn } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import { cpus, loadavg, tmpdir } from 'node:os';
import { join, relative } from 'node:path';
import { pathToFileURL } from 'node:url';
import { build } from 'esbuild';
import { ENTRY_FILE, esbuildOptions, PROJECT_ROOT, SOURCE_MAPS_NODE_OPTION } from '../infra/bundling.js';
import { startLocalGateway } from '../local/gateway.js';
import { eagerOutputs } from '../scripts/bundle.js';
import { runtimeClientEntry } from '../scripts/lambda-ric.js';
import { startAnthropicSimulator } from '../simulators/anthropic.js';
import { startBedrockSimulator } from '../simulators/bedrock.js';
import { startGeminiSimulator } from '../simulators/gemini.js';
import { startLambdaFunction } from '../simulators/lambda.js';
import { startOpenAISimulator } from '../simulators/openai.js';

const RUNS = 10;
/** As the stack deploys by default; `-- --source-maps` measures it with context `sourceMaps=true`. */
const SOURCE_MAP_FLAGS = process.argv.includes('--source-maps') ? [SOURCE_MAPS_NODE_OPTION] : [];
const FIRST_REQUEST_RUNS = 5;
const MEMORY_SIZES = [512, 1024] as const;
const FUNCTIONS = ['chat', 'admin'] as const;
type Fn = (typeof FUNCTIONS)[number];

/** The heap flags Lambda's Node.js bootstrap passes for a memory size. */
function heapFlags(memoryMb: number): string[] {
  const newSpace = Math.floor(memoryMb / 10);
  return [`--max-semi-space-size=${Math.floor(newSpace / 2)}`, `--max-old-space-size=${memoryMb - newSpace}`];
}

const median = (values: number[]) => {
  const sorted = [...values].sort((a, b) => a - b);
  const mid = Math.floor(sorted.length / 2);
  return sorted.length % 2 ? sorted[mid]! : (sorted[mid - 1]! + sorted[mid]!) / 2;
};
const ms = (value: number) => `${value.toFixed(0)} ms`;

const PROBE = `
globalThis.awslambda = { streamifyResponse: (handler) => handler, HttpResponseStream: { from: (stream) => stream } };
const started = performance.now();
const entry = await import(process.argv[1]);
const ready = performance.now();
if (typeof entry.handler !== 'function') throw new Error('the bundle exports no handler');
process.stdout.write(JSON.stringify({ importMs: ready - started, sinceStartMs: ready }));
`;

function probe(entryUrl: string, memoryMb: number): Promise<{ importMs: number; sinceStartMs: number }> {
  return new Promise((resolve, reject) => {
    // No AWS_* variables: nothing may call AWS at init.
    const child = spawn(
      process.execPath,
      [...heapFlags(memoryMb), ...SOURCE_MAP_FLAGS, '--input-type=module', '-e', PROBE, entryUrl],
      { env: { PATH: process.env.PATH, NODE_ENV: 'production' }, stdio: ['ignore', 'pipe', 'inherit'] },
    );
    let out = '';
    child.stdout.on('data', (chunk: Buffer) => {
      out += chunk.toString('utf8');
    });
    child.once('exit', (code) => (code === 0 ? resolve(JSON.parse(out)) : reject(new Error(`probe exited ${code}`))));
  });
}

async function main(): Promise<void> {
  const root = await mkdtemp(join(tmpdir(), 'gw-cold-'));
  const dirs = Object.fromEntries(FUNCTIONS.map((fn) => [fn, join(root, fn)])) as Record<Fn, string>;
  try {
    console.log(
      `Cold start, ${new Date().toISOString().slice(0, 10)}: node ${process.version}, ${cpus().length} × ` +
        `${cpus()[0]?.model.trim()}, load average ${loadavg()[0]?.toFixed(1)} (other work on the machine slows every figure); ` +
        `${SOURCE_MAP_FLAGS.length ? 'with' : 'without'} ${SOURCE_MAPS_NODE_OPTION}\n`,
    );
    console.log('Loaded at init (entry chunk and its static imports):');
    for (const fn of FUNCTIONS) {
      const { metafile } = await build(esbuildOptions(fn, dirs[fn]));
      const entry = relative(PROJECT_ROOT, join(dirs[fn], ENTRY_FILE)).replace(/\\/g, '/');
      const eager = [...eagerOutputs(metafile, entry)];
      const bytes = eager.reduce((sum, file) => sum + (metafile.outputs[file]?.bytes ?? 0), 0);
      const all = Object.entries(metafile.outputs)
        .filter(([file]) => !file.endsWith('.map'))
        .reduce((sum, [, output]) => sum + output.bytes, 0);
      console.log(
        `  ${fn.padEnd(6)}${(bytes / 1024).toFixed(0)} KiB in ${eager.length} files (${(all / 1024).toFixed(0)} KiB of code in all)`,
      );
    }

    console.log(`\nImport in a fresh node, median (min) of ${RUNS}; in brackets: from process start to the handler`);
    for (const memoryMb of MEMORY_SIZES) {
      for (const fn of FUNCTIONS) {
        const url = pathToFileURL(join(dirs[fn], ENTRY_FILE)).href;
        const runs = [];
        for (let i = 0; i < RUNS; i++) runs.push(await probe(url, memoryMb));
        const imports = runs.map((run) => run.importMs);
        console.log(
          `  ${String(memoryMb).padStart(4)} MB ${fn.padEnd(6)}${ms(median(imports))} (${ms(Math.min(...imports))})` +
            `  [${ms(median(runs.map((run) => run.sinceStartMs)))}]`,
        );
      }
    }

    const runtimeClient = await runtimeClientEntry();
    if (!runtimeClient) {
      console.log(
        '\naws-lambda-ric is not installed (npm run test:lambda builds it): no runtime init, no first requests',
      );
      return;
    }
    console.log(`\nRuntime init under aws-lambda-ric (spawn → first GET /next), median (min) of ${RUNS}`);
    for (const memoryMb of MEMORY_SIZES) {
      for (const fn of FUNCTIONS) {
        const times: number[] = [];
        for (let i = 0; i < RUNS; i++) {
          const started = performance.now();
          const lambda = await startLambdaFunction({
            runtimeClient,
            taskRoot: dirs[fn],
            invokeMode: fn === 'chat' ? 'RESPONSE_STREAM' : 'BUFFERED',
            memoryMb,
            env: { NODE_OPTIONS: [...heapFlags(memoryMb), ...SOURCE_MAP_FLAGS].join(' ') },
          });
          await lambda.ready;
          times.push(performance.now() - started);
          await lambda.close();
        }
        console.log(
          `  ${String(memoryMb).padStart(4)} MB ${fn.padEnd(6)}${ms(median(times))} (${ms(Math.min(...times))})`,
        );
      }
    }
    await firstRequests(runtimeClient, dirs.chat, root);
  } finally {
    await rm(root, { recursive: true, force: true });
  }
}

/** Per provider: a fresh chat function's first request, then its second, median of FIRST_REQUEST_RUNS instances. */
async function firstRequests(runtimeClient: string, chatDir: string, root: string): Promise<void> {
  const openai = await startOpenAISimulator();
  const anthropic = await startAnthropicSimulator();
  const gemini = await startGeminiSimulator();
  const bedrock = await startBedrockSimulator();
  const gateway = await startLocalGateway({ port: 0, dataDir: join(root, 'data'), adminToken: 'bench-admin' });
  try {
    const adminCall = async (method: string, path: string, body: unknown) => {
      const response = await fetch(`${gateway.url}${path}`, {
        method,
        headers: { authorization: 'Bearer bench-admin', 'content-type': 'application/json' },
        body: JSON.stringify(body),
      });
      if (!response.ok) throw new Error(`${method} ${path}: ${response.status} ${await response.text()}`);
      return (await response.json()) as Record<string, unknown>;
    };
    const project = String((await adminCall('POST', '/admin/projects', { name: 'cold-start' })).id);
    const key = String((await adminCall('POST', `/admin/projects/${project}/keys`, { name: 'cold' })).key);
    const providers: [string, string, Record<string, unknown>][] = [
      ['openai', 'openai/gpt-4o-mini', { api_key: 'sk-bench-0000000000', base_url: `${openai.url}/v1` }],
      ['anthropic', 'anthropic/claude-haiku-4-5', { api_key: 'sk-ant-bench-00000', base_url: anthropic.url }],
      ['gemini', 'gemini/gemini-2.0-flash', { api_key: 'gemini-bench-000000', base_url: gemini.url }],
      [
        'bedrock',
        'bedrock/anthropic.claude-3-haiku-20240307-v1:0',
        {
          region: 'us-east-1',
          access_key_id: 'AKIDBENCH000000000',
          secret_access_key: 'bench/secret/0000000000',
          endpoint: bedrock.url,
        },
      ],
    ];
    for (const [provider, , credential] of providers) {
      await adminCall('PUT', `/admin/projects/${project}/providers/${provider}`, credential);
    }
    const ask = async (url: string, model: string) => {
      const started = performance.now();
      const response = await fetch(`${url}/v1/chat/completions`, {
        method: 'POST',
        headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
        body: JSON.stringify({ model, messages: [{ role: 'user', content: 'Say hello' }] }),
      });
      await response.text();
      if (response.status !== 200) throw new Error(`${model}: ${response.status}`);
      return performance.now() - started;
    };
    console.log(
      `\nFirst request of a fresh chat function (1024 MB) through its Function URL, per provider (simulated),` +
        ` median of ${FIRST_REQUEST_RUNS}; then the second request`,
    );
    for (const [provider, model] of providers) {
      const first: number[] = [];
      const second: number[] = [];
      for (let i = 0; i < FIRST_REQUEST_RUNS; i++) {
        const lambda = await startLambdaFunction({
          runtimeClient,
          taskRoot: chatDir,
          invokeMode: 'RESPONSE_STREAM',
          memoryMb: 1024,
          env: {
            NODE_OPTIONS: [...heapFlags(1024), ...SOURCE_MAP_FLAGS].join(' '),
            AWS_SDK_JS_NODE_VERSION_SUPPORT_WARNING_DISABLED: 'true',
            DYNAMODB_ENDPOINT: gateway.dynamoEndpoint,
            GATEWAY_CREDENTIAL_STORE: 'local',
            GATEWAY_DATA_DIR: gateway.dataDir,
            AWS_ACCESS_KEY_ID: 'AKIDLOCAL',
            AWS_SECRET_ACCESS_KEY: 'local',
          },
        });
        try {
          await lambda.ready;
          first.push(await ask(lambda.url, model));
          second.push(await ask(lambda.url, model));
        } finally {
          await lambda.close();
        }
      }
      console.log(`  ${provider.padEnd(10)}first ${ms(median(first))}, second ${ms(median(second))}`);
    }
  } finally {
    await gateway.close();
    await Promise.all([openai.close(), anthropic.close(), gemini.close(), bedrock.close()]);
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error);
  process.exitCode = 1;
});
