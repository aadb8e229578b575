/**
 * The local gateway (DESIGN.md §5): a node:http server that adapts each request straight to the gateway core
 * (the same `handleGatewayRequest` and `handleAdmin` the Lambda handlers call), with dynalite and the encrypted
 * credential file store as its embedded storage, and usage rows written in batches with a spool file beside them
 * (lib/usage/batching-recorder.ts). `npm start` (local/server.ts) and the end-to-end tests both start it here.
 */
import { randomBytes } from 'node:crypto';
import { promises as fs } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join, resolve } from 'node:path';
import { dashboardPage, isDashboardPath } from '../dashboard/page.js';
import { handleAdmin } from '../lib/admin/index.js';
import { type Clock, TIMED_OUT, withTimeout } from '../lib/core/clock.js';
import { GatewayError, toErrorBody } from '../lib/core/errors.js';
import { callSettingsFromEnv } from '../lib/gateway/call.js';
import { defaultsFromEnv } from '../lib/gateway/defaults.js';
import { log } from '../lib/gateway/log.js';
import { handleGatewayRequest, newRequestId } from '../lib/gateway/pipeline.js';
import { MAX_BODY_BYTES } from '../lib/gateway/validate.js';
import { createStores, ensureTables, type StoreBundle, storesConfigFromEnv } from '../lib/storage/index.js';
import { startLocalDynamo } from '../lib/storage/local-dynamo.js';
import { BatchingRecorder } from '../lib/usage/batching-recorder.js';
import { BudgetLedger } from '../lib/usage/budget.js';
import { CounterWriter } from '../lib/usage/counter-writer.js';
import { FileSpool } from '../lib/usage/file-spool.js';
import { UsageStore } from '../lib/usage/store.js';
import { dataDirPresent, lockDataDir, prepareDataDir, StartupError } from './data-dir.js';
import { nodeSink, toHttpRequest } from './node-http.js';

export { StartupError };

export interface LocalGatewayOptions {
  port?: number;
  host?: string;
  dataDir?: string;
  /** Defaults to GATEWAY_ADMIN_TOKEN, else a token generated once and kept in the data directory. */
  adminToken?: string;
  /** How long `close` lets answers in flight finish before it aborts them (CONTRACT.md §4: 10 s). */
  shutdownGraceMs?: number;
  /** How long after the embedded DynamoDB died it is started again (default 500 ms; tests make outages longer). */
  storageRestartDelayMs?: number;
  /** What that delay counts on (tests bring storage back by moving a clock). */
  storageClock?: Clock;
  /** How often rows spooled during an outage are tried against storage again (default 1 s). */
  spoolRetryMs?: number;
  /** How often the gateway checks that its data directory is still there (default 2 s). */
  dataDirCheckMs?: number;
  /** What the data plane's timeouts, backoff and keep-alives count on (tests move a clock by hand). */
  clock?: Clock;
}

export interface LocalGateway {
  url: string;
  port: number;
  dataDir: string;
  adminToken: string;
  /** The embedded DynamoDB's process id, for tests that take storage away (it is started again when it dies). */
  storagePid(): number | undefined;
  /** The embedded DynamoDB's URL, and the stores on it, for what runs beside the server (the default project, tests). */
  dynamoEndpoint: string;
  stores: StoreBundle;
  close(): Promise<void>;
}

async function adminTokenFor(dataDir: string, given?: string): Promise<string> {
  const fromEnv = given ?? process.env.GATEWAY_ADMIN_TOKEN;
  if (fromEnv) return fromEnv;
  const file = join(dataDir, 'admin-token');
  try {
    return (await fs.readFile(file, 'utf8')).trim();
  } catch {
    const token = `gwadmin-${randomBytes(24).toString('base64url')}`;
    await fs.writeFile(file, `${token}\n`, { mode: 0o600 });
    return token;
  }
}

/** Reads the body, or undefined once it passes Lambda's 6 MiB limit (the rest is not buffered). */
async function readBody(req: IncomingMessage): Promise<Buffer | undefined> {
  const chunks: Buffer[] = [];
  let size = 0;
  for await (const chunk of req) {
    size += (chunk as Buffer).length;
    if (size > MAX_BODY_BYTES) return undefined;
    chunks.push(chunk as Buffer);
  }
  return Buffer.concat(chunks);
}

function writeJson(res: ServerResponse, status: number, body: unknown, headers: Record<string, string> = {}): void {
  const text = JSON.stringify(body);
  res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
  res.end(text);
}

export async function startLocalGateway(options: LocalGatewayOptions = {}): Promise<LocalGateway> {
  const dataDir = resolve(options.dataDir ?? process.env.GATEWAY_DATA_DIR ?? '.gateway');
  // Some pseudo-filesystems (/proc on Linux) never settle a recursive mkdir: give up with the same one-line error.
  if ((await withTimeout(prepareDataDir(dataDir), 5_000)) === TIMED_OUT)
    throw new StartupError(`The data directory ${dataDir} is not writable (no answer from the filesystem).`);
  const unlock = await lockDataDir(dataDir);
  const adminToken = await adminTokenFor(dataDir, options.adminToken);
  const dynamo = await startLocalDynamo(dataDir, {
    mode: 'child',
    restartDelayMs: options.storageRestartDelayMs,
    clock: options.storageClock,
  }).catch(async (error: unknown) => {
    await unlock();
    throw new StartupError(`Could not open the local database in ${dataDir}/dynamodb: ${String(error)}`);
  });
  // A data directory deleted under a running gateway takes storage with it: say so on every request after.
  let removed = false;
  const watch = setInterval(() => {
    void dataDirPresent(dataDir).then((present) => {
      if (present || removed) return;
      removed = true;
      log.error('the data directory was deleted while the gateway was running: restart it', { dataDir });
    });
  }, options.dataDirCheckMs ?? DATA_DIR_CHECK_MS);
  watch.unref();

  // The same stores the Lambda handlers build from their environment, configured here directly: the embedded
  // DynamoDB and the encrypted credential file, with the table names and cache time the environment may set.
  const stores = createStores({
    ...storesConfigFromEnv(process.env),
    dynamodb: { endpoint: dynamo.endpoint },
    credentials: { kind: 'local', dataDir },
  });
  await ensureTables(stores.dynamodb, stores.tables);
  const usage = new UsageStore(stores.dynamodb, stores.tables);
  const recorder = new BatchingRecorder({
    writer: new CounterWriter(stores.dynamodb, stores.tables),
    spool: new FileSpool(dataDir),
    log,
    retryMs: options.spoolRetryMs,
  });
  // Rows an earlier run spooled (storage was down, or it stopped mid-outage) are written before new ones.
  await recorder.start().catch((error: unknown) => log.warn('spooled usage rows not written yet', { error }));
  const metering = { usage, recorder, budgets: new BudgetLedger(stores.dynamodb, stores.tables.usageDaily) };
  const defaults = async () => ({ ...defaultsFromEnv(process.env), ...(await stores.defaultCredentials()) });

  // Handlers keep running after the response ended (accounting): close() lets them finish before storage stops.
  const inFlight = new Set<Promise<void>>();
  let stopping = false;
  const server: Server = createServer({ noDelay: true }, (req, res) => {
    if (stopping) {
      // A kept-alive connection may still bring a request while the server drains: refuse it, and say so.
      writeJson(res, 503, toErrorBody(shuttingDown()), { connection: 'close', 'x-request-id': newRequestId() });
      return;
    }
    if (removed) {
      writeJson(res, 503, toErrorBody(dataDirRemoved(dataDir)), { 'x-request-id': newRequestId() });
      return;
    }
    const handling = serve(req, res).catch((error: unknown) => {
      if (!res.headersSent) writeJson(res, 500, toErrorBody(internalError()), { 'x-request-id': newRequestId() });
      else res.destroy();
      process.stderr.write(`local server: ${String(error)}\n`);
    });
    inFlight.add(handling);
    void handling.finally(() => inFlight.delete(handling));
  });

  async function serve(req: IncomingMessage, res: ServerResponse): Promise<void> {
    const body = await readBody(req);
    if (body === undefined) {
      // Lambda's Function URL refuses such a body itself; locally the server does, with the gateway's headers.
      writeJson(res, 413, toErrorBody(tooLarge()), { connection: 'close', 'x-request-id': newRequestId() });
      req.destroy();
      return;
    }
    const request = toHttpRequest(req, body);
    if (request.path === '/health') return writeJson(res, 200, { status: 'ok' });
    if (request.method === 'GET' && isDashboardPath(request.path)) {
      // The page holds no data: it asks for the admin token and reads /admin like any other admin client.
      const page = dashboardPage();
      res.writeHead(page.status, { ...page.headers, 'content-length': Buffer.byteLength(page.body) });
      res.end(page.body);
      return;
    }
    if (request.path === '/admin' || request.path.startsWith('/admin/')) {
      const answer = await handleAdmin(request, { stores, adminToken });
      res.writeHead(answer.status, { ...answer.headers, 'content-length': Buffer.byteLength(answer.body) });
      res.end(answer.body);
      return;
    }
    await handleGatewayRequest(request, nodeSink(res), {
      stores,
      defaults,
      // Read per request, as the Lambda does per invocation: tests change these between requests.
      settings: callSettingsFromEnv(),
      metering,
      clock: options.clock,
    });
  }

  const sockets = new Set<Socket>();
  server.on('connection', (socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
  });
  const host = options.host ?? '127.0.0.1';
  await new Promise<void>((resolveListen, reject) => {
    server.once('error', (error: NodeJS.ErrnoException) => {
      const where = `${host}:${options.port ?? 8787}`;
      if (error.code === 'EADDRINUSE')
        reject(new StartupError(`Port ${where} is already in use; set PORT to a free one.`));
      else if (error.code === 'EACCES')
        reject(new StartupError(`No permission to listen on ${where}; set PORT to another.`));
      else reject(new StartupError(`Could not listen on ${where}: ${error.message}`));
    });
    server.listen(options.port ?? 8787, host, () => resolveListen());
  }).catch(async (error: unknown) => {
    clearInterval(watch);
    await dynamo.close();
    await unlock();
    throw error;
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://${host}:${port}`,
    port,
    dataDir,
    adminToken,
    storagePid: () => dynamo.pid?.(),
    dynamoEndpoint: dynamo.endpoint,
    stores,
    /**
     * Stops taking requests, lets answers in flight finish (at most the grace time, then aborts them: their rows
     * say 499), writes every row, and only then stops storage (CONTRACT.md §4).
     */
    async close() {
      stopping = true;
      const closed = new Promise<void>((done) => server.close(() => done()));
      server.closeIdleConnections();
      const graceMs = options.shutdownGraceMs ?? 10_000;
      if (!(await settledWithin(inFlight, graceMs))) {
        for (const socket of sockets) socket.destroy();
        await settledWithin(inFlight, 5_000);
      }
      for (const socket of sockets) socket.destroy();
      await closed;
      await recorder.close().catch((error: unknown) => log.error('usage rows not written at shutdown', { error }));
      await dynamo.close();
      clearInterval(watch);
      await unlock().catch(() => {});
    },
  };
}

/** True when every promise settled within `ms`. */
async function settledWithin(promises: ReadonlySet<Promise<void>>, ms: number): Promise<boolean> {
  if (promises.size === 0) return true;
  return (await withTimeout(Promise.allSettled([...promises]), ms)) !== TIMED_OUT;
}

function internalError(): GatewayError {
  return new GatewayError({ status: 500, type: 'server_error', message: 'The gateway failed to handle this request.' });
}

/** How often a running gateway checks that its data directory is still there. */
const DATA_DIR_CHECK_MS = 2_000;

function dataDirRemoved(dataDir: string): GatewayError {
  return new GatewayError({
    status: 503,
    type: 'server_error',
    code: 'storage_unavailable',
    message: `The gateway's data directory ${dataDir} was deleted while it was running; restart the gateway (npm start).`,
  });
}

function shuttingDown(): GatewayError {
  return new GatewayError({
    status: 503,
    type: 'server_error',
    code: 'shutting_down',
    message: 'The gateway is shutting down.',
  });
}

function tooLarge(): GatewayError {
  return new GatewayError({
    status: 413,
    type: 'invalid_request_error',
    code: 'request_too_large',
    message: `The request body is larger than ${MAX_BODY_BYTES} bytes.`,
  });
}
