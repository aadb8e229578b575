/**
 * `POST /v1/messages` (CONTRACT.md §5) through the local server with the official Anthropic SDK, unchanged but for
 * its base URL: translated to a custom OpenAI-compatible provider and to Anthropic itself, streaming and not, with a
 * tool-call round trip, Anthropic's error envelope, `x-api-key` auth, count_tokens, and one row per request with
 * `endpoint: "messages"`.
 */
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AnthropicSimulator,
  textReply as anthropicText,
  startAnthropicSimulator,
  toolUseReply,
} from '../../simulators/anthropic.js';
import type { Simulator } from '../../simulators/base.js';
import { startOpenAISimulator, textReply, toolCallsReply } from '../../simulators/openai.js';
import { setEnv, startTestGateway, type TestGateway } from '../helpers/local-gateway.js';

let gateway: TestGateway;
let openai: Simulator;
let anthropic: AnthropicSimulator;
let key: string;
let projectId: string;
let client: Anthropic;
let restoreEnv: () => void;

beforeAll(async () => {
  restoreEnv = setEnv({ ANTHROPIC_API_KEY: undefined, OPENAI_API_KEY: undefined, GATEWAY_RETRY_BACKOFF_MS: '1' });
  openai = await startOpenAISimulator();
  anthropic = await startAnthropicSimulator({ apiKey: 'sk-ant-sim-0000' });
  gateway = await startTestGateway();
  ({ projectId, key } = await gateway.project('messages'));
  await gateway.putProvider(projectId, 'acme', {
    type: 'openai-compatible',
    base_url: `${openai.url}/v1`,
    models: [{ id: 'llama-3', input_per_million: 1, output_per_million: 2 }],
  });
  await gateway.putProvider(projectId, 'anthropic', { api_key: 'sk-ant-sim-0000', base_url: anthropic.url });
  // As Claude Code is configured: ANTHROPIC_BASE_URL and an auth token.
  client = new Anthropic({ baseURL: gateway.url, apiKey: key, maxRetries: 0 });
});

afterAll(async () => {
  await gateway?.close();
  await openai?.close();
  await anthropic?.close();
  restoreEnv?.();
});

/** The body the OpenAI simulator last received. */
function sent(): Record<string, unknown> {
  return (openai.lastRequest?.body ?? {}) as Record<string, unknown>;
}

const weatherTool: Anthropic.Tool = {
  name: 'get_weather',
  description: 'The weather in a city',
  input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
};

describe('POST /v1/messages, translated to an OpenAI-compatible provider', () => {
  it('answers messages.create in Anthropic’s shape, with system blocks, usage and the stop reason', async () => {
    openai.reset();
    openai.script(textReply('Hello from acme', { usage: { prompt_tokens: 12, completion_tokens: 4 } }));
    const message = await client.messages.create({
      model: 'acme/llama-3',
      max_tokens: 64,
      system: [{ type: 'text', text: 'Be brief.', cache_control: { type: 'ephemeral' } }],
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(message).toMatchObject({
      type: 'message',
      role: 'assistant',
      model: 'acme/llama-3',
      content: [{ type: 'text', text: 'Hello from acme' }],
      stop_reason: 'end_turn',
      usage: { input_tokens: 12, output_tokens: 4 },
    });
    expect(message.id).toMatch(/^msg_/);
    expect(sent().max_tokens).toBe(64);
    expect(sent().messages).toEqual([
      { role: 'system', content: [{ type: 'text', text: 'Be brief.' }] },
      { role: 'user', content: 'Hi' },
    ]);
    const raw = await client.messages
      .create({ model: 'acme/llama-3', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] })
      .asResponse();
    expect(raw.headers.get('x-gateway-provider')).toBe('acme');
  });

  it('round-trips a tool call: tool_use out, tool_result back as a tool message', async () => {
    openai.script(toolCallsReply([{ id: 'call_1', name: 'get_weather', arguments: { city: 'Oslo' } }]));
    const first = await client.messages.create({
      model: 'acme/llama-3',
      max_tokens: 64,
      tools: [weatherTool],
      tool_choice: { type: 'any' },
      messages: [{ role: 'user', content: 'Weather in Oslo?' }],
    });
    expect(first.stop_reason).toBe('tool_use');
    expect(first.content).toEqual([{ type: 'tool_use', id: 'call_1', name: 'get_weather', input: { city: 'Oslo' } }]);
    const toolsSent = sent().tools;
    expect(toolsSent).toEqual([
      {
        type: 'function',
        function: { name: 'get_weather', description: 'The weather in a city', parameters: weatherTool.input_schema },
      },
    ]);
    expect(sent().tool_choice).toBe('required');

    openai.script(textReply('It is sunny in Oslo.'));
    const second = await client.messages.create({
      model: 'acme/llama-3',
      max_tokens: 64,
      tools: [weatherTool],
      messages: [
        { role: 'user', content: 'Weather in Oslo?' },
        { role: 'assistant', content: first.content },
        { role: 'user', content: [{ type: 'tool_result', tool_use_id: 'call_1', content: 'sunny, 21 °C' }] },
      ],
    });
    expect(second.content).toEqual([{ type: 'text', text: 'It is sunny in Oslo.' }]);
    expect((sent().messages as unknown[]).slice(1)).toEqual([
      {
        role: 'assistant',
        content: null,
        tool_calls: [
          { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Oslo"}' } },
        ],
      },
      { role: 'tool', tool_call_id: 'call_1', content: 'sunny, 21 °C' },
    ]);
  });

  it('streams Anthropic’s events: messages.stream(...).finalMessage() with text and a tool call', async () => {
    openai.script(textReply(['Once ', 'upon ', 'a time.'], { usage: { prompt_tokens: 9, completion_tokens: 5 } }));
    const stream = client.messages.stream({
      model: 'acme/llama-3',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'A story' }],
    });
    const types: string[] = [];
    stream.on('streamEvent', (event) => types.push(event.type));
    const final = await stream.finalMessage();
    expect(final.content).toEqual([{ type: 'text', text: 'Once upon a time.' }]);
    expect(final.stop_reason).toBe('end_turn');
    expect(final.usage).toMatchObject({ input_tokens: 9, output_tokens: 5 });
    expect(types[0]).toBe('message_start');
    expect(types.slice(-2)).toEqual(['message_delta', 'message_stop']);
    expect(types).toContain('content_block_delta');

    openai.script(toolCallsReply([{ id: 'call_9', name: 'get_weather', arguments: { city: 'Bergen' } }]));
    const tools = await client.messages
      .stream({
        model: 'acme/llama-3',
        max_tokens: 64,
        tools: [weatherTool],
        messages: [{ role: 'user', content: 'Bergen?' }],
      })
      .finalMessage();
    expect(tools.stop_reason).toBe('tool_use');
    expect(tools.content).toEqual([{ type: 'tool_use', id: 'call_9', name: 'get_weather', input: { city: 'Bergen' } }]);
  });

  it('lists dropped fields in x-gateway-ignored and refuses server tools with a 400 naming them', async () => {
    openai.script(textReply('ok'));
    const raw = await client.messages
      .create({
        model: 'acme/llama-3',
        max_tokens: 16,
        // Not in this SDK version's types, but in Anthropic's API.
        ...({ top_k: 5 } as object),
        thinking: { type: 'enabled', budget_tokens: 1024 },
        messages: [{ role: 'user', content: [{ type: 'text', text: 'x', cache_control: { type: 'ephemeral' } }] }],
      })
      .asResponse();
    expect(raw.headers.get('x-gateway-ignored')?.split(',').sort()).toEqual(['cache_control', 'thinking', 'top_k']);

    const refused = await client.messages
      .create({
        model: 'acme/llama-3',
        max_tokens: 16,
        tools: [{ type: 'web_search_20250305', name: 'web_search' }],
        messages: [{ role: 'user', content: 'x' }],
      })
      .catch((error: unknown) => error);
    expect(refused).toBeInstanceOf(Anthropic.BadRequestError);
    expect((refused as InstanceType<typeof Anthropic.BadRequestError>).error).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error', message: expect.stringContaining('web_search_20250305') },
    });
  });
});

describe('POST /v1/messages, to Anthropic natively', () => {
  it('sends the body unchanged but for model: cache_control, thinking, server tools, and the anthropic-beta header', async () => {
    anthropic.reset();
    anthropic.script(anthropicText('Native hello', { usage: { input_tokens: 4, output_tokens: 2 } }));
    const body = {
      model: 'anthropic/claude-sonnet-4-5',
      max_tokens: 2048,
      system: [{ type: 'text' as const, text: 'You are Claude Code.', cache_control: { type: 'ephemeral' as const } }],
      thinking: { type: 'enabled' as const, budget_tokens: 1024 },
      tools: [{ type: 'web_search_20250305' as const, name: 'web_search' as const }, weatherTool],
      messages: [
        {
          role: 'user' as const,
          content: [{ type: 'text' as const, text: 'Hi', cache_control: { type: 'ephemeral' as const } }],
        },
      ],
    };
    const message = await client.messages.create(body, { headers: { 'anthropic-beta': 'prompt-caching-2024-07-31' } });
    expect(message.content).toEqual([{ type: 'text', text: 'Native hello' }]);
    expect(message.model).toBe('anthropic/claude-sonnet-4-5');
    const received = anthropic.lastRequest;
    // The routed model is the catalog's dated id for the alias.
    expect(received?.body).toEqual({ ...body, model: expect.stringMatching(/^claude-sonnet-4-5/), stream: false });
    expect(received?.headers['anthropic-beta']).toBe('prompt-caching-2024-07-31');
  });

  it('forwards Anthropic’s own event stream, and meters it', async () => {
    anthropic.script(anthropicText('Streamed natively', { usage: { input_tokens: 20, output_tokens: 7 } }));
    const stream = client.messages.stream({
      model: 'claude-sonnet-4-5',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    const final = await stream.finalMessage();
    expect(final.content).toEqual([{ type: 'text', text: 'Streamed natively' }]);
    expect(final.usage).toMatchObject({ input_tokens: 20, output_tokens: 7 });
    expect((anthropic.lastRequest?.body ?? {}) as { stream?: boolean }).toMatchObject({ stream: true });
  });
});

describe('POST /v1/messages, to Anthropic', () => {
  it('answers through the Anthropic provider, streaming and not, with cache usage in Anthropic’s convention', async () => {
    anthropic.script(
      anthropicText('Hi from Claude', {
        usage: { input_tokens: 10, output_tokens: 3, cache_read_input_tokens: 100, cache_creation_input_tokens: 5 },
      }),
    );
    const message = await client.messages.create({
      model: 'anthropic/claude-sonnet-4-5',
      max_tokens: 32,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(message.content).toEqual([{ type: 'text', text: 'Hi from Claude' }]);
    expect(message.usage).toMatchObject({
      input_tokens: 10,
      output_tokens: 3,
      cache_read_input_tokens: 100,
      cache_creation_input_tokens: 5,
    });

    anthropic.script(toolUseReply([{ id: 'toolu_1', name: 'get_weather', input: { city: 'Rome' } }]));
    const streamed = await client.messages
      .stream({
        model: 'claude-sonnet-4-5',
        max_tokens: 32,
        tools: [weatherTool],
        messages: [{ role: 'user', content: 'Rome?' }],
      })
      .finalMessage();
    expect(streamed.content).toEqual([
      { type: 'tool_use', id: 'toolu_1', name: 'get_weather', input: { city: 'Rome' } },
    ]);
    expect(streamed.stop_reason).toBe('tool_use');
  });
});

describe('errors, auth and count_tokens', () => {
  it('answers errors in Anthropic’s envelope: a wrong key, an unknown model, a missing max_tokens', async () => {
    const wrong = new Anthropic({ baseURL: gateway.url, apiKey: 'gw-wrong', maxRetries: 0 });
    await expect(
      wrong.messages.create({ model: 'acme/llama-3', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toBeInstanceOf(Anthropic.AuthenticationError);

    const missing = await client.messages
      .create({ model: 'nope/none', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] })
      .catch((error: unknown) => error);
    expect(missing).toBeInstanceOf(Anthropic.NotFoundError);

    const response = await fetch(`${gateway.url}/v1/messages`, {
      method: 'POST',
      headers: { 'x-api-key': key, 'content-type': 'application/json', 'anthropic-version': '2023-06-01' },
      body: JSON.stringify({ model: 'acme/llama-3', messages: [{ role: 'user', content: 'x' }] }),
    });
    expect(response.status).toBe(400);
    expect(await response.json()).toMatchObject({
      type: 'error',
      error: { type: 'invalid_request_error', message: expect.stringContaining('max_tokens') },
    });
  });

  it('counts tokens as an estimate, without a provider call or a row', async () => {
    openai.reset();
    const counted = await client.messages.countTokens({
      model: 'acme/llama-3',
      system: 'You are terse.',
      messages: [{ role: 'user', content: 'How many tokens is this?' }],
    });
    expect(counted.input_tokens).toBeGreaterThan(5);
    expect(openai.requests).toHaveLength(0);
  });

  it('leaves one priced row per request with endpoint "messages"', async () => {
    openai.script(textReply('metered', { usage: { prompt_tokens: 1000, completion_tokens: 500 } }));
    const message = await client.messages
      .create({ model: 'acme/llama-3', max_tokens: 600, messages: [{ role: 'user', content: 'meter me' }] })
      .withResponse();
    const requestId = message.response.headers.get('x-request-id');
    const rows = await gateway.admin<{ data: Record<string, unknown>[] }>(
      'GET',
      `/admin/projects/${projectId}/requests?limit=50`,
    );
    const row = rows.body.data.find((r) => r.request_id === requestId || r.id === requestId);
    expect(row).toMatchObject({ endpoint: 'messages', model: 'acme/llama-3', status: 200, usage_estimated: false });
    expect(row?.cost_usd).toBeCloseTo((1000 * 1 + 500 * 2) / 1e6, 10);
  });
});
