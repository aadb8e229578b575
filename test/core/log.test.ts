import { createServer } from 'node:net';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { GatewayError } from '../../lib/core/errors.js';
import { log, redactSecrets } from '../../lib/core/log.js';

let restoreLevel: (() => void) | undefined;

afterEach(() => {
  vi.restoreAllMocks();
  restoreLevel?.();
  restoreLevel = undefined;
});

/** vitest.config.ts logs at warn; a test that reads other levels sets its own. */
function logLevel(level: string): void {
  const saved = process.env.GATEWAY_LOG_LEVEL;
  process.env.GATEWAY_LOG_LEVEL = level;
  restoreLevel = () => {
    if (saved === undefined) delete process.env.GATEWAY_LOG_LEVEL;
    else process.env.GATEWAY_LOG_LEVEL = saved;
  };
}

/** A loopback port with nothing listening on it. */
async function closedPort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', () => resolve()));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

function captureStderr(): string[] {
  const lines: string[] = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  return lines;
}

function captureStdout(): string[] {
  const lines: string[] = [];
  vi.spyOn(process.stdout, 'write').mockImplementation((chunk: string | Uint8Array) => {
    lines.push(String(chunk));
    return true;
  });
  return lines;
}

describe('log', () => {
  it('never writes an upstream error message, which can echo the credential', () => {
    const lines = captureStderr();
    const upstream = Object.assign(new Error('Incorrect API key provided: sk-proj-abcdefghijklmnop'), { status: 401 });
    const mapped = new GatewayError({
      status: 502,
      type: 'upstream_error',
      message: 'openai rejected',
      cause: upstream,
    });
    log.error('request failed', { error: mapped, cause: mapped.cause });
    const written = lines.join('');
    expect(written).toContain('openai rejected');
    expect(written).toContain('"status":401');
    expect(written).not.toContain('sk-proj-abcdefghijklmnop');
  });

  it('follows the cause chain of a refused connection down to the socket, with each message and code', async () => {
    const lines = captureStderr();
    const refused = await fetch(`http://127.0.0.1:${await closedPort()}/v1/chat/completions`).catch((e: unknown) => e);
    const mapped = new GatewayError({
      status: 502,
      type: 'upstream_error',
      message: 'acme unreachable',
      cause: refused,
    });
    log.error('request failed', { error: mapped });
    const line = JSON.parse(lines.join(''));
    expect(line.error).toMatchObject({ name: 'GatewayError', status: 502, message: 'acme unreachable' });
    expect(line.error.cause).toMatchObject({ name: 'TypeError', message: 'fetch failed' });
    expect(line.error.cause.cause).toMatchObject({ code: 'ECONNREFUSED' });
    expect(line.error.cause.cause.message).toContain('ECONNREFUSED');
    expect(JSON.stringify(line)).not.toContain('stack');
  });

  it('writes info to stdout at info, nothing below the threshold, and nothing at all when silent', () => {
    const out = captureStdout();
    const err = captureStderr();
    logLevel('info');
    log.info('request', { requestId: 'req_1' });
    log.debug('detail');
    expect(out.map((line) => JSON.parse(line))).toEqual([
      { level: 'info', time: expect.any(String), message: 'request', requestId: 'req_1' },
    ]);
    logLevel('silent');
    log.error('not shown');
    log.info('not shown');
    expect(out).toHaveLength(1);
    expect(err).toHaveLength(0);
  });

  it('masks key-shaped strings in any field', () => {
    expect(redactSecrets('key gw-AbCdEfGhIjKlMnOp and Bearer abc.def.ghi123 and AKIAABCDEFGHIJKLMNOP')).toBe(
      'key [redacted] and [redacted] and [redacted]',
    );
  });
});
