import { rm } from 'node:fs/promises';
import type { APIGatewayProxyEventV2, Context } from 'aws-lambda';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { handler } from '../../functions/admin/handler.js';
import { storesFromEnv } from '../../lib/storage/index.js';
import { type LocalDynamo, startLocalDynamo } from '../../lib/storage/local-dynamo.js';
import { ensureTables } from '../../lib/storage/tables.js';
import { makeTempDir } from '../storage/helpers.js';

let dataDir: string;
let dynamo: LocalDynamo;

beforeAll(async () => {
  dataDir = await makeTempDir('gw-lambda-');
  dynamo = await startLocalDynamo(dataDir);
  vi.stubEnv('DYNAMODB_ENDPOINT', dynamo.endpoint);
  vi.stubEnv('GATEWAY_CREDENTIAL_STORE', 'local');
  vi.stubEnv('GATEWAY_DATA_DIR', dataDir);
  vi.stubEnv('GATEWAY_ADMIN_TOKEN', 'tok-lambda');
  const stores = storesFromEnv();
  await ensureTables(stores.dynamodb, stores.tables);
});

afterAll(async () => {
  vi.unstubAllEnvs();
  storesFromEnv().dynamodb.destroy();
  await dynamo.close();
  await rm(dataDir, { recursive: true, force: true });
});

/** A Function URL event (payload format 2.0) as Lambda delivers it. */
function event(method: string, rawPath: string, body?: string, isBase64Encoded = false): APIGatewayProxyEventV2 {
  return {
    version: '2.0',
    routeKey: '$default',
    rawPath,
    rawQueryString: '',
    headers: { authorization: 'Bearer tok-lambda', 'content-type': 'application/json' },
    requestContext: {
      accountId: 'anonymous',
      apiId: 'url-id',
      domainName: 'url-id.lambda-url.us-east-1.on.aws',
      domainPrefix: 'url-id',
      http: { method, path: rawPath, protocol: 'HTTP/1.1', sourceIp: '127.0.0.1', userAgent: 'test' },
      requestId: 'req-1',
      routeKey: '$default',
      stage: '$default',
      time: '01/Jan/2030:00:00:00 +0000',
      timeEpoch: 1_893_456_000_000,
    },
    isBase64Encoded,
    ...(body === undefined ? {} : { body }),
  };
}

const context = { functionName: 'admin', awsRequestId: 'req-admin' } as Context;

describe('admin Lambda handler', () => {
  it('decodes a base64 body and answers with statusCode, headers and body', async () => {
    const body = Buffer.from(JSON.stringify({ name: 'from-lambda' })).toString('base64');
    const result = await handler(event('POST', '/admin/projects', body, true), context);
    expect(result.statusCode).toBe(201);
    expect(result.headers?.['content-type']).toMatch(/^application\/json/);
    const project = JSON.parse(String(result.body));
    expect(project.name).toBe('from-lambda');

    const got = await handler(event('GET', `/admin/projects/${project.id}`), context);
    expect(JSON.parse(String(got.body))).toEqual(project);
  });

  it('requires GATEWAY_ADMIN_TOKEN when it is set', async () => {
    const unauthenticated = event('GET', '/admin/projects');
    unauthenticated.headers = {};
    expect((await handler(unauthenticated, context)).statusCode).toBe(401);
  });
});
