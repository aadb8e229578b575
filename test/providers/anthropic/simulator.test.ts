/** The Anthropic simulator speaks Anthropic's wire format: checked with plain fetch, no SDK in between. */
import { afterAll, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import {
  type AnthropicSimulator,
  errorReply,
  startAnthropicSimulator,
  textReply,
} from '../../../simulators/anthropic.js';

let sim: AnthropicSimulator;
beforeAll(async () => {
  sim = await startAnthropicSimulator({ apiKey: 'sk-ant-sim' });
});
afterAll(() => sim.close());
beforeEach(() => sim.reset());

const headers = { 'content-type': 'application/json', 'x-api-key': 'sk-ant-sim', 'anthropic-version': '2023-06-01' };
const body = (extra: Record<string, unknown> = {}) =>
  JSON.stringify({
    model: 'claude-haiku-4-5',
    max_tokens: 100,
    messages: [{ role: 'user', content: 'Echo me' }],
    ...extra,
  });
const post = (init: { headers?: Record<string, string>; body?: string; path?: string } = {}) =>
  fetch(`${sim.url}${init.path ?? '/v1/messages'}`, {
    method: 'POST',
    headers: init.headers ?? headers,
    body: init.body ?? body(),
  });

function events(sse: string): { event: string; data: Record<string, unknown> }[] {
  return sse
    .split('\n\n')
    .filter(Boolean)
    .map((frame) => {
      const [eventLine, dataLine] = frame.split('\n');
      return { event: eventLine!.slice('event: '.length), data: JSON.parse(dataLine!.slice('data: '.length)) };
    });
}

describe('Anthropic simulator', () => {
  it('echoes the last user text as a Message and records the request headers', async () => {
    const response = await post();
    expect(response.status).toBe(200);
    const message = await response.json();
    expect(message).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'claude-haiku-4-5',
      content: [{ type: 'text', text: 'Echo me' }],
      stop_reason: 'end_turn',
      stop_sequence: null,
      usage: { cache_creation_input_tokens: 0, cache_read_input_tokens: 0 },
    });
    expect(sim.lastRequest?.headers['x-api-key']).toBe('sk-ant-sim');
    expect(sim.lastRequest?.headers['anthropic-version']).toBe('2023-06-01');
  });

  it('streams Anthropic’s event sequence with cumulative usage in message_delta', async () => {
    sim.script(textReply('one two', { usage: { input_tokens: 12, cache_read_input_tokens: 30, output_tokens: 2 } }));
    const response = await post({ body: body({ stream: true }) });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const stream = events(await response.text());
    expect(stream.map((e) => e.event)).toEqual([
      'message_start',
      'content_block_start',
      'ping',
      'content_block_delta',
      'content_block_delta',
      'content_block_stop',
      'message_delta',
      'message_stop',
    ]);
    expect(stream.every((e) => e.data.type === e.event)).toBe(true);
    expect(stream[0]?.data.message).toMatchObject({
      content: [],
      stop_reason: null,
      usage: { input_tokens: 12, output_tokens: 1 },
    });
    expect(stream[6]?.data).toEqual({
      type: 'message_delta',
      delta: { stop_reason: 'end_turn', stop_sequence: null },
      usage: { input_tokens: 12, cache_creation_input_tokens: 0, cache_read_input_tokens: 30, output_tokens: 2 },
    });
  });

  it('ends a stream with an error event when asked to', async () => {
    sim.script(
      textReply('a b c', {}, { errorAfter: 3, error: { type: 'api_error', message: 'Internal server error' } }),
    );
    const stream = events(await (await post({ body: body({ stream: true }) })).text());
    expect(stream.map((e) => e.event)).toEqual(['message_start', 'content_block_start', 'ping', 'error']);
    expect(stream[3]?.data).toEqual({ type: 'error', error: { type: 'api_error', message: 'Internal server error' } });
  });

  it('answers errors in Anthropic’s body shape with their headers', async () => {
    sim.script(errorReply(429, 'rate_limit_error', 'Slow down', { 'retry-after': '12' }));
    const response = await post();
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('12');
    expect(await response.json()).toMatchObject({
      type: 'error',
      error: { type: 'rate_limit_error', message: 'Slow down' },
    });
  });

  it('accepts the key as a bearer token, as the SDK sends it by default', async () => {
    const response = await post({
      headers: {
        'content-type': 'application/json',
        authorization: 'Bearer sk-ant-sim',
        'anthropic-version': '2023-06-01',
      },
    });
    expect(response.status).toBe(200);
  });

  it('rejects a missing or wrong key, a missing version and an unknown path like Anthropic', async () => {
    const noKey = await post({ headers: { 'content-type': 'application/json', 'anthropic-version': '2023-06-01' } });
    expect(noKey.status).toBe(401);
    expect(await noKey.json()).toMatchObject({ type: 'error', error: { type: 'authentication_error' } });
    expect((await post({ headers: { ...headers, 'x-api-key': 'sk-ant-other' } })).status).toBe(401);
    const noVersion = await post({ headers: { 'content-type': 'application/json', 'x-api-key': 'sk-ant-sim' } });
    expect(noVersion.status).toBe(400);
    expect((await post({ path: '/v1/complete' })).status).toBe(404);
  });
});
