/**
 * `POST /v1/responses` (CONTRACT.md §5) through the local server with the official openai SDK's `client.responses`,
 * translated for providers without a Responses API: a custom OpenAI-compatible provider and Anthropic, streaming
 * and not, a function-call round trip, the event sequence with `sequence_number`, errors, and one row per request
 * with `endpoint: "responses"`.
 */
import type OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AnthropicSimulator,
  textReply as anthropicText,
  startAnthropicSimulator,
  toolUseReply,
} from '../../simulators/anthropic.js';
import type { Simulator } from '../../simulators/base.js';
import { startOpenAISimulator, streamErrorReply, textReply, toolCallsReply } from '../../simulators/openai.js';
import { responsesFunctionCallReply, responsesTextReply } from '../../simulators/openai-responses.js';
import { setEnv, startTestGateway, type TestGateway } from '../helpers/local-gateway.js';

let gateway: TestGateway;
let openai: Simulator;
let anthropic: AnthropicSimulator;
let client: OpenAI;
let projectId: string;
let key: string;
let restoreEnv: () => void;

beforeAll(async () => {
  restoreEnv = setEnv({ ANTHROPIC_API_KEY: undefined, OPENAI_API_KEY: undefined, GATEWAY_RETRY_BACKOFF_MS: '1' });
  openai = await startOpenAISimulator();
  anthropic = await startAnthropicSimulator({ apiKey: 'sk-ant-sim-0000' });
  gateway = await startTestGateway();
  ({ projectId, key } = await gateway.project('responses'));
  await gateway.putProvider(projectId, 'acme', {
    type: 'openai-compatible',
    base_url: `${openai.url}/v1`,
    models: [{ id: 'llama-3', input_per_million: 1, output_per_million: 2 }],
  });
  await gateway.putProvider(projectId, 'anthropic', { api_key: 'sk-ant-sim-0000', base_url: anthropic.url });
  client = gateway.client(key);
});

afterAll(async () => {
  await gateway?.close();
  await openai?.close();
  await anthropic?.close();
  restoreEnv?.();
});

function sent(): Record<string, unknown> {
  return (openai.lastRequest?.body ?? {}) as Record<string, unknown>;
}

const weather: OpenAI.Responses.FunctionTool = {
  type: 'function',
  name: 'get_weather',
  description: 'The weather in a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  strict: false,
};

describe('POST /v1/responses, translated', () => {
  it('answers responses.create with a response object, output_text and usage', async () => {
    openai.script(textReply('Hello from acme', { usage: { prompt_tokens: 11, completion_tokens: 3 } }));
    const response = await client.responses.create({
      model: 'acme/llama-3',
      instructions: 'Be brief.',
      input: 'Hi',
      max_output_tokens: 50,
    });
    expect(response).toMatchObject({
      object: 'response',
      status: 'completed',
      model: 'acme/llama-3',
      usage: { input_tokens: 11, output_tokens: 3, total_tokens: 14 },
    });
    expect(response.id).toMatch(/^resp_/);
    expect(response.output_text).toBe('Hello from acme');
    expect(sent()).toMatchObject({
      messages: [
        { role: 'system', content: 'Be brief.' },
        { role: 'user', content: 'Hi' },
      ],
      max_completion_tokens: 50,
    });
  });

  it('round-trips a function call: function_call out, function_call_output back as a tool message', async () => {
    openai.script(toolCallsReply([{ id: 'call_1', name: 'get_weather', arguments: { city: 'Oslo' } }]));
    const first = await client.responses.create({ model: 'acme/llama-3', input: 'Weather in Oslo?', tools: [weather] });
    const call = first.output.find((item) => item.type === 'function_call');
    expect(call).toMatchObject({
      type: 'function_call',
      call_id: 'call_1',
      name: 'get_weather',
      arguments: '{"city":"Oslo"}',
    });

    openai.script(textReply('Sunny in Oslo.'));
    const second = await client.responses.create({
      model: 'acme/llama-3',
      tools: [weather],
      input: [
        { role: 'user', content: 'Weather in Oslo?' },
        ...(first.output as OpenAI.Responses.ResponseInputItem[]),
        { type: 'function_call_output', call_id: 'call_1', output: 'sunny, 21 °C' },
      ],
    });
    expect(second.output_text).toBe('Sunny in Oslo.');
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

  it('streams the Responses events in order with sequence numbers: responses.stream(...).finalResponse()', async () => {
    openai.script(textReply(['Once ', 'upon ', 'a time.'], { usage: { prompt_tokens: 9, completion_tokens: 5 } }));
    const stream = client.responses.stream({ model: 'acme/llama-3', input: 'A story' });
    const events: { type: string; sequence_number: number }[] = [];
    stream.on('event', (event) => events.push(event));
    const final = await stream.finalResponse();
    expect(final.output_text).toBe('Once upon a time.');
    expect(final.usage).toMatchObject({ input_tokens: 9, output_tokens: 5 });
    expect(events.map((e) => e.type)).toEqual([
      'response.created',
      'response.in_progress',
      'response.output_item.added',
      'response.content_part.added',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.delta',
      'response.output_text.done',
      'response.content_part.done',
      'response.output_item.done',
      'response.completed',
    ]);
    expect(events.map((e) => e.sequence_number)).toEqual(events.map((_, i) => i));

    openai.script(toolCallsReply([{ id: 'call_9', name: 'get_weather', arguments: { city: 'Bergen' } }]));
    const tools = await client.responses
      .stream({ model: 'acme/llama-3', input: 'Bergen?', tools: [weather] })
      .finalResponse();
    expect(tools.output).toEqual([
      expect.objectContaining({ type: 'function_call', call_id: 'call_9', arguments: '{"city":"Bergen"}' }),
    ]);
  });

  it('translates to Anthropic as well, streaming and not', async () => {
    anthropic.script(anthropicText('Hi from Claude', { usage: { input_tokens: 10, output_tokens: 3 } }));
    const response = await client.responses.create({ model: 'anthropic/claude-sonnet-4-5', input: 'Hi' });
    expect(response.output_text).toBe('Hi from Claude');
    anthropic.script(toolUseReply([{ id: 'toolu_1', name: 'get_weather', input: { city: 'Rome' } }]));
    const streamed = await client.responses
      .stream({ model: 'anthropic/claude-sonnet-4-5', input: 'Rome?', tools: [weather] })
      .finalResponse();
    expect(streamed.output).toEqual([
      expect.objectContaining({ type: 'function_call', call_id: 'toolu_1', arguments: '{"city":"Rome"}' }),
    ]);
  });

  it('refuses previous_response_id and built-in tools with a 400 naming them; drops store', async () => {
    await expect(
      client.responses.create({ model: 'acme/llama-3', input: 'x', previous_response_id: 'resp_123' }),
    ).rejects.toMatchObject({ status: 400, param: 'previous_response_id' });
    await expect(
      client.responses.create({ model: 'acme/llama-3', input: 'x', tools: [{ type: 'web_search_preview' }] }),
    ).rejects.toMatchObject({ status: 400, param: 'tools[0]' });
    openai.script(textReply('ok'));
    const raw = await client.responses.create({ model: 'acme/llama-3', input: 'x', store: true }).asResponse();
    expect(raw.headers.get('x-gateway-ignored')).toBe('store');
  });

  it('ends a stream that fails after it started with error and response.failed', async () => {
    openai.script(
      streamErrorReply({ message: 'upstream broke', type: 'server_error' }, { textBefore: 'partial answer' }),
    );
    const stream = client.responses.stream({ model: 'acme/llama-3', input: 'x' });
    const types: string[] = [];
    stream.on('event', (event) => types.push(event.type));
    await expect(stream.finalResponse()).rejects.toThrow();
    expect(types).toContain('response.output_text.delta');
    expect(types.at(-1)).toBe('error');

    // The SDK stops at `error`; the stream goes on to `response.failed`, as OpenAI's does.
    openai.script(streamErrorReply({ message: 'upstream broke', type: 'server_error' }, { textBefore: 'partial' }));
    const raw = await fetch(`${gateway.url}/v1/responses`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'acme/llama-3', input: 'x', stream: true }),
    });
    const events = [...(await raw.text()).matchAll(/^event: (.+)$/gm)].map((match) => match[1]);
    expect(events.slice(-2)).toEqual(['error', 'response.failed']);
  });

  it('leaves one priced row per request with endpoint "responses"', async () => {
    openai.script(textReply('metered', { usage: { prompt_tokens: 1000, completion_tokens: 500 } }));
    const { response } = await client.responses.create({ model: 'acme/llama-3', input: 'meter me' }).withResponse();
    const requestId = response.headers.get('x-request-id');
    const rows = await gateway.admin<{ data: Record<string, unknown>[] }>(
      'GET',
      `/admin/projects/${projectId}/requests?limit=50`,
    );
    const row = rows.body.data.find((r) => r.request_id === requestId || r.id === requestId);
    expect(row).toMatchObject({ endpoint: 'responses', status: 200, usage_estimated: false });
    expect(row?.cost_usd).toBeCloseTo((1000 * 1 + 500 * 2) / 1e6, 10);
  });
});

describe('the AI SDK’s default OpenAI provider (Responses API)', () => {
  it('generateText and streamText, with a tool call', async () => {
    const { createOpenAI } = await import('@ai-sdk/openai');
    const { generateText, streamText, tool, jsonSchema } = await import('ai');
    const provider = createOpenAI({ baseURL: `${gateway.url}/v1`, apiKey: key });

    openai.script(textReply('Hello from the AI SDK path', { usage: { prompt_tokens: 7, completion_tokens: 6 } }));
    const generated = await generateText({ model: provider('acme/llama-3'), prompt: 'Hi' });
    expect(generated.text).toBe('Hello from the AI SDK path');
    expect(generated.usage).toMatchObject({ inputTokens: 7, outputTokens: 6 });
    expect(openai.lastRequest?.path).toBe('/v1/chat/completions');

    openai.script(textReply(['Streamed ', 'text.']));
    const streamed = streamText({ model: provider('acme/llama-3'), prompt: 'Hi' });
    expect(await streamed.text).toBe('Streamed text.');

    openai.script(toolCallsReply([{ id: 'call_ai', name: 'get_weather', arguments: { city: 'Lima' } }]));
    const withTool = await generateText({
      model: provider('acme/llama-3'),
      prompt: 'Weather in Lima?',
      tools: {
        get_weather: tool({
          description: 'The weather in a city',
          inputSchema: jsonSchema<{ city: string }>({
            type: 'object',
            properties: { city: { type: 'string' } },
            required: ['city'],
          }),
        }),
      },
    });
    expect(withTool.finishReason).toBe('tool-calls');
    expect(withTool.toolCalls).toEqual([
      expect.objectContaining({ toolCallId: 'call_ai', toolName: 'get_weather', input: { city: 'Lima' } }),
    ]);
  });
});

describe('POST /v1/responses, to OpenAI natively', () => {
  let native: Simulator;

  beforeAll(async () => {
    native = await startOpenAISimulator();
    await gateway.putProvider(projectId, 'openai', { api_key: 'sk-openai-sim-0000', base_url: `${native.url}/v1` });
  });

  afterAll(async () => {
    await native?.close();
  });

  it('sends the body unchanged but for model: previous_response_id, store and built-in tools work', async () => {
    native.script(
      responsesTextReply('From OpenAI itself', { usage: { input_tokens: 30, output_tokens: 4, cached_tokens: 10 } }),
    );
    const body = {
      model: 'openai/gpt-4o-mini',
      input: 'And then?',
      previous_response_id: 'resp_earlier',
      store: true,
      tools: [{ type: 'web_search_preview' as const }],
    };
    const { data: response, response: raw } = await client.responses.create(body).withResponse();
    expect(response.output_text).toBe('From OpenAI itself');
    expect(response.model).toBe('openai/gpt-4o-mini');
    expect(raw.headers.get('x-gateway-ignored')).toBeNull();
    expect(native.lastRequest?.path).toBe('/v1/responses');
    expect(native.lastRequest?.body).toEqual({ ...body, model: 'gpt-4o-mini', stream: false });
  });

  it('forwards OpenAI’s own event stream, a function call included, and meters it', async () => {
    native.script(responsesTextReply(['Native ', 'stream.'], { usage: { input_tokens: 8, output_tokens: 3 } }));
    const final = await client.responses.stream({ model: 'openai/gpt-4o-mini', input: 'Go' }).finalResponse();
    expect(final.output_text).toBe('Native stream.');
    expect(final.usage).toMatchObject({ input_tokens: 8, output_tokens: 3 });

    native.script(
      responsesFunctionCallReply([{ call_id: 'call_n', name: 'get_weather', arguments: { city: 'Nice' } }]),
    );
    const calls = await client.responses
      .stream({ model: 'openai/gpt-4o-mini', input: 'Nice?', tools: [weather] })
      .finalResponse();
    expect(calls.output).toEqual([
      expect.objectContaining({ type: 'function_call', call_id: 'call_n', arguments: '{"city":"Nice"}' }),
    ]);

    const rows = await gateway.admin<{ data: Record<string, unknown>[] }>(
      'GET',
      `/admin/projects/${projectId}/requests?limit=5`,
    );
    expect(rows.body.data[0]).toMatchObject({ endpoint: 'responses', provider: 'openai', usage_estimated: false });
  });
});

describe('POST /v1/responses, to Azure natively', () => {
  let azure: Simulator;

  beforeAll(async () => {
    azure = await startOpenAISimulator();
    await gateway.putProvider(projectId, 'azure', {
      api_key: 'azure-sim-key',
      endpoint: azure.url,
      deployments: { 'prod-4o': 'gpt-4o' },
    });
  });

  afterAll(async () => {
    await azure?.close();
  });

  it('calls the resource’s v1 Responses API with the deployment as model and the api-key header', async () => {
    azure.script(responsesTextReply('From Azure', { usage: { input_tokens: 12, output_tokens: 2 } }));
    const body = { model: 'azure/prod-4o', input: 'Hi', previous_response_id: 'resp_prior', store: true };
    const { data: response, response: raw } = await client.responses.create(body).withResponse();
    expect(response.output_text).toBe('From Azure');
    expect(response.model).toBe('azure/prod-4o');
    expect(raw.headers.get('x-gateway-provider')).toBe('azure');
    const sent = azure.lastRequest;
    expect(sent?.path).toBe('/openai/v1/responses');
    expect(sent?.query.get('api-version')).toBeNull();
    expect(sent?.headers['api-key']).toBe('azure-sim-key');
    expect(sent?.headers.authorization).toBeUndefined();
    expect(sent?.body).toEqual({ ...body, model: 'prod-4o', stream: false });

    azure.script(responsesTextReply(['Streamed ', 'by Azure'], { usage: { input_tokens: 5, output_tokens: 3 } }));
    const final = await client.responses.stream({ model: 'azure/prod-4o', input: 'Go' }).finalResponse();
    expect(final.output_text).toBe('Streamed by Azure');
    const rows = await gateway.admin<{ data: Record<string, unknown>[] }>(
      'GET',
      `/admin/projects/${projectId}/requests?limit=2`,
    );
    expect(rows.body.data[0]).toMatchObject({
      endpoint: 'responses',
      provider: 'azure',
      input_tokens: 5,
      output_tokens: 3,
      usage_estimated: false,
    });
    // Priced as the model the deployment runs.
    expect(rows.body.data[0]?.cost_usd).toBeGreaterThan(0);
  });
});
