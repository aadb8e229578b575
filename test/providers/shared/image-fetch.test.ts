import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import { GatewayError } from '../../../lib/core/errors.js';
import { fetchImage, isPrivateAddress, parseDataUrl, parseIPv6 } from '../../../lib/providers/shared/image-fetch.js';
import { type RecordedRequest, type SimResponse, Simulator } from '../../../simulators/base.js';

const PNG = Buffer.from(
  'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==',
  'base64',
);
const PARAM = 'messages[0].content[1].image_url.url';

let open = 0;
let mostOpen = 0;

function route(req: RecordedRequest, res: SimResponse): void {
  switch (req.path) {
    case '/held.png':
      open++;
      mostOpen = Math.max(mostOpen, open);
      setTimeout(() => {
        open--;
        res.writeHead(200, { 'content-type': 'image/png', 'content-length': PNG.length });
        res.end(PNG);
      }, 20);
      return;
    case '/img.png':
      res.writeHead(200, { 'content-type': 'image/png', 'content-length': PNG.length });
      res.end(PNG);
      return;
    case '/text':
      res.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
      res.end('<html></html>');
      return;
    case '/big':
      res.writeHead(200, { 'content-type': 'image/jpeg', 'content-length': 1000 });
      res.end(Buffer.alloc(1000));
      return;
    case '/big-chunked':
      res.writeHead(200, { 'content-type': 'image/jpeg' });
      res.write(Buffer.alloc(600));
      res.end(Buffer.alloc(600));
      return;
    case '/missing':
      res.writeHead(404, { 'content-type': 'text/plain' });
      res.end('not found');
      return;
    case '/slow':
      return; // never answers: the fetch's own timeout must end it
    case '/loop':
      res.writeHead(302, { location: '/loop' });
      res.end();
      return;
    default:
      if (req.path.startsWith('/redirect')) {
        res.writeHead(302, { location: req.query.get('to') ?? '/img.png' });
        res.end();
        return;
      }
      res.writeHead(500);
      res.end();
  }
}

describe('parseDataUrl', () => {
  it('decodes a base64 data URL', () => {
    const image = parseDataUrl(`data:image/png;base64,${PNG.toString('base64')}`);
    expect(image?.mediaType).toBe('image/png');
    expect(Buffer.from(image!.data).equals(PNG)).toBe(true);
  });

  it('decodes a percent-encoded data URL to bytes, binary included', () => {
    const image = parseDataUrl('data:image/svg+xml,%3Csvg%2F%3E%FF');
    expect(image?.mediaType).toBe('image/svg+xml');
    expect([...image!.data]).toEqual([...Buffer.from('<svg/>'), 0xff]);
  });

  it('keeps media type parameters out of the media type', () => {
    expect(parseDataUrl('data:Image/JPEG;name=a.jpg;base64,AAAA')?.mediaType).toBe('image/jpeg');
  });

  it('answers undefined for URLs that are not data URLs', () => {
    expect(parseDataUrl('https://example.com/a.png')).toBeUndefined();
  });

  it.each([
    ['no comma', 'data:image/png;base64'],
    ['no media type', 'data:;base64,AAAA'],
    ['bad base64', 'data:image/png;base64,@@@@'],
    ['bad escape', 'data:image/png,%G1'],
  ])('refuses a malformed data URL (%s) with a 400 naming the field', (_case, url) => {
    const error = captureSync(() => parseDataUrl(url, PARAM));
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ status: 400, param: PARAM });
  });
});

describe('isPrivateAddress', () => {
  it.each([
    '127.0.0.1',
    '10.1.2.3',
    '172.16.0.1',
    '172.31.255.255',
    '192.168.1.1',
    '169.254.169.254',
    '100.64.0.1',
    '0.0.0.0',
    '224.0.0.1',
    '255.255.255.255',
    '198.18.0.1',
    '::',
    '::1',
    'fe80::1',
    'fe80::1%eth0',
    'fc00::1',
    'fd12:3456::1',
    'ff02::1',
    '::ffff:127.0.0.1',
    '::ffff:7f00:1',
    '::ffff:10.0.0.1',
    '::127.0.0.1',
    '64:ff9b::a9fe:a9fe',
    '2002:c0a8:0101::1',
    '2001:db8::1',
    '2001::1',
    'not an address',
  ])('refuses %s', (address) => {
    expect(isPrivateAddress(address)).toBe(true);
  });

  it.each([
    '8.8.8.8',
    '1.1.1.1',
    '172.32.0.1',
    '100.128.0.1',
    '2606:4700:4700::1111',
    '2a00:1450:4001::200e',
    '::ffff:8.8.8.8',
    '64:ff9b::808:808',
    '2002:0808:0808::1',
  ])('allows the public address %s', (address) => {
    expect(isPrivateAddress(address)).toBe(false);
  });

  it('parses IPv6 with an embedded IPv4 tail', () => {
    expect(parseIPv6('::ffff:1.2.3.4')).toEqual([0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0xff, 0xff, 1, 2, 3, 4]);
    expect(parseIPv6('1:2:3:4:5:6:7.8.9.10')?.slice(12)).toEqual([7, 8, 9, 10]);
  });
});

describe('fetchImage', () => {
  const server = new Simulator(route);
  let port = 0;
  const savedEnv = process.env.GATEWAY_ALLOW_PRIVATE_URLS;

  beforeAll(async () => {
    await server.start();
    port = Number(new URL(server.url).port);
  });
  afterAll(() => server.close());
  afterEach(() => {
    if (savedEnv === undefined) delete process.env.GATEWAY_ALLOW_PRIVATE_URLS;
    else process.env.GATEWAY_ALLOW_PRIVATE_URLS = savedEnv;
    server.reset();
  });

  // A stand-in DNS and address policy: `public.test` is the loopback server, treated as a public address.
  const publicLoopback = {
    allowPrivateUrls: false,
    allowHttp: true,
    resolve: async (host: string) =>
      ({ 'public.test': ['127.0.0.1'], 'internal.test': ['10.0.0.7'], 'mixed.test': ['127.0.0.1', '10.0.0.7'] })[
        host
      ] ?? [],
    isBlockedAddress: (address: string) => address !== '127.0.0.1',
  };

  it('fetches a loopback image when GATEWAY_ALLOW_PRIVATE_URLS=true', async () => {
    process.env.GATEWAY_ALLOW_PRIVATE_URLS = 'true';
    const image = await fetchImage(`http://127.0.0.1:${port}/img.png`, { param: PARAM });
    expect(image.mediaType).toBe('image/png');
    expect(Buffer.from(image.data).equals(PNG)).toBe(true);
    expect(server.lastRequest?.headers.accept).toBe('image/*');
  });

  it('refuses a loopback address by default, before connecting', async () => {
    delete process.env.GATEWAY_ALLOW_PRIVATE_URLS;
    const error = await capture(fetchImage(`https://127.0.0.1:${port}/img.png`, { param: PARAM }));
    expect(error).toMatchObject({ status: 400, param: PARAM, message: expect.stringMatching(/private/) });
    expect(server.requests).toHaveLength(0);
  });

  it('refuses a host name that resolves to loopback, checking the address it connects to', async () => {
    delete process.env.GATEWAY_ALLOW_PRIVATE_URLS;
    const error = await capture(fetchImage(`https://localhost:${port}/img.png`, { param: PARAM }));
    expect(error).toMatchObject({ status: 400, param: PARAM, message: expect.stringMatching(/private/) });
    expect(server.requests).toHaveLength(0);
  });

  it('refuses plain http by default', async () => {
    delete process.env.GATEWAY_ALLOW_PRIVATE_URLS;
    const error = await capture(fetchImage('http://example.com/a.png', { param: PARAM }));
    expect(error).toMatchObject({ status: 400, param: PARAM, message: expect.stringMatching(/https/) });
  });

  it('follows a redirect between public addresses', async () => {
    const image = await fetchImage(`http://public.test:${port}/redirect?to=/img.png`, {
      param: PARAM,
      ...publicLoopback,
    });
    expect(image.mediaType).toBe('image/png');
    expect(server.requests.map((r) => r.path)).toEqual(['/redirect', '/img.png']);
  });

  it('refuses a redirect to a host that resolves to a private address', async () => {
    const to = encodeURIComponent(`http://internal.test:${port}/img.png`);
    const error = await capture(
      fetchImage(`http://public.test:${port}/redirect?to=${to}`, { param: PARAM, ...publicLoopback }),
    );
    expect(error).toMatchObject({ status: 400, param: PARAM, message: expect.stringMatching(/private/) });
    expect(server.requests.map((r) => r.path)).toEqual(['/redirect']);
  });

  it('refuses a redirect to a private IP literal', async () => {
    const to = encodeURIComponent('http://169.254.169.254/latest/meta-data');
    const error = await capture(
      fetchImage(`http://public.test:${port}/redirect?to=${to}`, { param: PARAM, ...publicLoopback }),
    );
    expect(error).toMatchObject({ status: 400, param: PARAM, message: expect.stringMatching(/private/) });
  });

  it('refuses a host whose addresses include a private one', async () => {
    const error = await capture(fetchImage(`http://mixed.test:${port}/img.png`, { param: PARAM, ...publicLoopback }));
    expect(error).toMatchObject({ status: 400, message: expect.stringMatching(/private/) });
    expect(server.requests).toHaveLength(0);
  });

  it('stops after five redirects', async () => {
    const error = await capture(fetchImage(`http://public.test:${port}/loop`, { param: PARAM, ...publicLoopback }));
    expect(error).toMatchObject({ status: 400, message: expect.stringMatching(/redirected more than 5/) });
    expect(server.requests).toHaveLength(6);
  });

  it('refuses an image over the size cap, by content-length or by counting', async () => {
    const options = { param: PARAM, allowPrivateUrls: true, maxBytes: 500 };
    await expect(fetchImage(`http://127.0.0.1:${port}/big`, options)).rejects.toMatchObject({
      status: 400,
      message: expect.stringMatching(/larger than/),
    });
    await expect(fetchImage(`http://127.0.0.1:${port}/big-chunked`, options)).rejects.toMatchObject({
      status: 400,
      message: expect.stringMatching(/larger than/),
    });
  });

  it('caps the images of one call together, by content-length or by counting', async () => {
    const signal = new AbortController().signal;
    const options = { param: PARAM, allowPrivateUrls: true, maxBytes: 1000, maxTotalBytes: 1500, signal };
    await fetchImage(`http://127.0.0.1:${port}/big`, options);
    await expect(fetchImage(`http://127.0.0.1:${port}/big`, options)).rejects.toMatchObject({
      status: 400,
      message: expect.stringMatching(/together/),
    });
    const counted = { ...options, signal: new AbortController().signal, maxBytes: 1200 };
    await fetchImage(`http://127.0.0.1:${port}/big`, counted);
    await expect(fetchImage(`http://127.0.0.1:${port}/big-chunked`, counted)).rejects.toMatchObject({
      message: expect.stringMatching(/together/),
    });
    // Another call has a budget of its own.
    const other = { ...options, signal: new AbortController().signal };
    await expect(fetchImage(`http://127.0.0.1:${port}/big`, other)).resolves.toMatchObject({ mediaType: 'image/jpeg' });
  });

  it('runs at most 4 fetches of one call at once', async () => {
    open = 0;
    mostOpen = 0;
    const options = { param: PARAM, allowPrivateUrls: true, signal: new AbortController().signal };
    const images = await Promise.all(
      Array.from({ length: 10 }, () => fetchImage(`http://127.0.0.1:${port}/held.png`, options)),
    );
    expect(images).toHaveLength(10);
    expect(mostOpen).toBe(4);
  });

  it('refuses a response that is not an image', async () => {
    const error = await capture(fetchImage(`http://127.0.0.1:${port}/text`, { param: PARAM, allowPrivateUrls: true }));
    expect(error).toMatchObject({ status: 400, param: PARAM, message: expect.stringMatching(/text\/html/) });
  });

  it('refuses an error status', async () => {
    const error = await capture(
      fetchImage(`http://127.0.0.1:${port}/missing`, { param: PARAM, allowPrivateUrls: true }),
    );
    expect(error).toMatchObject({ status: 400, message: expect.stringMatching(/HTTP 404/) });
  });

  it('gives up on a server that does not answer in time', async () => {
    const error = await capture(
      fetchImage(`http://127.0.0.1:${port}/slow`, { param: PARAM, allowPrivateUrls: true, timeoutMs: 50 }),
    );
    expect(error).toMatchObject({ status: 400, param: PARAM, message: expect.stringMatching(/did not answer/) });
  });

  it("passes the caller's abort on as it is, not as a 400", async () => {
    const controller = new AbortController();
    const pending = fetchImage(`http://127.0.0.1:${port}/slow`, {
      param: PARAM,
      allowPrivateUrls: true,
      signal: controller.signal,
    });
    controller.abort(new Error('client went away'));
    const error = await capture(pending);
    expect(error).not.toBeInstanceOf(GatewayError);
    expect((error as Error).message).toBe('client went away');
  });

  it('refuses a URL that does not parse', async () => {
    await expect(fetchImage('not a url', { param: PARAM })).rejects.toMatchObject({ status: 400, param: PARAM });
  });
});

function captureSync(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}

async function capture(promise: Promise<unknown>): Promise<unknown> {
  try {
    await promise;
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
