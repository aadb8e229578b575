/**
 * Calls to the deployed admin Function URL (auth `AWS_IAM`), signed with SigV4 for the `lambda` service from the
 * caller's usual AWS credentials (environment, profile, SSO: the SDK's default chain). Shared by `npm run admin`
 * and `npm run dashboard`.
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
export function regionOf(url: URL, env: NodeJS.ProcessEnv = process.env): string {
  const match = /\.lambda-url\.([a-z0-9-]+)\.on\.aws$/.exec(url.hostname);
  const region = match?.[1] ?? env.AWS_REGION ?? env.AWS_DEFAULT_REGION;
  if (!region) throw new Error('cannot tell the region from the URL: set AWS_REGION');
  return region;
}

export interface AdminClientOptions {
  /** Keys or a provider of them; defaults to the SDK's default credential chain. */
  credentials?: ConstructorParameters<typeof SignatureV4>[0]['credentials'];
  /** Defaults to the Function URL's region, else AWS_REGION. */
  region?: string;
}

export interface AdminClient {
  /** Sends `method path?query` (relative to the admin URL) signed, and answers the Function URL's response. */
  send(method: string, pathAndQuery: string, body?: string): Promise<Response>;
}

export function adminClient(adminUrl: string | URL, options: AdminClientOptions = {}): AdminClient {
  const base = new URL(adminUrl);
  const signer = new SignatureV4({
    service: 'lambda',
    region: options.region ?? regionOf(base),
    credentials: options.credentials ?? defaultProvider(),
    sha256: Sha256,
  });
  return {
    async send(method, pathAndQuery, body) {
      const url = new URL(pathAndQuery, base);
      const query: Record<string, string | string[]> = {};
      for (const [name, value] of url.searchParams) {
        const seen = query[name];
        query[name] = seen === undefined ? value : [...(Array.isArray(seen) ? seen : [seen]), value];
      }
      const signed = await signer.sign({
        method: method.toUpperCase(),
        protocol: url.protocol,
        hostname: url.hostname,
        ...(url.port ? { port: Number(url.port) } : {}),
        path: url.pathname,
        query,
        headers: { host: url.host, ...(body !== undefined ? { 'content-type': 'application/json' } : {}) },
        ...(body !== undefined ? { body } : {}),
      });
      return fetch(url, { method: signed.method, headers: signed.headers, body, redirect: 'manual' });
    },
  };
}
