/**
 * Images named by URL in `image_url` parts, turned into bytes for providers that only take inline images (Gemini,
 * Bedrock). A caller-supplied URL is fetched by the gateway, inside the caller's network position, so it is a
 * server-side request forgery vector: only public addresses are reachable, checked on the addresses each connection
 * actually uses (a DNS answer that changes between a check and the connect cannot slip through), on every redirect.
 * `GATEWAY_ALLOW_PRIVATE_URLS=true` lifts that (tests, private deployments) and also allows plain `http:`.
 */
import { lookup as dnsLookup, type LookupAddress } from 'node:dns';
import { request as httpRequest, type IncomingMessage } from 'node:http';
import { request as httpsRequest } from 'node:https';
import { isIP, isIPv4, type LookupFunction } from 'node:net';
import { badRequest, GatewayError } from '../../core/errors.js';

export interface FetchedImage {
  mediaType: string;
  data: Uint8Array;
}

export interface FetchImageOptions {
  /** The request field the URL came from, named in every 400 (e.g. `messages[0].content[1].image_url.url`). */
  param: string;
  signal?: AbortSignal;
  /** Overrides of the contract's limits, for tests. */
  timeoutMs?: number;
  maxBytes?: number;
  maxTotalBytes?: number;
  /** Defaults to `GATEWAY_ALLOW_PRIVATE_URLS === 'true'`, read on each call. */
  allowPrivateUrls?: boolean;
  /** Whether plain `http:` is fetched; defaults to `allowPrivateUrls`. */
  allowHttp?: boolean;
  /** For tests: a stand-in resolver and address policy (defaults: the system resolver, `isPrivateAddress`). */
  resolve?: (hostname: string) => Promise<string[]>;
  isBlockedAddress?: (address: string) => boolean;
}

const TIMEOUT_MS = 10_000;
const MAX_BYTES = 20 * 1024 * 1024;
const MAX_REDIRECTS = 5;
/** CONTRACT.md §6: what one provider call may hold in fetched images, and how many fetches run at once. */
export const MAX_TOTAL_BYTES = 50 * 1024 * 1024;
export const MAX_CONCURRENT_FETCHES = 4;

/**
 * The fetches of one provider call share a byte budget and a few slots, so a request naming 20 large images holds
 * at most 50 MiB, never 20 × 20 MiB. A call is identified by its abort signal (every fetch of a call gets the
 * call's signal), which spares each provider's converters from threading a budget through.
 */
class FetchBudget {
  bytes = 0;
  private running = 0;
  private readonly waiting: (() => void)[] = [];

  constructor(readonly maxBytes: number) {}

  async slot<T>(work: () => Promise<T>): Promise<T> {
    if (this.running >= MAX_CONCURRENT_FETCHES) await new Promise<void>((resolve) => this.waiting.push(resolve));
    this.running++;
    try {
      return await work();
    } finally {
      this.running--;
      this.waiting.shift()?.();
    }
  }
}

const budgets = new WeakMap<AbortSignal, FetchBudget>();
const UNSIGNALLED = new AbortController().signal;

function budgetFor(signal: AbortSignal | undefined, maxTotalBytes: number): FetchBudget {
  const key = signal ?? UNSIGNALLED;
  let budget = budgets.get(key);
  if (!budget) {
    budget = new FetchBudget(maxTotalBytes);
    if (signal) budgets.set(key, budget);
  }
  return budget;
}

/** Parses a `data:` URL (base64 or percent-encoded); undefined when `url` is not a data URL; 400 when malformed. */
export function parseDataUrl(url: string, param: string | null = null): FetchedImage | undefined {
  if (!/^data:/i.test(url)) return undefined;
  const comma = url.indexOf(',');
  if (comma < 0) throw badRequest('The data URL has no "," before its data.', param);
  const header = url.slice(5, comma).split(';');
  const mediaType = (header[0] ?? '').trim().toLowerCase();
  // RFC 2397 defaults a missing type to text/plain, which no provider takes as an image: ask for the type instead.
  if (!/^[a-z0-9.+-]+\/[a-z0-9.+-]+$/.test(mediaType)) {
    throw badRequest('The data URL must name its media type, e.g. data:image/png;base64,....', param);
  }
  const isBase64 = header.slice(1).some((token) => token.trim().toLowerCase() === 'base64');
  const payload = url.slice(comma + 1);
  if (isBase64) {
    const compact = percentDecodeToString(payload).replace(/\s+/g, '');
    if (!/^[A-Za-z0-9+/_-]*={0,2}$/.test(compact) || compact.length % 4 === 1) {
      throw badRequest('The data URL is marked base64 but its data is not valid base64.', param);
    }
    return { mediaType, data: new Uint8Array(Buffer.from(compact, 'base64')) };
  }
  return { mediaType, data: percentDecode(payload, param) };
}

function percentDecodeToString(text: string): string {
  return text.includes('%') ? Buffer.from(percentDecode(text, null)).toString('latin1') : text;
}

/** Percent-decoding to bytes: `decodeURIComponent` cannot, since binary data is not UTF-8. */
function percentDecode(text: string, param: string | null): Uint8Array {
  const bytes: number[] = [];
  for (let i = 0; i < text.length; i++) {
    const char = text[i]!;
    if (char === '%') {
      const hex = text.slice(i + 1, i + 3);
      if (!/^[0-9a-fA-F]{2}$/.test(hex)) throw badRequest('The data URL has a malformed %-escape.', param);
      bytes.push(Number.parseInt(hex, 16));
      i += 2;
    } else {
      bytes.push(...Buffer.from(char, 'utf8'));
    }
  }
  return new Uint8Array(bytes);
}

/**
 * Fetches an https (or, when private URLs are allowed, http) image: 10 s timeout, 20 MiB cap (50 MiB for all the
 * images of one call, at most 4 fetches at once), image/* only, public
 * addresses only (private, loopback, link-local, CGNAT, unique-local v6, v4-mapped … refused, also after each
 * redirect, resolved IPs checked, max 5 redirects) unless GATEWAY_ALLOW_PRIVATE_URLS=true.
 * Failures are GatewayError 400 naming `param` (e.g. `messages[0].content[1].image_url.url`).
 */
export function fetchImage(url: string, options: FetchImageOptions): Promise<FetchedImage> {
  const budget = budgetFor(options.signal, options.maxTotalBytes ?? MAX_TOTAL_BYTES);
  return budget.slot(() => fetchWithin(url, options, budget));
}

async function fetchWithin(url: string, options: FetchImageOptions, budget: FetchBudget): Promise<FetchedImage> {
  const { param } = options;
  const allowPrivate = options.allowPrivateUrls ?? process.env.GATEWAY_ALLOW_PRIVATE_URLS === 'true';
  const policy: Policy = {
    allowPrivate,
    allowHttp: options.allowHttp ?? allowPrivate,
    isBlocked: options.isBlockedAddress ?? isPrivateAddress,
    resolve: options.resolve,
    param,
  };
  const timeout = AbortSignal.timeout(options.timeoutMs ?? TIMEOUT_MS);
  const signal = options.signal ? AbortSignal.any([options.signal, timeout]) : timeout;
  let target = parseUrl(url, param);
  try {
    for (let redirects = 0; ; redirects++) {
      checkTarget(target, policy);
      const response = await get(target, policy, signal);
      const status = response.statusCode ?? 0;
      const location = response.headers.location;
      if (status >= 300 && status < 400 && location) {
        response.destroy();
        if (redirects >= MAX_REDIRECTS) {
          throw badRequest(`The image URL redirected more than ${MAX_REDIRECTS} times.`, param);
        }
        target = parseUrl(new URL(location, target).href, param);
        continue;
      }
      return await readImage(response, { maxBytes: options.maxBytes ?? MAX_BYTES, param, signal, budget });
    }
  } catch (error) {
    if (options.signal?.aborted) throw options.signal.reason ?? error;
    if (timeout.aborted) {
      throw badRequest(`The image URL did not answer within ${(options.timeoutMs ?? TIMEOUT_MS) / 1000} s.`, param);
    }
    if (error instanceof GatewayError) throw error;
    throw badRequest('The image URL could not be fetched.', param);
  }
}

function parseUrl(url: string, param: string): URL {
  try {
    return new URL(url);
  } catch {
    throw badRequest('The image URL is not a valid URL.', param);
  }
}

interface Policy {
  allowPrivate: boolean;
  allowHttp: boolean;
  isBlocked: (address: string) => boolean;
  resolve: FetchImageOptions['resolve'];
  param: string;
}

function checkTarget(target: URL, { allowPrivate, allowHttp, isBlocked, param }: Policy): void {
  if (target.protocol !== 'https:' && !(allowHttp && target.protocol === 'http:')) {
    throw badRequest('Image URLs must use https (or be data: URLs).', param);
  }
  const host = target.hostname.replace(/^\[|\]$/g, '');
  if (!allowPrivate && isIP(host) && isBlocked(host)) throw privateAddress(param);
}

function privateAddress(param: string): GatewayError {
  return badRequest('The image URL points to a private or reserved network address, which the gateway refuses.', param);
}

type LookupCallback = (error: NodeJS.ErrnoException | null, address: string | LookupAddress[], family?: number) => void;

function get(target: URL, policy: Policy, signal: AbortSignal): Promise<IncomingMessage> {
  const { allowPrivate, isBlocked, resolve, param } = policy;
  let refused = false;
  // net.connect calls this for every non-IP host, so the addresses checked are the addresses connected to.
  const lookup = (hostname: string, options: { all?: boolean }, callback: LookupCallback): void => {
    resolveAll(hostname, resolve).then(
      (addresses) => {
        if (addresses.length === 0) return callback(Object.assign(new Error('no address'), { code: 'ENOTFOUND' }), []);
        if (!allowPrivate && addresses.some((entry) => isBlocked(entry.address))) {
          refused = true;
          return callback(Object.assign(new Error('address refused'), { code: 'EADDRREFUSED' }), []);
        }
        if (options.all) callback(null, addresses);
        else callback(null, addresses[0]!.address, addresses[0]!.family);
      },
      (error: NodeJS.ErrnoException) => callback(error, []),
    );
  };
  const send = target.protocol === 'https:' ? httpsRequest : httpRequest;
  return new Promise((resolvePromise, reject) => {
    const req = send(target, {
      method: 'GET',
      headers: { accept: 'image/*', 'user-agent': 'llm-gateway-image-fetch' },
      agent: false,
      lookup: lookup as LookupFunction,
      signal,
    });
    req.once('response', resolvePromise);
    req.once('error', (error) => reject(refused ? privateAddress(param) : error));
    req.end();
  });
}

async function resolveAll(hostname: string, resolve: FetchImageOptions['resolve']): Promise<LookupAddress[]> {
  if (resolve) {
    return (await resolve(hostname)).map((address) => ({ address, family: isIPv4(address) ? 4 : 6 }));
  }
  return new Promise((done, fail) =>
    dnsLookup(hostname, { all: true }, (error, addresses) => (error ? fail(error) : done(addresses))),
  );
}

async function readImage(
  response: IncomingMessage,
  { maxBytes, param, signal, budget }: { maxBytes: number; param: string; signal: AbortSignal; budget: FetchBudget },
): Promise<FetchedImage> {
  const status = response.statusCode ?? 0;
  if (status !== 200) {
    response.destroy();
    throw badRequest(`The image URL answered HTTP ${status}.`, param);
  }
  const mediaType = (response.headers['content-type'] ?? '').split(';')[0]!.trim().toLowerCase();
  if (!mediaType.startsWith('image/')) {
    response.destroy();
    throw badRequest(`The image URL did not return an image (content type '${mediaType || 'none'}').`, param);
  }
  const tooLarge = () => badRequest(`The image is larger than ${Math.round(maxBytes / 1024 / 1024)} MiB.`, param);
  const announced = Number(response.headers['content-length'] ?? 0);
  if (announced > maxBytes) {
    response.destroy();
    throw tooLarge();
  }
  const tooMuchTogether = () =>
    badRequest(
      `The images of this request are larger than ${Math.round(budget.maxBytes / 1024 / 1024)} MiB together.`,
      param,
    );
  if (budget.bytes + announced > budget.maxBytes) {
    response.destroy();
    throw tooMuchTogether();
  }
  const chunks: Buffer[] = [];
  let size = 0;
  // Streamed into the checks: memory never holds more than the caps plus one chunk.
  for await (const chunk of response as AsyncIterable<Buffer>) {
    size += chunk.length;
    budget.bytes += chunk.length;
    if (size > maxBytes || budget.bytes > budget.maxBytes) {
      response.destroy();
      throw size > maxBytes ? tooLarge() : tooMuchTogether();
    }
    chunks.push(chunk);
  }
  signal.throwIfAborted();
  return { mediaType, data: new Uint8Array(Buffer.concat(chunks)) };
}

/** IPv4 ranges that are not the public internet (RFC 6890 special-purpose registry, multicast, reserved). */
const BLOCKED_V4: readonly [string, number][] = [
  ['0.0.0.0', 8], // "this network"
  ['10.0.0.0', 8], // private
  ['100.64.0.0', 10], // carrier-grade NAT
  ['127.0.0.0', 8], // loopback
  ['169.254.0.0', 16], // link-local, cloud metadata endpoints
  ['172.16.0.0', 12], // private
  ['192.0.0.0', 24], // IETF protocol assignments
  ['192.0.2.0', 24], // documentation
  ['192.88.99.0', 24], // 6to4 relay anycast
  ['192.168.0.0', 16], // private
  ['198.18.0.0', 15], // benchmarking
  ['198.51.100.0', 24], // documentation
  ['203.0.113.0', 24], // documentation
  ['224.0.0.0', 4], // multicast
  ['240.0.0.0', 4], // reserved, broadcast
];

function v4ToInt(bytes: readonly number[]): number {
  return ((bytes[0]! << 24) | (bytes[1]! << 16) | (bytes[2]! << 8) | bytes[3]!) >>> 0;
}

function isBlockedV4(bytes: readonly number[]): boolean {
  const value = v4ToInt(bytes);
  return BLOCKED_V4.some(([base, bits]) => {
    const mask = bits === 0 ? 0 : (~0 << (32 - bits)) >>> 0;
    return (value & mask) >>> 0 === (v4ToInt(base.split('.').map(Number)) & mask) >>> 0;
  });
}

/** The 16 bytes of an IPv6 address (zone id dropped, embedded dotted IPv4 allowed); undefined when not one. */
export function parseIPv6(address: string): number[] | undefined {
  const text = address.split('%')[0]!;
  if (isIP(text) !== 6) return undefined;
  let groupsText = text;
  const tail: number[] = [];
  const dotted = /^(.*:)(\d+\.\d+\.\d+\.\d+)$/.exec(text);
  if (dotted) {
    const v4 = dotted[2]!.split('.').map(Number);
    tail.push((v4[0]! << 8) | v4[1]!, (v4[2]! << 8) | v4[3]!);
    groupsText = dotted[1]!.endsWith('::') ? dotted[1]! : dotted[1]!.slice(0, -1);
  }
  const [head = '', rest] = groupsText.split('::');
  const parse = (part: string) => (part ? part.split(':').map((group) => Number.parseInt(group, 16)) : []);
  const left = parse(head);
  const right = rest === undefined ? [] : parse(rest);
  const missing = 8 - left.length - right.length - tail.length;
  const groups = [...left, ...new Array<number>(rest === undefined ? 0 : missing).fill(0), ...right, ...tail];
  if (groups.length !== 8) return undefined;
  return groups.flatMap((group) => [group >> 8, group & 0xff]);
}

/**
 * Whether an address is anything but the public internet. IPv6 is an allow-list (global unicast `2000::/3` only,
 * minus documentation and the IETF protocol block `2001::/23`); forms that embed an IPv4 address (v4-mapped,
 * v4-compatible, NAT64, 6to4) are judged by that IPv4 address. Unparseable input counts as private (fail closed).
 */
export function isPrivateAddress(address: string): boolean {
  if (isIPv4(address)) return isBlockedV4(address.split('.').map(Number));
  const bytes = parseIPv6(address);
  if (!bytes) return true;
  const zeros = (from: number, to: number) => bytes.slice(from, to).every((byte) => byte === 0);
  if (zeros(0, 10) && bytes[10] === 0xff && bytes[11] === 0xff) return isBlockedV4(bytes.slice(12)); // ::ffff:a.b.c.d
  if (zeros(0, 12)) return isBlockedV4(bytes.slice(12)); // ::a.b.c.d, ::, ::1
  if (zeros(0, 8) && bytes[8] === 0xff && bytes[9] === 0xff && zeros(10, 12)) return isBlockedV4(bytes.slice(12));
  if (bytes[0] === 0x00 && bytes[1] === 0x64 && bytes[2] === 0xff && bytes[3] === 0x9b && zeros(4, 12)) {
    return isBlockedV4(bytes.slice(12)); // NAT64 64:ff9b::/96
  }
  if (bytes[0] === 0x20 && bytes[1] === 0x02) return isBlockedV4(bytes.slice(2, 6)); // 6to4 2002::/16
  if ((bytes[0]! & 0xe0) !== 0x20) return true; // outside global unicast: ULA, link-local, multicast, reserved
  if (bytes[0] === 0x20 && bytes[1] === 0x01 && bytes[2] === 0x0d && bytes[3] === 0xb8) return true; // documentation
  // 2001::/23, IETF protocol assignments: Teredo (which tunnels to an address the server picks), benchmarking, ORCHID.
  if (bytes[0] === 0x20 && bytes[1] === 0x01 && bytes[2]! < 0x02) return true;
  return false;
}
