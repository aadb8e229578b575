/**
 * The gateway end to end with the official openai SDK, against the OpenAI simulator registered as the project's
 * `openai` credential: what the client gets, and what the upstream received.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../simulators/base.js';
import { Gate } from '../../simulators/base.js';
import {
  errorReply,
  startOpenAISimulator,
  streamErrorReply,
  textReply,
  toolCallsReply,
} from '../../simulators/openai.js';
import { startTestGateway, type TestGateway, user } from '../helpers/local-gateway.js';
import { ManualClock } from '../helpers/manual-clock.js';

/** Retry waits run on a clock the tests move by hand. */
const clock = new ManualClock();
let gateway: TestGateway;
let sim: Simulator;
let client: OpenAI;
let key: string;
let projectId: string;

beforeAll(async () => {
  sim = await startOpenAISimulator();
  gateway = await startTestGateway({ clock });
  ({ projectId, key } = await gateway.project('openai-e2e'));
  await gateway.putProvider(projectId, 'openai', { api_key: 'sk-test-secret-openai', base_url: `${sim.url}/v1` });
  client = gateway.client(key);
});

afterAll(async () => {
  await gateway?.close();
  await sim?.close();
});

/** Resolves with the promise's value, or fails the test after `ms` (a gateway that buffers would hang here). */
function within<T>(promise: Promise<T>, ms = 5_000): Promise<T> {
  return Promise.race([
    promise,
    new Promise<T>((_, reject) => setTimeout(() => reject(new Error(`no answer within ${ms} ms`)), ms)),
  ]);
}

describe('non-streaming', () => {
  it('answers a chat completion, echoing the model as written, with gateway headers', async () => {
    sim.script(textReply('Hello there', { usage: { prompt_tokens: 12, completion_tokens: 3, cached_tokens: 8 } }));
    const { data, response } = await client.chat.completions
      .create({ model: 'openai/gpt-4o-mini', messages: user('hi'), temperature: 0.2, seed: 7, user: 'u-1' })
      .withResponse();
    expect(data.object).toBe('chat.completion');
    expect(data.model).toBe('openai/gpt-4o-mini');
    expect(data.choices[0]?.message.content).toBe('Hello there');
    expect(data.choices[0]?.finish_reason).toBe('stop');
    expect(data.usage).toMatchObject({ prompt_tokens: 12, completion_tokens: 3, total_tokens: 15 });
    expect(data.usage?.prompt_tokens_details?.cached_tokens).toBe(8);
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
    expect(response.headers.get('x-gateway-provider')).toBe('openai');
    expect(response.headers.get('x-gateway-cost-usd')).toMatch(/^\d+(\.\d+)?$/);
    const received = sim.lastRequest!;
    expect(received.path).toBe('/v1/chat/completions');
    expect(received.headers.authorization).toBe('Bearer sk-test-secret-openai');
    expect(received.body).toMatchObject({ model: 'gpt-4o-mini', temperature: 0.2, seed: 7, user: 'u-1' });
  });

  it('routes a bare catalog name to openai', async () => {
    sim.script(textReply('bare'));
    const data = await client.chat.completions.create({ model: 'gpt-4o-mini', messages: user('hi') });
    expect(data.model).toBe('gpt-4o-mini');
    expect(sim.lastRequest!.body).toMatchObject({ model: 'gpt-4o-mini' });
  });

  it('passes tools, tool_choice and json_schema through and returns tool calls', async () => {
    sim.script(toolCallsReply([{ id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } }]));
    const tools = [
      {
        type: 'function' as const,
        function: { name: 'get_weather', parameters: { type: 'object', properties: { city: { type: 'string' } } } },
      },
    ];
    const data = await client.chat.completions.create({
      model: 'openai/gpt-4o',
      messages: [
        { role: 'system', content: 'be brief' },
        {
          role: 'user',
          content: [
            { type: 'text', text: 'weather here?' },
            { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
          ],
        },
      ],
      tools,
      tool_choice: 'required',
      parallel_tool_calls: false,
    });
    expect(data.choices[0]?.finish_reason).toBe('tool_calls');
    const call = data.choices[0]?.message.tool_calls?.[0];
    expect(call?.type === 'function' && call.function).toMatchObject({
      name: 'get_weather',
      arguments: '{"city":"Paris"}',
    });
    expect(sim.lastRequest!.body).toMatchObject({ tools, tool_choice: 'required', parallel_tool_calls: false });
    const content = (sim.lastRequest!.body as { messages: { content: unknown }[] }).messages[1]?.content;
    expect(content).toEqual([
      { type: 'text', text: 'weather here?' },
      { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } },
    ]);

    sim.script(textReply('{"answer":42}'));
    const format = {
      type: 'json_schema' as const,
      json_schema: { name: 'answer', schema: { type: 'object', properties: { answer: { type: 'number' } } } },
    };
    const json = await client.chat.completions.create({
      model: 'openai/gpt-4o',
      messages: user('q'),
      response_format: format,
    });
    expect(JSON.parse(json.choices[0]?.message.content ?? '')).toEqual({ answer: 42 });
    expect(sim.lastRequest!.body).toMatchObject({ response_format: format });
  });
});

describe('streaming', () => {
  it('streams content deltas and, when asked, a final usage chunk; always asks the upstream for usage', async () => {
    sim.script(textReply(['Hel', 'lo', '!'], { usage: { prompt_tokens: 5, completion_tokens: 3, cached_tokens: 2 } }));
    const stream = await client.chat.completions.create({
      model: 'openai/gpt-4o-mini',
      messages: user('hi'),
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.map((c) => c.choices[0]?.delta.content ?? '').join('')).toBe('Hello!');
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toMatchObject({ prompt_tokens: 5, completion_tokens: 3, total_tokens: 8 });
    expect(last.usage?.prompt_tokens_details?.cached_tokens).toBe(2);
    expect(chunks.every((c) => c.model === 'openai/gpt-4o-mini' && c.id === chunks[0]?.id)).toBe(true);
    expect(sim.lastRequest!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
  });

  it('does not pass the usage chunk on when the client did not ask, but still asks upstream', async () => {
    sim.script(textReply(['a', 'b']));
    const stream = await client.chat.completions.create({
      model: 'openai/gpt-4o-mini',
      messages: user('x'),
      stream: true,
    });
    const chunks: OpenAI.Chat.Completions.ChatCompletionChunk[] = [];
    for await (const chunk of stream) chunks.push(chunk);
    expect(chunks.some((c) => c.usage)).toBe(false);
    expect(chunks.every((c) => c.choices.length > 0)).toBe(true);
    expect(sim.lastRequest!.body).toMatchObject({ stream_options: { include_usage: true } });
  });

  it('streams tool-call deltas with index, id and name first', async () => {
    sim.script(
      toolCallsReply([
        { id: 'call_a', name: 'one', arguments: { x: 1 } },
        { id: 'call_b', name: 'two', arguments: { y: 'long enough to split' } },
      ]),
    );
    const stream = await client.chat.completions.create({ model: 'openai/gpt-4o', messages: user('go'), stream: true });
    const calls = new Map<number, { id?: string; name?: string; args: string }>();
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) {
        const call = calls.get(delta.index) ?? { args: '' };
        if (delta.id) {
          expect(call.id).toBeUndefined();
          call.id = delta.id;
          call.name = delta.function?.name;
        }
        call.args += delta.function?.arguments ?? '';
        calls.set(delta.index, call);
      }
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(finish).toBe('tool_calls');
    expect(calls.get(0)).toEqual({ id: 'call_a', name: 'one', args: '{"x":1}' });
    expect(calls.get(1)).toEqual({ id: 'call_b', name: 'two', args: '{"y":"long enough to split"}' });
  });

  it('delivers each chunk before the upstream sends the next', async () => {
    const gate = new Gate();
    sim.script(textReply(['one ', 'two ', 'three'], { gate }));
    const stream = await client.chat.completions.create({
      model: 'openai/gpt-4o-mini',
      messages: user('x'),
      stream: true,
    });
    const iterator = stream[Symbol.asyncIterator]();
    const seen: string[] = [];
    // Every content chunk must arrive while the simulator is still holding the next one back.
    while (seen.join('') !== 'one two three') {
      const next = await within(iterator.next());
      if (next.done) break;
      const text = next.value.choices[0]?.delta.content;
      if (text) seen.push(text);
      // The simulator sends its next event only now: this chunk got here while the next was still held back.
      gate.open();
    }
    expect(seen).toEqual(['one ', 'two ', 'three']);
    for (let i = 0; i < 3; i++) gate.open();
    await iterator.return?.();
  });

  it('aborts the upstream request when the client hangs up', async () => {
    const gate = new Gate();
    sim.script(textReply(['first ', 'never sent'], { gate }));
    const controller = new AbortController();
    const stream = await client.chat.completions.create(
      { model: 'openai/gpt-4o-mini', messages: user('x'), stream: true },
      { signal: controller.signal },
    );
    const iterator = stream[Symbol.asyncIterator]();
    await within(iterator.next());
    const upstream = sim.lastRequest!;
    controller.abort();
    const deadline = Date.now() + 5_000;
    while (!upstream.aborted && Date.now() < deadline) await new Promise((r) => setTimeout(r, 20));
    expect(upstream.aborted).toBe(true);
    gate.open();
  });

  it('ends a stream that fails mid-way with an error event the SDK raises', async () => {
    sim.script(streamErrorReply({ message: 'boom', code: 'server_error' }, { textBefore: 'partial' }));
    const stream = await client.chat.completions.create({
      model: 'openai/gpt-4o-mini',
      messages: user('x'),
      stream: true,
    });
    const texts: string[] = [];
    const error = await (async () => {
      for await (const chunk of stream) texts.push(chunk.choices[0]?.delta.content ?? '');
    })().catch((e: unknown) => e);
    expect(texts.join('')).toBe('partial');
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(JSON.stringify((error as InstanceType<typeof OpenAI.APIError>).error)).not.toContain('127.0.0.1');
  });
});

describe('errors', () => {
  it('passes an upstream 400 on with the provider message', async () => {
    sim.script(errorReply(400, { message: 'context too long', code: 'context_length_exceeded', param: 'messages' }));
    const error = (await client.chat.completions
      .create({ model: 'openai/gpt-4o-mini', messages: user('x') })
      .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(error.status).toBe(400);
    expect(error.message).toContain('context too long');
    expect(error.headers?.get('x-gateway-provider')).toBe('openai');
  });

  it('turns an upstream 401 into 502 provider_auth_failed without the credential', async () => {
    sim.script(errorReply(401, { message: 'Incorrect API key provided: sk-test-secret-openai' }));
    const error = (await client.chat.completions
      .create({ model: 'openai/gpt-4o-mini', messages: user('x') })
      .catch((e: unknown) => e)) as InstanceType<typeof OpenAI.APIError>;
    expect(error.status).toBe(502);
    expect(error.code).toBe('provider_auth_failed');
    expect(JSON.stringify(error.error)).not.toContain('sk-test-secret-openai');
  });

  it('retries a 429 honouring retry-after and succeeds', async () => {
    sim.script(errorReply(429, { message: 'slow down' }, { retryAfterMs: 20 }), textReply('after retry'));
    const before = sim.requests.length;
    const answer = client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: user('x') });
    await clock.waitForTimer(20);
    clock.advance(20);
    const data = await answer;
    expect(data.choices[0]?.message.content).toBe('after retry');
    expect(sim.requests.length - before).toBe(2);
  });

  it('answers 429 with retry-after when the upstream keeps limiting', async () => {
    sim.script(...Array.from({ length: 3 }, () => errorReply(429, { message: 'no' }, { retryAfter: 1 })));
    const answer = client.chat.completions
      .create({ model: 'openai/gpt-4o-mini', messages: user('x') })
      .catch((e: unknown) => e) as Promise<InstanceType<typeof OpenAI.APIError>>;
    // Two waits of the upstream's retry-after (1 s each), on the hand-moved clock.
    for (let wait = 0; wait < 2; wait++) {
      await clock.waitForTimer(1_000);
      clock.advance(1_000);
    }
    const error = await answer;
    expect(error.status).toBe(429);
    expect(error.headers?.get('retry-after')).toBe('1');
  });
});
