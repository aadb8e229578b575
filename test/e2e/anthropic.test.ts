/**
 * Claude end to end: the official openai SDK through the local gateway against the Anthropic simulator, registered
 * as the project's `anthropic` credential. Each test checks what the client got and what Anthropic received.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AnthropicSimulator,
  errorReply,
  startAnthropicSimulator,
  textReply,
  toolUseReply,
} from '../../simulators/anthropic.js';
import { setEnv, startTestGateway, type TestGateway, user } from '../helpers/local-gateway.js';

type Chunk = OpenAI.Chat.Completions.ChatCompletionChunk;

const ANTHROPIC_KEY = 'sk-ant-api03-e2e-secret';
const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
const MODEL = 'anthropic/claude-haiku-4-5';
const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    description: 'Current weather for a city',
    parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  },
};

let gateway: TestGateway;
let sim: AnthropicSimulator;
let client: OpenAI;
let restoreEnv: () => void;

beforeAll(async () => {
  restoreEnv = setEnv({ GATEWAY_RETRY_BACKOFF_MS: '1' });
  sim = await startAnthropicSimulator({ apiKey: ANTHROPIC_KEY });
  gateway = await startTestGateway();
  const { projectId, key } = await gateway.project('anthropic-e2e');
  await gateway.putProvider(projectId, 'anthropic', { api_key: ANTHROPIC_KEY, base_url: sim.url });
  client = gateway.client(key);
});

afterAll(async () => {
  await gateway?.close();
  await sim?.close();
  restoreEnv?.();
});

const received = () => sim.lastRequest!.body as Record<string, unknown>;

async function drain(stream: AsyncIterable<Chunk>): Promise<Chunk[]> {
  const chunks: Chunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

const contentOf = (chunks: Chunk[]) => chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
const finishOf = (chunks: Chunk[]) => chunks.map((c) => c.choices[0]?.finish_reason).find(Boolean);

async function apiError(call: Promise<unknown>): Promise<InstanceType<typeof OpenAI.APIError>> {
  const error = await call.then(
    () => undefined,
    (e: unknown) => e,
  );
  expect(error).toBeInstanceOf(OpenAI.APIError);
  return error as InstanceType<typeof OpenAI.APIError>;
}

describe('non-streaming', () => {
  it('sends system and multi-turn conversations as Anthropic turns and answers a chat.completion', async () => {
    sim.script(textReply('Paris.', { usage: { input_tokens: 40, output_tokens: 2 } }));
    const { data, response } = await client.chat.completions
      .create({
        model: MODEL,
        messages: [
          { role: 'system', content: 'Answer in one word.' },
          { role: 'user', content: 'Capital of Italy?' },
          { role: 'assistant', content: 'Rome.' },
          { role: 'developer', content: 'Be exact.' },
          { role: 'user', content: 'And of France?' },
        ],
        seed: 3,
      })
      .withResponse();
    expect(data.object).toBe('chat.completion');
    expect(data.model).toBe(MODEL);
    expect(data.choices[0]?.message.content).toBe('Paris.');
    expect(data.choices[0]?.finish_reason).toBe('stop');
    expect(data.usage).toMatchObject({ prompt_tokens: 40, completion_tokens: 2, total_tokens: 42 });
    expect(response.headers.get('x-gateway-provider')).toBe('anthropic');
    expect(response.headers.get('x-gateway-ignored')).toBe('seed');
    expect(response.headers.get('x-gateway-cost-usd')).toMatch(/^\d+(\.\d+)?$/);
    expect(sim.lastRequest!.headers['x-api-key']).toBe(ANTHROPIC_KEY);
    expect(received()).toEqual({
      model: 'claude-haiku-4-5-20251001',
      max_tokens: 64000,
      stream: false,
      system: [
        { type: 'text', text: 'Answer in one word.' },
        { type: 'text', text: 'Be exact.' },
      ],
      messages: [
        { role: 'user', content: [{ type: 'text', text: 'Capital of Italy?' }] },
        { role: 'assistant', content: [{ type: 'text', text: 'Rome.' }] },
        { role: 'user', content: [{ type: 'text', text: 'And of France?' }] },
      ],
    });
  });

  it('routes a bare claude-* name the catalog does not know to Anthropic, max_tokens 4096', async () => {
    const data = await client.chat.completions.create({ model: 'claude-sonnet-9-preview', messages: user('echo') });
    expect(data.model).toBe('claude-sonnet-9-preview');
    expect(data.choices[0]?.message.content).toBe('echo');
    expect(received()).toMatchObject({ model: 'claude-sonnet-9-preview', max_tokens: 4096 });
  });

  it('round-trips parallel tool calls and their results', async () => {
    sim.script(
      toolUseReply([
        { id: 'toolu_rome', name: 'get_weather', input: { city: 'Rome' } },
        { id: 'toolu_oslo', name: 'get_weather', input: { city: 'Oslo' } },
      ]),
    );
    const first = await client.chat.completions.create({
      model: MODEL,
      messages: user('Weather in Rome and Oslo?'),
      tools: [weatherTool],
      tool_choice: 'auto',
    });
    expect(received()).toMatchObject({
      tools: [
        {
          name: 'get_weather',
          description: 'Current weather for a city',
          input_schema: weatherTool.function.parameters,
        },
      ],
      tool_choice: { type: 'auto' },
    });
    const message = first.choices[0]!.message;
    expect(first.choices[0]?.finish_reason).toBe('tool_calls');
    expect(message.tool_calls?.map((call) => call.id)).toEqual(['toolu_rome', 'toolu_oslo']);

    sim.script(textReply('Rome is sunny; Oslo is snowing.'));
    const second = await client.chat.completions.create({
      model: MODEL,
      tools: [weatherTool],
      parallel_tool_calls: false,
      messages: [
        ...user('Weather in Rome and Oslo?'),
        message,
        { role: 'tool', tool_call_id: 'toolu_rome', content: 'sunny, 24°C' },
        { role: 'tool', tool_call_id: 'toolu_oslo', content: 'snow, -3°C' },
      ],
    });
    expect(second.choices[0]?.message.content).toBe('Rome is sunny; Oslo is snowing.');
    expect(received().tool_choice).toEqual({ type: 'auto', disable_parallel_tool_use: true });
    expect((received().messages as unknown[]).slice(1)).toEqual([
      {
        role: 'assistant',
        content: [
          { type: 'tool_use', id: 'toolu_rome', name: 'get_weather', input: { city: 'Rome' } },
          { type: 'tool_use', id: 'toolu_oslo', name: 'get_weather', input: { city: 'Oslo' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_rome', content: 'sunny, 24°C' },
          { type: 'tool_result', tool_use_id: 'toolu_oslo', content: 'snow, -3°C' },
        ],
      },
    ]);
  });

  it('sends data: and https: images as base64 and url sources', async () => {
    await client.chat.completions.create({
      model: MODEL,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Describe both.' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
            { type: 'image_url', image_url: { url: 'https://example.com/photo.webp' } },
          ],
        },
      ],
    });
    expect((received().messages as { content: unknown }[])[0]?.content).toEqual([
      { type: 'text', text: 'Describe both.' },
      { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
      { type: 'image', source: { type: 'url', url: 'https://example.com/photo.webp' } },
    ]);
  });

  it('answers json_schema through structured outputs on Claude 4.5 and later', async () => {
    const schema = { type: 'object', properties: { answer: { type: 'number' } }, required: ['answer'] };
    sim.script(textReply('{"answer":42}'));
    const data = await client.chat.completions.create({
      model: MODEL,
      messages: user('6 × 7 as JSON'),
      response_format: { type: 'json_schema', json_schema: { name: 'product', schema } },
    });
    expect(JSON.parse(data.choices[0]?.message.content ?? '')).toEqual({ answer: 42 });
    expect(data.choices[0]?.finish_reason).toBe('stop');
    expect(received().tools).toBeUndefined();
    expect(received().output_config).toEqual({
      format: { type: 'json_schema', schema: { ...schema, additionalProperties: false } },
    });
  });

  it('answers json_schema through the forced json_response tool before Claude 4.5', async () => {
    const schema = { type: 'object', properties: { answer: { type: 'number' } }, required: ['answer'] };
    sim.script(toolUseReply([{ name: 'json_response', input: { answer: 42 } }]));
    const data = await client.chat.completions.create({
      model: 'anthropic/claude-3-haiku-20240307',
      messages: user('6 × 7 as JSON'),
      response_format: { type: 'json_schema', json_schema: { name: 'product', schema } },
    });
    expect(JSON.parse(data.choices[0]?.message.content ?? '')).toEqual({ answer: 42 });
    expect(data.choices[0]?.message.tool_calls).toBeUndefined();
    expect(data.choices[0]?.finish_reason).toBe('stop');
    expect(received()).toMatchObject({
      tools: [{ name: 'json_response', input_schema: schema }],
      tool_choice: { type: 'tool', name: 'json_response' },
    });
  });

  it('sends stop sequences and reports every finish reason', async () => {
    sim.script(textReply('1 2 3', { stop_reason: 'stop_sequence', stop_sequence: '4' }));
    const stopped = await client.chat.completions.create({
      model: MODEL,
      messages: user('count'),
      stop: ['4', '\n\n'],
    });
    expect(received().stop_sequences).toEqual(['4', '\n\n']);
    expect(stopped.choices[0]?.finish_reason).toBe('stop');
    for (const [stopReason, finish] of [
      ['end_turn', 'stop'],
      ['max_tokens', 'length'],
      ['refusal', 'content_filter'],
    ] as const) {
      sim.script(textReply('…', { stop_reason: stopReason }));
      const data = await client.chat.completions.create({ model: MODEL, messages: user('x'), max_tokens: 5 });
      expect(data.choices[0]?.finish_reason).toBe(finish);
    }
    expect(received().max_tokens).toBe(5);
  });
});

describe('streaming', () => {
  it('streams text and, with include_usage, usage counting cache reads and writes', async () => {
    sim.script(
      textReply('Once upon a time', {
        usage: { input_tokens: 30, cache_read_input_tokens: 1200, cache_creation_input_tokens: 300, output_tokens: 4 },
      }),
    );
    const chunks = await drain(
      await client.chat.completions.create({
        model: MODEL,
        messages: user('A story'),
        stream: true,
        stream_options: { include_usage: true },
      }),
    );
    expect(received().stream).toBe(true);
    expect(contentOf(chunks)).toBe('Once upon a time');
    expect(finishOf(chunks)).toBe('stop');
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toMatchObject({ prompt_tokens: 1530, completion_tokens: 4, total_tokens: 1534 });
    expect(last.usage?.prompt_tokens_details?.cached_tokens).toBe(1200);
    expect(chunks.every((c) => c.model === MODEL)).toBe(true);
  });

  it('streams tool calls with an index each, id and name first', async () => {
    sim.script(
      toolUseReply(
        [
          { id: 'toolu_a', name: 'get_weather', input: { city: 'Lisbon' } },
          { id: 'toolu_b', name: 'get_weather', input: { city: 'Reykjavík' } },
        ],
        { text: 'Checking.' },
      ),
    );
    const chunks = await drain(
      await client.chat.completions.create({
        model: MODEL,
        messages: user('Two cities'),
        tools: [weatherTool],
        stream: true,
      }),
    );
    const calls = new Map<number, { id?: string; name?: string; args: string }>();
    for (const delta of chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? [])) {
      const call = calls.get(delta.index) ?? { args: '' };
      if (delta.id) {
        expect(call.id).toBeUndefined();
        call.id = delta.id;
        call.name = delta.function?.name;
      }
      call.args += delta.function?.arguments ?? '';
      calls.set(delta.index, call);
    }
    expect(calls.get(0)).toEqual({ id: 'toolu_a', name: 'get_weather', args: '{"city":"Lisbon"}' });
    expect(calls.get(1)).toEqual({ id: 'toolu_b', name: 'get_weather', args: '{"city":"Reykjavík"}' });
    expect(contentOf(chunks)).toBe('Checking.');
    expect(finishOf(chunks)).toBe('tool_calls');
  });

  it('ends each stream with the mapped finish reason', async () => {
    for (const [stopReason, finish] of [
      ['end_turn', 'stop'],
      ['stop_sequence', 'stop'],
      ['max_tokens', 'length'],
      ['refusal', 'content_filter'],
    ] as const) {
      sim.script(textReply('partial answer', { stop_reason: stopReason }));
      const chunks = await drain(
        await client.chat.completions.create({ model: MODEL, messages: user('x'), stream: true }),
      );
      expect(finishOf(chunks)).toBe(finish);
    }
  });

  it('turns a mid-stream error event into the SDK’s APIError after the text before it', async () => {
    sim.script(
      textReply(
        'one two three four',
        {},
        { errorAfter: 5, error: { type: 'overloaded_error', message: 'Overloaded' } },
      ),
    );
    const stream = await client.chat.completions.create({ model: MODEL, messages: user('x'), stream: true });
    const texts: string[] = [];
    const error = await apiError(
      (async () => {
        for await (const chunk of stream) texts.push(chunk.choices[0]?.delta.content ?? '');
      })(),
    );
    expect(texts.join('')).toBe('one two');
    expect(error.type).toBe('upstream_error');
    expect(error.code).toBe('overloaded_error');
    expect(JSON.stringify(error.error)).not.toContain('127.0.0.1');
  });
});

describe('upstream errors', () => {
  // Anthropic sends `retry-after` in seconds; the extra `retry-after-ms` (which wins) keeps these tests quick.
  it('retries a 429 honouring retry-after, then answers', async () => {
    sim.script(
      errorReply(429, 'rate_limit_error', 'Rate limited', { 'retry-after': '1', 'retry-after-ms': '10' }),
      textReply('after the wait'),
    );
    const before = sim.requests.length;
    const data = await client.chat.completions.create({ model: MODEL, messages: user('x') });
    expect(data.choices[0]?.message.content).toBe('after the wait');
    expect(sim.requests.length - before).toBe(2);
  });

  it('answers 429 with retry-after when Anthropic keeps limiting', async () => {
    sim.script(
      ...Array.from({ length: 3 }, () =>
        errorReply(429, 'rate_limit_error', 'Rate limited', { 'retry-after': '2', 'retry-after-ms': '10' }),
      ),
    );
    const error = await apiError(client.chat.completions.create({ model: MODEL, messages: user('x') }));
    expect(error.status).toBe(429);
    expect(error.headers?.get('retry-after')).toBe('1');
  });

  it('answers an overloaded 529 with 503 after the retries', async () => {
    sim.script(...Array.from({ length: 3 }, () => errorReply(529, 'overloaded_error', 'Overloaded')));
    const before = sim.requests.length;
    const error = await apiError(client.chat.completions.create({ model: MODEL, messages: user('x'), stream: true }));
    expect(error.status).toBe(503);
    expect(error.code).toBe('overloaded_error');
    expect(sim.requests.length - before).toBe(3);
  });

  it('answers a 500 with 502', async () => {
    sim.script(...Array.from({ length: 3 }, () => errorReply(500, 'api_error', 'Internal server error')));
    const error = await apiError(client.chat.completions.create({ model: MODEL, messages: user('x') }));
    expect(error.status).toBe(502);
    expect(error.type).toBe('upstream_error');
  });

  it('passes Anthropic’s 400 message on', async () => {
    sim.script(errorReply(400, 'invalid_request_error', 'messages.0.content: text content blocks must be non-empty'));
    const error = await apiError(client.chat.completions.create({ model: MODEL, messages: user('x') }));
    expect(error.status).toBe(400);
    expect(error.message).toContain('text content blocks must be non-empty');
  });

  it('answers a rejected key with 502 provider_auth_failed, never the key', async () => {
    sim.script(errorReply(401, 'authentication_error', `invalid x-api-key ${ANTHROPIC_KEY}`));
    const error = await apiError(client.chat.completions.create({ model: MODEL, messages: user('x') }));
    expect(error.status).toBe(502);
    expect(error.code).toBe('provider_auth_failed');
    expect(JSON.stringify(error.error)).not.toContain(ANTHROPIC_KEY);
  });

  it('rejects n > 1 with a 400 naming n, without calling Anthropic', async () => {
    const before = sim.requests.length;
    const error = await apiError(client.chat.completions.create({ model: MODEL, messages: user('x'), n: 2 }));
    expect(error.status).toBe(400);
    expect(error.param).toBe('n');
    expect(sim.requests.length).toBe(before);
  });
});
