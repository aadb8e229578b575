/**
 * The "like Lambda" run's worker (started by bench/lambda.ts, in a process of its own, as one warm Lambda instance):
 * the chat Lambda handler itself (functions/chat/handler.ts) under the `awslambda` stand-in, its DynamoDB behind
 * the delaying proxy (DYNAMODB_ENDPOINT), the provider the OpenAI simulator. One invocation at a time, as Lambda
 * does, each with a Function URL event and a response stream that notes when the response ended. Prints one line,
 * `BENCH-RESULT <json>`.
 *
 * Environment: DYNAMODB_ENDPOINT, GATEWAY_CREDENTIAL_STORE=local, GATEWAY_DATA_DIR, GATEWAY_ADMIN_TOKEN (read by the
 * handlers, as local/gateway.ts sets them), BENCH_SIM_URL, BENCH_N, BENCH_WARMUP, BENCH_RTT_N.
 */
import '../local/quiet-warnings.js';
import { randomUUID } from 'node:crypto';
import { Writable } from 'node:stream';
import { GetItemCommand } from '@aws-sdk/client-dynamodb';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { lambdaRuntime } from '../functions/shared/lambda-runtime.js';
import { ensureTables, storesFromEnv } from '../lib/storage/index.js';
import { installLambdaShim } from './lambda-shim.js';

export interface LambdaInvocation {
  key: string;
  status: number;
  /** performance.timeOrigin + performance.now() at the invocation, the response's end, and the handler's return. */
  start: number;
  end: number;
  settled: number;
  cpuMs: number;
}

export interface LambdaChildResult {
  keys: string[];
  /** GetItem round trips through the delaying proxy, ms. */
  rttMs: number[];
  runs: LambdaInvocation[];
}

const now = () => performance.timeOrigin + performance.now();

/** The Lambda response stream: keeps nothing, notes the status and when the response ended. */
class RecordingStream extends Writable {
  status = 200;
  endedAt = Number.NaN;
  override _write(_chunk: unknown, _encoding: BufferEncoding, callback: () => void): void {
    callback();
  }
  override _final(callback: () => void): void {
    this.endedAt = now();
    callback();
  }
}

function context(): Context {
  const deadline = Date.now() + 15 * 60_000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName: 'gateway-chat',
    functionVersion: '$LATEST',
    invokedFunctionArn: 'arn:aws:lambda:local:000000000000:function:gateway-chat',
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: '/aws/lambda/gateway-chat',
    logStreamName: 'bench',
    getRemainingTimeInMillis: () => deadline - Date.now(),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

/** A Function URL (payload v2) event, as Lambda builds it for a JSON POST. */
function event(method: string, path: string, headers: Record<string, string>, body?: unknown): APIGatewayProxyEventV2 {
  const at = new Date();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: path,
    rawQueryString: '',
    headers: { host: 'bench.lambda-url.local', 'content-type': 'application/json', ...headers },
    requestContext: {
      accountId: '000000000000',
      apiId: 'bench',
      domainName: 'bench.lambda-url.local',
      domainPrefix: 'bench',
      http: { method, path, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'bench' },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: at.toISOString(),
      timeEpoch: at.getTime(),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
    isBase64Encoded: false,
  };
}

async function main(): Promise<void> {
  const simUrl = process.env.BENCH_SIM_URL;
  if (!simUrl || !process.env.DYNAMODB_ENDPOINT) throw new Error('BENCH_SIM_URL and DYNAMODB_ENDPOINT are required');
  const n = Number(process.env.BENCH_N ?? 100);
  const warmup = Number(process.env.BENCH_WARMUP ?? 10);
  const rttN = Number(process.env.BENCH_RTT_N ?? 100);

  const stores = storesFromEnv();
  await ensureTables(stores.dynamodb, stores.tables);
  installLambdaShim();
  // Note each response's status: the stand-in's `from` is wrapped, not replaced.
  const runtime = lambdaRuntime()!;
  const from = runtime.HttpResponseStream.from.bind(runtime.HttpResponseStream);
  runtime.HttpResponseStream.from = (stream, metadata) => {
    if (stream instanceof RecordingStream) stream.status = metadata.statusCode;
    return from(stream, metadata);
  };
  const chat = (await import('../functions/chat/handler.js')).handler;
  const admin = (await import('../functions/admin/handler.js')).handler;

  const adminCall = async (method: string, path: string, body: unknown) => {
    const result = await admin(
      event(method, path, { authorization: `Bearer ${process.env.GATEWAY_ADMIN_TOKEN}` }, body),
      context(),
    );
    const parsed = JSON.parse(result.body ?? '{}') as Record<string, unknown>;
    if ((result.statusCode ?? 200) >= 300) throw new Error(`${method} ${path}: ${result.statusCode} ${result.body}`);
    return parsed;
  };
  const project = String((await adminCall('POST', '/admin/projects', { name: 'bench-lambda' })).id);
  await adminCall('PUT', `/admin/projects/${project}/providers/openai`, {
    api_key: 'sk-bench-0000000000',
    base_url: `${simUrl}/v1`,
  });
  // Limits high enough never to refuse: the figures are the cost of checking them.
  const keySpecs: Record<string, Record<string, unknown>> = {
    'no limits': { name: 'plain' },
    rpm: { name: 'rpm', rpm: 1_000_000 },
    budget_usd: { name: 'budget', budget_usd: 1_000_000 },
  };
  const keys: Record<string, string> = {};
  for (const [label, spec] of Object.entries(keySpecs)) {
    keys[label] = String((await adminCall('POST', `/admin/projects/${project}/keys`, spec)).key);
  }

  // One DynamoDB round trip through the proxy, on the handler's own client: GetItem of a key that does not exist.
  const rttMs: number[] = [];
  for (let i = 0; i < rttN + 10; i++) {
    const started = performance.now();
    await stores.dynamodb.send(
      new GetItemCommand({ TableName: stores.tables.keys, Key: { hash: { S: `bench-missing-${i}` } } }),
    );
    if (i >= 10) rttMs.push(performance.now() - started);
  }

  const labels = Object.keys(keys);
  const body = { model: 'openai/gpt-4o-mini', messages: [{ role: 'user', content: 'Benchmark: twenty words.' }] };
  const runs: LambdaInvocation[] = [];
  // The keys take turns, one invocation each, so drift on the machine spreads over all three.
  for (let i = 0; i < (warmup + n) * labels.length; i++) {
    const label = labels[i % labels.length]!;
    const stream = new RecordingStream();
    const request = event('POST', '/v1/chat/completions', { authorization: `Bearer ${keys[label]}` }, body);
    const cpu = process.cpuUsage();
    const start = now();
    await chat(request, stream, context());
    const settled = now();
    const used = process.cpuUsage(cpu);
    if (stream.status !== 200) throw new Error(`key "${label}": status ${stream.status}`);
    if (i < warmup * labels.length) continue;
    runs.push({
      key: label,
      status: stream.status,
      start,
      end: stream.endedAt,
      settled,
      cpuMs: (used.user + used.system) / 1000,
    });
  }
  const result: LambdaChildResult = { keys: labels, rttMs, runs };
  process.stdout.write(`BENCH-RESULT ${JSON.stringify(result)}\n`);
}

main().then(
  () => process.exit(0),
  (error: unknown) => {
    process.stderr.write(`${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exit(1);
  },
);
