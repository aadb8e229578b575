import { afterEach, describe, expect, it, vi } from 'vitest';
import { GatewayError } from '../../lib/core/errors.js';
import { log, redactSecrets } from '../../lib/gateway/log.js';

afterEach(() => vi.restoreAllMocks());

function captureStderr(): string[] {
  const lines: string[] = [];
  vi.spyOn(process.stderr, 'write').mockImplementation((chunk: string | Uint8Array) => {
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

  it('masks key-shaped strings in any field', () => {
    expect(redactSecrets('key gw-AbCdEfGhIjKlMnOp and Bearer abc.def.ghi123 and AKIAABCDEFGHIJKLMNOP')).toBe(
      'key [redacted] and [redacted] and [redacted]',
    );
  });
});
