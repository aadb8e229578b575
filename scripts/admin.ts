/**
 * `npm run admin -- <METHOD> <path> [json body]`: calls the deployed admin Function URL (auth `AWS_IAM`) with a
 * SigV4-signed request, using your usual AWS credentials (environment, profile, SSO), and prints the answer.
 *
 *   export GATEWAY_ADMIN_URL=https://<id>.lambda-url.<region>.on.aws/   # the stack's AdminUrl output
 *   npm run admin -- POST /admin/projects '{"name":"demo"}'
 *
 * @see https://docs.aws.amazon.com/lambda/latest/dg/urls-auth.html
 */
import { createHash, createHmac, type Hash, type Hmac } from 'node:crypto';
import { defaultProvider } from '@aws-sdk/credential-provider-node';
import { SignatureV4 } from '@smithy/signature-v4';

type SourceData = string | ArrayBuffer | ArrayBufferView;

const bytes = (data: SourceData): string | Uint8Array =>
  typeof data === 'string'
    ? data
    : ArrayBuffer.isView(data)
      ? new Uint8Array(data.buffer, data.byteOffset, data.byteLength)
      : new Uint8Array(data);

/** The SHA-256 (or HMAC-SHA-256, when given a secret) the signer asks for, on node:crypto. */
class Sha256 {
  private hash: Hash | Hmac;
  constructor(private readonly secret?: SourceData) {
    this.hash = this.fresh();
  }
  private fresh(): Hash | Hmac {
    return this.secret === undefined ? createHash('sha256') : createHmac('sha256', bytes(this.secret));
  }
  update(data: SourceData): void {
    this.hash.update(bytes(data));
  }
  async digest(): Promise<Uint8Array> {
    return new Uint8Array(this.hash.digest());
  }
  reset(): void {
    this.hash = this.fresh();
  }
}

/** The region of a Function URL (`<id>.lambda-url.<region>.on.aws`), else the configured one. */
function regionOf(url: URL): string {
  const match = /\.lambda-url\.([a-z0-9-]+)\.on\.aws$/.exec(url.hostname);
  const region = match?.[1] ?? process.env.AWS_REGION ?? process.env.AWS_DEFAULT_REGION;
  if (!region) throw new Error('cannot tell the region: set AWS_REGION');
  return region;
}

async function main(): Promise<void> {
  const [method, path, body] = process.argv.slice(2);
  const base = process.env.GATEWAY_ADMIN_URL;
  if (!method || !path || !base) {
    throw new Error('usage: GATEWAY_ADMIN_URL=<AdminUrl> npm run admin -- <METHOD> <path> [json body]');
  }
  if (body !== undefined) JSON.parse(body); // fail here, not with a 400 from the gateway
  const url = new URL(path, base);
  const query: Record<string, string> = {};
  for (const [name, value] of url.searchParams) query[name] = value;
  const signer = new SignatureV4({
    service: 'lambda',
    region: regionOf(url),
    credentials: defaultProvider(),
    sha256: Sha256,
  });
  const signed = await signer.sign({
    method: method.toUpperCase(),
    protocol: url.protocol,
    hostname: url.hostname,
    path: url.pathname,
    query,
    headers: { host: url.host, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
    ...(body !== undefined ? { body } : {}),
  });
  const response = await fetch(url, { method: signed.method, headers: signed.headers, body });
  const text = await response.text();
  console.log(`${response.status} ${response.statusText}`);
  try {
    console.log(JSON.stringify(JSON.parse(text), null, 2));
  } catch {
    console.log(text);
  }
  if (!response.ok) process.exitCode = 1;
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error);
  process.exitCode = 1;
});
