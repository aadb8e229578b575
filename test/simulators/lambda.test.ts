/**
 * The Function URL front's request events (simulators/lambda.ts), checked against the payload format 2.0 rules AWS
 * documents: lower-cased header names, repeated headers and query parameters joined with commas, cookies in their
 * own list, and a body base64-encoded unless its content type is text.
 * @see https://docs.aws.amazon.com/lambda/latest/dg/urls-invocation.html#urls-payloads
 */
import { createServer, request } from 'node:http';
import type { AddressInfo } from 'node:net';
import type { APIGatewayProxyEventV2 } from 'aws-lambda';
import { describe, expect, it } from 'vitest';
import { functionUrlEvent } from '../../simulators/lambda.js';

/** Sends one raw request to a server that turns it into a Function URL event. */
async function eventFor(
  method: string,
  path: string,
  headers: [string, string][],
  body?: Buffer,
): Promise<APIGatewayProxyEventV2> {
  let event: APIGatewayProxyEventV2 | undefined;
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    event = functionUrlEvent(req, Buffer.concat(chunks), 'urlid0123');
    res.end();
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  try {
    await new Promise<void>((resolve, reject) => {
      const req = request({
        host: '127.0.0.1',
        port: (server.address() as AddressInfo).port,
        method,
        path,
        // Raw headers replace Node's defaults, Host included: an HTTP/1.1 request without one is refused.
        headers: [['Host', 'gateway.test'], ...headers].flat(),
      });
      req.on('response', (res) => res.resume().on('end', () => resolve()));
      req.on('error', reject);
      req.end(body);
    });
  } finally {
    await new Promise<void>((resolve) => server.close(() => resolve()));
  }
  return event!;
}

describe('the Function URL request event', () => {
  it('lower-cases and joins headers, splits cookies out, joins repeated query parameters', async () => {
    const event = await eventFor(
      'POST',
      '/v1/chat/completions?beta=true&tag=a&tag=b',
      [
        ['Content-Type', 'application/json'],
        ['X-Custom', 'one'],
        ['x-custom', 'two'],
        ['Cookie', 'a=1; b=2'],
        ['Content-Length', '2'],
      ],
      Buffer.from('{}'),
    );
    expect(event).toMatchObject({
      version: '2.0',
      routeKey: '$default',
      rawPath: '/v1/chat/completions',
      rawQueryString: 'beta=true&tag=a&tag=b',
      cookies: ['a=1', 'b=2'],
      queryStringParameters: { beta: 'true', tag: 'a,b' },
      body: '{}',
      isBase64Encoded: false,
      requestContext: {
        domainName: 'urlid0123.lambda-url.us-east-1.on.aws',
        http: { method: 'POST', path: '/v1/chat/completions', protocol: 'HTTP/1.1' },
        routeKey: '$default',
        stage: '$default',
      },
    });
    expect(event.headers['x-custom']).toBe('one,two');
    expect(event.headers['content-type']).toBe('application/json');
    expect(event.headers.host).toBe('urlid0123.lambda-url.us-east-1.on.aws');
    expect(event.headers.cookie).toBeUndefined();
    expect(event.requestContext.time).toMatch(/^\d\d\/[A-Z][a-z]{2}\/\d{4}:\d\d:\d\d:\d\d \+0000$/);
  });

  it('base64-encodes a body that is not text, and leaves out what a bare GET lacks', async () => {
    const binary = Buffer.from([0, 1, 2, 255]);
    const posted = await eventFor('POST', '/upload', [['Content-Type', 'application/octet-stream']], binary);
    expect(posted).toMatchObject({ body: binary.toString('base64'), isBase64Encoded: true });

    const bare = await eventFor('GET', '/v1/models', []);
    expect(bare.body).toBeUndefined();
    expect(bare.isBase64Encoded).toBe(false);
    expect(bare.rawQueryString).toBe('');
    expect('queryStringParameters' in bare).toBe(false);
    expect('cookies' in bare).toBe(false);
  });
});
