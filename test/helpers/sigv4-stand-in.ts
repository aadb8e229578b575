/**
 * A stand-in for the admin Function URL with `AWS_IAM` auth: a loopback server that checks each request's SigV4
 * signature (AWS4-HMAC-SHA256, service `lambda`) against known test credentials, written here from AWS's
 * specification rather than with the signer under test, and forwards what passes to the local admin API with its
 * bearer token. A request without a valid signature gets 403, as a Function URL answers it.
 * @see https://docs.aws.amazon.com/IAM/latest/UserGuide/create-signed-request.html
 */
import { createHash, createHmac, timingSafeEqual } from 'node:crypto';
import { createServer, type IncomingMessage } from 'node:http';
import type { AddressInfo } from 'node:net';

export const TEST_CREDENTIALS = {
  accessKeyId: 'AKIDEXAMPLE',
  secretAccessKey: 'wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY',
} as const;
export const TEST_REGION = 'eu-west-1';

export interface SigV4StandIn {
  url: string;
  /** How many requests passed the check, and how many were refused. */
  counts: { verified: number; refused: number };
  close(): Promise<void>;
}

const sha256Hex = (data: string | Buffer) => createHash('sha256').update(data).digest('hex');
const hmac = (key: string | Buffer, data: string) => createHmac('sha256', key).update(data, 'utf8').digest();

/** RFC 3986 encoding, as SigV4 wants it: everything but unreserved characters. */
const encode = (text: string) =>
  encodeURIComponent(text).replace(/[!'()*]/g, (c) => `%${c.charCodeAt(0).toString(16).toUpperCase()}`);

const AUTHORIZATION =
  /^AWS4-HMAC-SHA256 Credential=([^/]+)\/(\d{8})\/([^/]+)\/([^/]+)\/aws4_request, ?SignedHeaders=([a-z0-9;-]+), ?Signature=([0-9a-f]{64})$/;

/** Why the request's signature is not valid, or undefined when it is. */
export function signatureProblem(req: IncomingMessage, body: Buffer, now = Date.now()): string | undefined {
  const match = AUTHORIZATION.exec(String(req.headers.authorization ?? ''));
  if (!match) return 'no SigV4 Authorization header';
  const [, keyId, date, region, service, signedHeaders, signature] = match as unknown as string[];
  if (keyId !== TEST_CREDENTIALS.accessKeyId) return `unknown access key ${keyId}`;
  if (region !== TEST_REGION || service !== 'lambda') return `wrong scope ${region}/${service}`;
  const amzDate = String(req.headers['x-amz-date'] ?? '');
  if (!/^\d{8}T\d{6}Z$/.test(amzDate) || amzDate.slice(0, 8) !== date) return 'x-amz-date missing or off scope';
  const signedAt = Date.parse(
    `${amzDate.slice(0, 4)}-${amzDate.slice(4, 6)}-${amzDate.slice(6, 8)}T${amzDate.slice(9, 11)}:${amzDate.slice(11, 13)}:${amzDate.slice(13, 15)}Z`,
  );
  if (Math.abs(now - signedAt) > 5 * 60_000) return 'signature expired';
  const names = signedHeaders!.split(';');
  if (!names.includes('host') || !names.includes('x-amz-date')) return 'host and x-amz-date must be signed';

  const url = new URL(req.url ?? '/', 'http://stand-in');
  const path = url.pathname
    .split('/')
    .map((segment) => encode(segment))
    .join('/');
  const query = [...url.searchParams]
    .map(([name, value]) => [encode(name), encode(value)] as const)
    .sort(([a, x], [b, y]) => (a === b ? (x < y ? -1 : 1) : a < b ? -1 : 1))
    .map(([name, value]) => `${name}=${value}`)
    .join('&');
  const headers = names
    .map(
      (name) =>
        `${name}:${String(req.headers[name] ?? '')
          .trim()
          .replace(/\s+/g, ' ')}\n`,
    )
    .join('');
  const payloadHash = sha256Hex(body);
  const declared = req.headers['x-amz-content-sha256'];
  if (declared !== undefined && declared !== payloadHash) return 'x-amz-content-sha256 does not match the body';
  const canonical = [req.method, path, query, headers, signedHeaders, payloadHash].join('\n');
  const scope = `${date}/${region}/${service}/aws4_request`;
  const toSign = ['AWS4-HMAC-SHA256', amzDate, scope, sha256Hex(canonical)].join('\n');
  const key = hmac(
    hmac(hmac(hmac(`AWS4${TEST_CREDENTIALS.secretAccessKey}`, date!), region!), service!),
    'aws4_request',
  );
  const expected = createHmac('sha256', key).update(toSign, 'utf8').digest('hex');
  return timingSafeEqual(Buffer.from(expected), Buffer.from(signature!)) ? undefined : 'signature does not match';
}

/** Starts the stand-in in front of `adminBase` (the local gateway), which it calls with `adminToken`. */
export async function startSigV4StandIn(adminBase: string, adminToken: string): Promise<SigV4StandIn> {
  const counts = { verified: 0, refused: 0 };
  const server = createServer(async (req, res) => {
    const chunks: Buffer[] = [];
    for await (const chunk of req) chunks.push(chunk as Buffer);
    const body = Buffer.concat(chunks);
    const problem = signatureProblem(req, body);
    if (problem) {
      counts.refused += 1;
      res.writeHead(403, { 'content-type': 'application/json' });
      res.end(JSON.stringify({ Message: `Forbidden: ${problem}` }));
      return;
    }
    counts.verified += 1;
    const upstream = await fetch(`${adminBase}${req.url}`, {
      method: req.method,
      headers: { authorization: `Bearer ${adminToken}`, 'content-type': 'application/json' },
      body: body.length > 0 ? body : undefined,
    });
    const answer = Buffer.from(await upstream.arrayBuffer());
    res.writeHead(upstream.status, { 'content-type': upstream.headers.get('content-type') ?? 'application/json' });
    res.end(answer);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    counts,
    close: () =>
      new Promise<void>((resolve) => {
        server.close(() => resolve());
        server.closeAllConnections();
      }),
  };
}
