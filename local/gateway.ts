/**
 * The local gateway (DESIGN.md §5): a node:http server that turns each request into a Function URL event (payload
 * v2) and calls the same exported Lambda handlers, with dynalite and the encrypted credential file store as its
 * embedded storage. `npm start` (local/server.ts) and the end-to-end tests both start it through here.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { constants, promises as fs } from 'node:fs';
import { createServer, type IncomingMessage, type Server, type ServerResponse } from 'node:http';
import type { AddressInfo, Socket } from 'node:net';
import { join, resolve } from 'node:path';
import type { APIGatewayProxyEventV2, APIGatewayProxyStructuredResultV2, Context } from 'aws-lambda';
import { newRequestId } from '../lib/gateway/chat.js';
import { MAX_BODY_BYTES } from '../lib/gateway/validate.js';
import { ensureTables, storesFromEnv } from '../lib/storage/index.js';
import { startLocalDynamo } from '../lib/storage/local-dynamo.js';
import { installLambdaShim, LocalResponseStream } from './lambda-shim.js';

export interface LocalGatewayOptions {
  port?: number;
  host?: string;
  dataDir?: string;
  /** Defaults to GATEWAY_ADMIN_TOKEN, else a token generated once and kept in the data directory. */
  adminToken?: string;
}

export interface LocalGateway {
  url: string;
  port: number;
  dataDir: string;
  adminToken: string;
  close(): Promise<void>;
}

/** A start-up failure with a one-line message for the person at the terminal (no stack trace). */
export class StartupError extends Error {
  override name = 'StartupError';
}

async function prepareDataDir(dataDir: string): Promise<void> {
  try {
    await fs.mkdir(dataDir, { recursive: true });
    await fs.access(dataDir, constants.W_OK);
    const probe = join(dataDir, `.write-probe-${process.pid}`);
    await fs.writeFile(probe, '');
    await fs.rm(probe);
  } catch (error) {
    const code = (error as NodeJS.ErrnoException).code ?? 'error';
    throw new StartupError(
      `The data directory ${dataDir} is not writable (${code}); set GATEWAY_DATA_DIR to one that is.`,
    );
  }
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

function lambdaContext(functionName: string): Context {
  const deadline = Date.now() + 15 * 60_000;
  return {
    callbackWaitsForEmptyEventLoop: false,
    functionName,
    functionVersion: '$LATEST',
    invokedFunctionArn: `arn:aws:lambda:local:000000000000:function:${functionName}`,
    memoryLimitInMB: '1024',
    awsRequestId: randomUUID(),
    logGroupName: `/aws/lambda/${functionName}`,
    logStreamName: 'local',
    getRemainingTimeInMillis: () => deadline - Date.now(),
    done: () => {},
    fail: () => {},
    succeed: () => {},
  };
}

/** Builds a Function URL (payload v2) event from a node request, as Lambda would. */
export function toFunctionUrlEvent(req: IncomingMessage, body: Buffer): APIGatewayProxyEventV2 {
  const url = new URL(req.url ?? '/', 'http://localhost');
  const headers: Record<string, string> = {};
  for (const [name, value] of Object.entries(req.headers)) {
    if (value !== undefined) headers[name] = Array.isArray(value) ? value.join(',') : value;
  }
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = query[name] ? `${query[name]},${value}` : value;
  const now = new Date();
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath: url.pathname,
    rawQueryString: url.search.slice(1),
    headers,
    queryStringParameters: Object.keys(query).length ? query : undefined,
    requestContext: {
      accountId: '000000000000',
      apiId: 'local',
      domainName: headers.host ?? 'localhost',
      domainPrefix: 'local',
      http: {
        method: req.method ?? 'GET',
        path: url.pathname,
        protocol: `HTTP/${req.httpVersion}`,
        sourceIp: req.socket.remoteAddress ?? '127.0.0.1',
        userAgent: headers['user-agent'] ?? '',
      },
      requestId: randomUUID(),
      routeKey: '$default',
      stage: '$default',
      time: now.toISOString(),
      timeEpoch: now.getTime(),
    },
    body: body.length ? body.toString('base64') : undefined,
    isBase64Encoded: body.length > 0,
  };
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

type AdminHandler = (event: APIGatewayProxyEventV2, context: Context) => Promise<APIGatewayProxyStructuredResultV2>;

export async function startLocalGateway(options: LocalGatewayOptions = {}): Promise<LocalGateway> {
  const dataDir = resolve(options.dataDir ?? process.env.GATEWAY_DATA_DIR ?? '.gateway');
  // Some pseudo-filesystems (/proc on Linux) never settle a recursive mkdir: give up with the same one-line error.
  let timer: NodeJS.Timeout | undefined;
  await Promise.race([
    prepareDataDir(dataDir),
    new Promise<never>((_, reject) => {
      timer = setTimeout(
        () =>
          reject(new StartupError(`The data directory ${dataDir} is not writable (no answer from the filesystem).`)),
        5_000,
      );
      timer.unref();
    }),
  ]).finally(() => clearTimeout(timer));
  const adminToken = await adminTokenFor(dataDir, options.adminToken);
  const dynamo = await startLocalDynamo(dataDir, { mode: 'child' }).catch((error: unknown) => {
    throw new StartupError(`Could not open the local database in ${dataDir}/dynamodb: ${String(error)}`);
  });

  // The handlers read their configuration from the environment, exactly as in Lambda.
  process.env.DYNAMODB_ENDPOINT = dynamo.endpoint;
  process.env.GATEWAY_CREDENTIAL_STORE = 'local';
  process.env.GATEWAY_DATA_DIR = dataDir;
  process.env.GATEWAY_ADMIN_TOKEN = adminToken;
  const stores = storesFromEnv();
  await ensureTables(stores.dynamodb, stores.tables);

  installLambdaShim();
  const chat = (await import('../functions/chat/handler.js')).handler;
  const admin = (await import('../functions/admin/handler.js')).handler as AdminHandler;

  // Handlers keep running after the response ended (accounting): close() lets them finish before storage stops.
  const inFlight = new Set<Promise<void>>();
  const server: Server = createServer({ noDelay: true }, (req, res) => {
    const handling = serve(req, res).catch((error: unknown) => {
      if (!res.headersSent) writeJson(res, 500, { error: internalError() }, { 'x-request-id': newRequestId() });
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
      writeJson(res, 413, { error: tooLarge() }, { connection: 'close', 'x-request-id': newRequestId() });
      req.destroy();
      return;
    }
    const event = toFunctionUrlEvent(req, body);
    if (event.rawPath === '/health') return writeJson(res, 200, { status: 'ok' });
    if (event.rawPath === '/admin' || event.rawPath.startsWith('/admin/')) {
      const result = await admin(event, lambdaContext('gateway-admin'));
      const text = result.body ?? '';
      res.writeHead(result.statusCode ?? 200, {
        ...stringHeaders(result.headers),
        'content-length': Buffer.byteLength(text),
      });
      res.end(text);
      return;
    }
    await chat(event, new LocalResponseStream(res), lambdaContext('gateway-chat'));
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
    await dynamo.close();
    throw error;
  });
  const port = (server.address() as AddressInfo).port;

  return {
    url: `http://${host}:${port}`,
    port,
    dataDir,
    adminToken,
    async close() {
      const closed = new Promise<void>((done) => server.close(() => done()));
      server.closeIdleConnections();
      await Promise.race([Promise.allSettled([...inFlight]), new Promise((done) => setTimeout(done, 5_000))]);
      for (const socket of sockets) socket.destroy();
      await closed;
      await dynamo.close();
    },
  };
}

function stringHeaders(headers: APIGatewayProxyStructuredResultV2['headers']): Record<string, string> {
  const out: Record<string, string> = {};
  for (const [name, value] of Object.entries(headers ?? {})) out[name] = String(value);
  return out;
}

function internalError() {
  return { message: 'The gateway failed to handle this request.', type: 'server_error', param: null, code: null };
}

function tooLarge() {
  return {
    message: `The request body is larger than ${MAX_BODY_BYTES} bytes.`,
    type: 'invalid_request_error',
    param: null,
    code: 'request_too_large',
  };
}
