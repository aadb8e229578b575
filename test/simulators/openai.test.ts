import { readFileSync } from 'node:fs';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Gate, type Simulator } from '../../simulators/base.js';
import {
  badJsonReply,
  errorReply,
  rawSseReply,
  startOpenAISimulator,
  streamErrorReply,
  textReply,
  toolCallsReply,
} from '../../simulators/openai.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startOpenAISimulator();
});
afterEach(() => sim.reset());
afterAll(() => sim.close());

// biome-ignore lint/suspicious/noExplicitAny: tests read deep into wire payloads the simulator itself wrote.
type Json = Record<string, any>;

const messages = [{ role: 'user', content: 'hello simulator' }];

function post(body: unknown, path = '/v1/chat/completions', init: RequestInit = {}): Promise<Response> {
  return fetch(`${sim.url}${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify(body),
    ...init,
  });
}

/** The `data:` payloads of an SSE body, `[DONE]` kept as a string. */
function events(text: string): (Json | string)[] {
  return text
    .split('\n\n')
    .filter((block) => block.startsWith('data: '))
    .map((block) => block.slice(6))
    .map((data) => (data === '[DONE]' ? data : (JSON.parse(data) as Json)));
}

describe('OpenAI simulator', () => {
  it('answers JSON with an echo, the request’s model and OpenAI’s usage shape', async () => {
    const response = await post({ model: 'gpt-4o-mini', messages });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('application/json');
    const body = (await response.json()) as Json;
    expect(body).toMatchObject({
      object: 'chat.completion',
      model: 'gpt-4o-mini',
      choices: [
        { index: 0, message: { role: 'assistant', content: 'You said: hello simulator' }, finish_reason: 'stop' },
      ],
      usage: { completion_tokens: 4, prompt_tokens_details: { cached_tokens: 0 } },
    });
    expect(body.usage.total_tokens).toBe(body.usage.prompt_tokens + 4);
    expect(sim.lastRequest!.body).toEqual({ model: 'gpt-4o-mini', messages });
  });

  it('streams word by word without a usage chunk unless include_usage was asked', async () => {
    const plain = events(await (await post({ model: 'm', messages, stream: true })).text());
    expect(plain.at(-1)).toBe('[DONE]');
    const chunks = plain.slice(0, -1) as Json[];
    expect(chunks.map((chunk) => chunk.choices[0].delta.content ?? '').join('')).toBe('You said: hello simulator');
    expect(chunks.every((chunk) => !('usage' in chunk) && chunk.choices.length === 1)).toBe(true);
    expect(chunks.at(-1)!.choices[0].finish_reason).toBe('stop');

    const response = await post({ model: 'm', messages, stream: true, stream_options: { include_usage: true } });
    expect(response.headers.get('content-type')).toBe('text/event-stream');
    const withUsage = events(await response.text());
    const usageChunk = withUsage.at(-2) as Json;
    expect(usageChunk.choices).toEqual([]);
    expect(usageChunk.usage).toMatchObject({ completion_tokens: 4 });
    expect((withUsage.slice(0, -2) as Json[]).every((chunk) => chunk.usage === null)).toBe(true);
  });

  it('serves Azure’s deployment path and records it with the api-version', async () => {
    const response = await post({ messages }, '/openai/deployments/dep-1/chat/completions?api-version=2024-10-21');
    expect(response.status).toBe(200);
    expect(sim.lastRequest!.path).toBe('/openai/deployments/dep-1/chat/completions');
    expect(sim.lastRequest!.query.get('api-version')).toBe('2024-10-21');
  });

  it('answers 404 with OpenAI’s error body on another path', async () => {
    const response = await post({ messages }, '/v1/audio/speech');
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { message: 'Invalid URL (POST /v1/audio/speech)' } });
  });

  it('scripts text with usage, cached tokens, finish reason and model', async () => {
    sim.script(
      textReply('Hi', {
        model: 'gpt-4o-2024-08-06',
        finishReason: 'length',
        usage: { prompt_tokens: 9, cached_tokens: 4 },
      }),
    );
    const body = (await (await post({ model: 'gpt-4o', messages })).json()) as Json;
    expect(body.model).toBe('gpt-4o-2024-08-06');
    expect(body.choices[0].finish_reason).toBe('length');
    expect(body.usage).toMatchObject({ prompt_tokens: 9, completion_tokens: 1, total_tokens: 10 });
    expect(body.usage.prompt_tokens_details.cached_tokens).toBe(4);
  });

  it('streams tool calls as OpenAI deltas: id, type and name first, then argument fragments', async () => {
    sim.script(
      toolCallsReply([
        { id: 'call_a', name: 'f', arguments: '{"x":1}', argumentChunks: ['{"x"', ':1}'] },
        { name: 'g', arguments: {} },
      ]),
    );
    const chunks = events(await (await post({ messages, stream: true })).text()).slice(0, -1) as Json[];
    const deltas = chunks.flatMap((chunk) => chunk.choices[0].delta.tool_calls ?? []);
    expect(deltas[0]).toEqual({ index: 0, id: 'call_a', type: 'function', function: { name: 'f', arguments: '' } });
    expect(deltas.slice(1, 3)).toEqual([
      { index: 0, function: { arguments: '{"x"' } },
      { index: 0, function: { arguments: ':1}' } },
    ]);
    expect(deltas[3]).toMatchObject({ index: 1, type: 'function', function: { name: 'g', arguments: '' } });
    expect(chunks.at(-1)!.choices[0].finish_reason).toBe('tool_calls');
  });

  it('puts usage on the last choice chunk when told to, like some compatible servers', async () => {
    sim.script(textReply('Yo', { usageOnLastChoice: true }));
    const chunks = events(await (await post({ messages, stream: true })).text()).slice(0, -1) as Json[];
    expect(chunks.at(-1)!.choices[0].finish_reason).toBe('stop');
    expect(chunks.at(-1)!.usage).toMatchObject({ completion_tokens: 1 });
  });

  it('scripts errors with OpenAI’s body and retry-after headers', async () => {
    sim.script(errorReply(429, { message: 'Slow down' }, { retryAfter: 2, retryAfterMs: 1500 }));
    const response = await post({ messages });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('2');
    expect(response.headers.get('retry-after-ms')).toBe('1500');
    expect(await response.json()).toEqual({
      error: { message: 'Slow down', type: 'requests', param: null, code: 'rate_limit_exceeded' },
    });
  });

  it('sends a mid-stream error event and no [DONE]', async () => {
    sim.script(streamErrorReply({ code: 'overloaded' }, { textBefore: 'Part' }));
    const all = events(await (await post({ messages, stream: true })).text());
    expect(all).not.toContain('[DONE]');
    expect(all.at(-1)).toEqual({ error: expect.objectContaining({ type: 'server_error', code: 'overloaded' }) });
  });

  it('drops the connection after the given number of events', async () => {
    sim.script(textReply('a b c d', { dropAfter: 2 }));
    const response = await post({ messages, stream: true });
    const reader = response.body!.getReader();
    let text = '';
    const failure = await (async () => {
      for (;;) {
        const { done, value } = await reader.read();
        if (done) return undefined;
        text += new TextDecoder().decode(value);
      }
    })().catch((error: unknown) => error);
    expect(failure).toBeInstanceOf(Error);
    expect(events(text)).toHaveLength(2);
  });

  it('holds a stream at its gate until the test opens it', async () => {
    const gate = new Gate();
    sim.script(textReply('a b c', { gate }));
    const controller = new AbortController();
    const response = await post({ messages, stream: true }, undefined, { signal: controller.signal });
    const reader = response.body!.getReader();
    const first = new TextDecoder().decode((await reader.read()).value);
    expect(events(first)).toHaveLength(1);
    controller.abort();
    // Still open at the gate when the client left: the simulator records it as aborted.
    await vi.waitFor(() => expect(sim.lastRequest!.aborted).toBe(true));
  });

  it('holds the response head until beforeHead resolves', async () => {
    const gate = new Gate();
    sim.script(textReply('late', { beforeHead: () => gate.wait() }));
    const controller = new AbortController();
    const pending = post({ messages }, undefined, { signal: controller.signal }).catch((error: unknown) => error);
    await vi.waitFor(() => expect(sim.requests).toHaveLength(1));
    controller.abort();
    expect(await pending).toBeInstanceOf(Error);
    // Nothing was sent before the client left: the reply was still held.
    await vi.waitFor(() => expect(sim.lastRequest!.aborted).toBe(true));
    gate.open();
  });

  it('sends a body that is not JSON, plain or streamed', async () => {
    sim.script(badJsonReply(), badJsonReply());
    await expect((await post({ messages })).json()).rejects.toThrow(SyntaxError);
    const text = await (await post({ messages, stream: true })).text();
    expect(() => events(text)).toThrow(SyntaxError);
  });

  it('replays a recorded stream as it is', async () => {
    const recorded = readFileSync(new URL('../fixtures/openai/stream-text.sse.txt', import.meta.url), 'utf8');
    sim.script(rawSseReply(recorded));
    const text = await (await post({ messages, stream: true })).text();
    expect(text.trim()).toBe(recorded.trim());
  });
});
