/**
 * Each factory's ChatModel against the Gemini simulator, through the real @google/genai SDK: what the simulator
 * received (path, auth, wire body) and what came back.
 */
import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { GatewayError } from '../../../lib/core/errors.js';
import type { ChatChunk, ChatModel, ChatRequest } from '../../../lib/core/types.js';
import { geminiFactory, vertexFactory } from '../../../lib/providers/gemini/index.js';
import { Gate, sendJson } from '../../../simulators/base.js';
import {
  type GeminiCall,
  type GeminiSimulator,
  geminiError,
  geminiReply,
  geminiStreamEvents,
  startGeminiSimulator,
} from '../../../simulators/gemini.js';
import { fixture, testContext } from './helpers.js';

const API_KEY = 'AIzaSy-test-key-0001';
const TOKEN = 'ya29.test-access-token';
const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

interface Setup {
  provider: 'gemini' | 'vertex-ai';
  model: string;
  create(baseUrl: string): Promise<ChatModel>;
  path(method: string): string;
  checkAuth(call: GeminiCall | undefined): void;
}

const setups: Setup[] = [
  {
    provider: 'gemini',
    model: 'gemini-2.0-flash',
    create: async (baseUrl) =>
      geminiFactory.create({ api_key: API_KEY, base_url: baseUrl }, { providerName: 'gemini' }),
    path: (method) => `/v1beta/models/gemini-2.0-flash:${method}`,
    checkAuth: (call) => {
      expect(call?.apiKey).toBe(API_KEY);
      expect(call?.bearer).toBeUndefined();
    },
  },
  {
    provider: 'vertex-ai',
    model: 'gemini-2.5-pro',
    create: async (baseUrl) =>
      vertexFactory.create(
        { project_id: 'acme-prod', location: 'us-central1', access_token: TOKEN, base_url: baseUrl },
        { providerName: 'vertex-ai' },
      ),
    path: (method) =>
      `/v1beta1/projects/acme-prod/locations/us-central1/publishers/google/models/gemini-2.5-pro:${method}`,
    checkAuth: (call) => {
      expect(call?.bearer).toBe(TOKEN);
      expect(call?.apiKey).toBeUndefined();
    },
  },
];

/** The `contents` the simulator last received. */
function sentContents(sim: GeminiSimulator): { role: string; parts: unknown[] }[] {
  return (sim.lastBody?.contents ?? []) as { role: string; parts: unknown[] }[];
}

async function collect(stream: AsyncIterable<ChatChunk>): Promise<ChatChunk[]> {
  const chunks: ChatChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

function textOf(chunks: ChatChunk[]): string {
  return chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');
}

describe.each(setups)('$provider ChatModel', (setup) => {
  let sim: GeminiSimulator;
  let model: ChatModel;
  const request = (overrides: Partial<ChatRequest> = {}): ChatRequest => ({
    model: setup.model,
    messages: [{ role: 'user', content: 'Hello there' }],
    ...overrides,
  });

  beforeAll(async () => {
    sim = await startGeminiSimulator();
    model = await setup.create(sim.url);
  });
  afterAll(() => sim.close());
  afterEach(() => sim.reset());

  it('completes a system + multi-turn conversation', async () => {
    sim.script(geminiReply({ text: 'Bonjour !', usage: { promptTokenCount: 21, candidatesTokenCount: 3 } }));
    const result = await model.complete(
      request({
        messages: [
          { role: 'system', content: 'Answer in French.' },
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'Salut.' },
          { role: 'user', content: 'How are you?' },
        ],
        temperature: 0.3,
        max_tokens: 64,
      }),
      testContext(),
    );
    expect(result.choices).toEqual([
      { index: 0, message: { role: 'assistant', content: 'Bonjour !' }, finish_reason: 'stop' },
    ]);
    expect(result.usage).toEqual({ inputTokens: 21, outputTokens: 3, cacheReadTokens: 0, cacheWriteTokens: 0 });
    expect(sim.lastRequest?.path).toBe(setup.path('generateContent'));
    setup.checkAuth(sim.lastCall);
    expect(sim.lastBody).toEqual({
      contents: [
        { role: 'user', parts: [{ text: 'Hi' }] },
        { role: 'model', parts: [{ text: 'Salut.' }] },
        { role: 'user', parts: [{ text: 'How are you?' }] },
      ],
      systemInstruction: { parts: [{ text: 'Answer in French.' }] },
      generationConfig: { temperature: 0.3, maxOutputTokens: 64 },
    });
  });

  it('streams text, then usage with cached tokens', async () => {
    sim.script(
      geminiReply({
        text: 'one two three four five six',
        usage: { promptTokenCount: 2048, candidatesTokenCount: 6, cachedContentTokenCount: 1024 },
      }),
    );
    const chunks = await collect(model.stream(request(), testContext()));
    expect(sim.lastRequest?.path).toBe(setup.path('streamGenerateContent'));
    expect(sim.lastRequest?.query.get('alt')).toBe('sse');
    setup.checkAuth(sim.lastCall);
    expect(textOf(chunks)).toBe('one two three four five six');
    expect(chunks[0]?.choices[0]?.delta.role).toBe('assistant');
    expect(chunks.filter((chunk) => chunk.choices[0]?.finish_reason).map((c) => c.choices[0]?.finish_reason)).toEqual([
      'stop',
    ]);
    expect(chunks.at(-1)).toEqual({
      id: 'sim-response-1',
      choices: [],
      usage: { inputTokens: 2048, outputTokens: 6, cacheReadTokens: 1024, cacheWriteTokens: 0 },
    });
  });

  it('round-trips tool calls and their results', async () => {
    const tools: ChatRequest['tools'] = [
      {
        type: 'function',
        function: {
          name: 'get_weather',
          parameters: {
            type: 'object',
            properties: { city: { type: 'string' } },
            required: ['city'],
            additionalProperties: false,
          },
        },
      },
    ];
    sim.script(
      geminiReply({
        functionCalls: [
          { name: 'get_weather', args: { city: 'Paris' } },
          { name: 'get_weather', args: { city: 'Tokyo' } },
        ],
      }),
    );
    const first = await model.complete(request({ tools, tool_choice: 'required' }), testContext());
    const calls = first.choices[0]?.message.tool_calls ?? [];
    expect(first.choices[0]?.finish_reason).toBe('tool_calls');
    expect(calls.map((call) => [call.id, call.function.name, call.function.arguments])).toEqual([
      ['call_0', 'get_weather', '{"city":"Paris"}'],
      ['call_1', 'get_weather', '{"city":"Tokyo"}'],
    ]);
    expect(sim.lastBody?.tools).toEqual([
      {
        functionDeclarations: [
          {
            name: 'get_weather',
            parameters: { type: 'OBJECT', properties: { city: { type: 'STRING' } }, required: ['city'] },
          },
        ],
      },
    ]);
    expect(sim.lastBody?.toolConfig).toEqual({ functionCallingConfig: { mode: 'ANY' } });

    sim.script(geminiReply({ text: 'Paris 21°C, Tokyo 18°C.' }));
    const second = await model.complete(
      request({
        tools,
        messages: [
          { role: 'user', content: 'Weather in Paris and Tokyo?' },
          { role: 'assistant', content: null, tool_calls: calls },
          { role: 'tool', tool_call_id: 'call_0', content: '{"temp":21}' },
          { role: 'tool', tool_call_id: 'call_1', content: '18 degrees' },
        ],
      }),
      testContext(),
    );
    expect(second.choices[0]?.message.content).toBe('Paris 21°C, Tokyo 18°C.');
    expect(sentContents(sim).slice(1)).toEqual([
      {
        role: 'model',
        parts: [
          { functionCall: { name: 'get_weather', args: { city: 'Paris' } } },
          { functionCall: { name: 'get_weather', args: { city: 'Tokyo' } } },
        ],
      },
      {
        role: 'user',
        parts: [
          { functionResponse: { name: 'get_weather', response: { temp: 21 } } },
          { functionResponse: { name: 'get_weather', response: { output: '18 degrees' } } },
        ],
      },
    ]);
  });

  it('streams tool calls as complete deltas with indices', async () => {
    sim.script(
      geminiReply({
        text: 'Checking.',
        functionCalls: [
          { name: 'a', args: { x: 1 } },
          { name: 'b', args: {} },
        ],
      }),
    );
    const chunks = await collect(
      model.stream(
        request({
          tools: [
            { type: 'function', function: { name: 'a' } },
            { type: 'function', function: { name: 'b' } },
          ],
        }),
        testContext(),
      ),
    );
    const deltas = chunks.flatMap((chunk) => chunk.choices[0]?.delta.tool_calls ?? []);
    expect(deltas).toEqual([
      { index: 0, id: 'call_0', type: 'function', function: { name: 'a', arguments: '{"x":1}' } },
      { index: 1, id: 'call_1', type: 'function', function: { name: 'b', arguments: '{}' } },
    ]);
    expect(chunks.map((chunk) => chunk.choices[0]?.finish_reason).filter(Boolean)).toEqual(['tool_calls']);
  });

  it('sends json_object and json_schema as JSON output settings', async () => {
    sim.script(geminiReply({ text: '{"a":1}' }), geminiReply({ text: '{"answer":"yes"}' }));
    await model.complete(request({ response_format: { type: 'json_object' } }), testContext());
    expect(sim.lastBody?.generationConfig).toEqual({ responseMimeType: 'application/json' });
    const result = await model.complete(
      request({
        response_format: {
          type: 'json_schema',
          json_schema: {
            name: 'a',
            schema: { type: 'object', properties: { answer: { type: 'string', enum: ['yes', 'no'] } } },
          },
        },
      }),
      testContext(),
    );
    expect(result.choices[0]?.message.content).toBe('{"answer":"yes"}');
    expect(sim.lastBody?.generationConfig).toEqual({
      responseMimeType: 'application/json',
      responseSchema: { type: 'OBJECT', properties: { answer: { type: 'STRING', enum: ['yes', 'no'] } } },
    });
  });

  it('sends a data: image inline', async () => {
    await model.complete(
      request({
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is this?' },
              { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_BASE64}` } },
            ],
          },
        ],
      }),
      testContext(),
    );
    expect(sentContents(sim)[0]?.parts).toEqual([
      { text: 'What is this?' },
      { inlineData: { mimeType: 'image/png', data: PNG_BASE64 } },
    ]);
  });

  it.each([
    ['MAX_TOKENS', 'length'],
    ['SAFETY', 'content_filter'],
    ['RECITATION', 'content_filter'],
    ['OTHER', 'stop'],
  ])('maps finish reason %s to %s, in complete and stream', async (finishReason, expected) => {
    sim.script(geminiReply({ text: 'cut', finishReason }), geminiReply({ text: 'cut', finishReason }));
    const result = await model.complete(request(), testContext());
    expect(result.choices[0]?.finish_reason).toBe(expected);
    const chunks = await collect(model.stream(request(), testContext()));
    expect(chunks.map((chunk) => chunk.choices[0]?.finish_reason).filter(Boolean)).toEqual([expected]);
  });

  it('answers a blocked prompt with content_filter, in complete and stream', async () => {
    sim.script(geminiReply({ blockReason: 'SAFETY' }), geminiReply({ blockReason: 'SAFETY' }));
    const result = await model.complete(request(), testContext());
    expect(result.choices[0]).toMatchObject({ finish_reason: 'content_filter', message: { content: null } });
    const chunks = await collect(model.stream(request(), testContext()));
    expect(chunks[0]?.choices[0]?.finish_reason).toBe('content_filter');
  });

  it('maps an upstream 429 with its retry delay, without retrying inside the SDK', async () => {
    sim.script(geminiError(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded', { retryDelay: '3s' }));
    const error = await model.complete(request(), testContext()).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 429, retryAfterMs: 3000, retryable: true });
    expect(sim.requests).toHaveLength(1);
  });

  it('maps an upstream 503 from a stream request, without retrying inside the SDK', async () => {
    sim.script(geminiError(503, 'UNAVAILABLE', 'The model is overloaded.'));
    const error = await collect(model.stream(request(), testContext())).catch((e: unknown) => e);
    expect(error).toMatchObject({ status: 503, retryable: true });
    expect(sim.requests).toHaveLength(1);
  });

  it('maps an upstream 400 to a 400 with the message', async () => {
    sim.script((_req, res) => sendJson(res, 400, fixture('error-400-invalid-argument.json')));
    await expect(model.complete(request(), testContext())).rejects.toMatchObject({
      status: 400,
      message: expect.stringContaining('max_output_tokens must be positive'),
    });
  });

  it('maps a rejected credential to 502 provider_auth_failed without echoing it', async () => {
    sim.script(geminiError(403, 'PERMISSION_DENIED', `Permission denied for ${API_KEY} / ${TOKEN}`));
    const error = (await model.complete(request(), testContext()).catch((e: unknown) => e)) as GatewayError;
    expect(error).toMatchObject({ status: 502, code: 'provider_auth_failed' });
    expect(error.message).not.toContain(API_KEY);
    expect(error.message).not.toContain(TOKEN);
  });

  it('fails with a 502 when the stream drops mid-way, after the chunks it did get', async () => {
    // The drop waits for the first chunk to arrive, so it cannot overtake it on the wire.
    const gate = new Gate();
    sim.script(geminiReply({ text: 'a b c d e f' }, { dropAfter: 1, gate }));
    const got: ChatChunk[] = [];
    const error = await (async () => {
      for await (const chunk of model.stream(request(), testContext())) {
        got.push(chunk);
        gate.open();
      }
    })().catch((e: unknown) => e);
    expect(textOf(got)).toBe('a b ');
    expect(error).toMatchObject({ status: 502, type: 'upstream_error' });
  });

  it('maps an error event inside a 200 stream', async () => {
    sim.script(
      geminiStreamEvents([
        { candidates: [{ content: { parts: [{ text: 'partial' }], role: 'model' }, index: 0 }] },
        { error: { code: 503, message: 'The model is overloaded.', status: 'UNAVAILABLE' } },
      ]),
    );
    const got: ChatChunk[] = [];
    const error = await (async () => {
      for await (const chunk of model.stream(request(), testContext())) got.push(chunk);
    })().catch((e: unknown) => e);
    expect(textOf(got)).toBe('partial');
    expect(error).toMatchObject({ status: 503 });
  });

  it('steps a gated stream chunk by chunk', async () => {
    const gate = new Gate();
    sim.script(geminiReply({ text: 'one two three' }, { gate }));
    const iterator = model.stream(request(), testContext())[Symbol.asyncIterator]();
    const first = await iterator.next();
    expect(first.value?.choices[0]?.delta.content).toBe('one ');
    gate.open();
    const second = await iterator.next();
    expect(second.value?.choices[0]?.delta.content).toBe('two ');
    gate.open();
    const rest: ChatChunk[] = [];
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) rest.push(next.value);
    expect(textOf(rest)).toBe('three');
  });

  it('aborts the upstream call with the gateway signal', async () => {
    sim.script(() => new Promise<void>(() => {})); // never answers
    const controller = new AbortController();
    const pending = model.complete(request(), testContext({ signal: controller.signal }));
    while (sim.requests.length === 0) await new Promise((resolve) => setTimeout(resolve, 5));
    const reason = new Error('client went away');
    controller.abort(reason);
    await expect(pending).rejects.toThrow();
    await expect.poll(() => sim.requests[0]?.aborted).toBe(true);
  });

  it('reports the hints it dropped', async () => {
    const ctx = testContext();
    await model.complete(request({ user: 'u1', parallel_tool_calls: true }), ctx);
    expect(ctx.ignored.sort()).toEqual(['parallel_tool_calls', 'user']);
    expect(sim.lastBody?.generationConfig).toEqual({});
  });
});
