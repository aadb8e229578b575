/**
 * Gemini and Vertex AI end to end: the official openai SDK through the local gateway, against the Gemini simulator
 * registered as the project's `gemini` (api key) and `vertex-ai` (access token) credentials: what the client gets,
 * and what Google's API received.
 */
import OpenAI from 'openai';
import { afterAll, afterEach, beforeAll, describe, expect, it, vi } from 'vitest';
import { Simulator } from '../../simulators/base.js';
import {
  type GeminiCall,
  type GeminiSimulator,
  geminiError,
  geminiReply,
  startGeminiSimulator,
} from '../../simulators/gemini.js';
import { setEnv, startTestGateway, type TestGateway, user } from '../helpers/local-gateway.js';

type ApiError = InstanceType<typeof OpenAI.APIError>;
type Chunk = OpenAI.Chat.Completions.ChatCompletionChunk;

const API_KEY = 'AIzaSy-e2e-gemini-key-never-shown';
const TOKEN = 'ya29.e2e-vertex-token-never-shown';
const PNG_BASE64 = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';

let sim: GeminiSimulator;
let images: Simulator;
let gateway: TestGateway;
let client: OpenAI;
let restoreEnv: () => void;

beforeAll(async () => {
  // Retries off: each upstream answer reaches the client as it is.
  restoreEnv = setEnv({ GATEWAY_MAX_RETRIES: '0', GATEWAY_ALLOW_PRIVATE_URLS: undefined });
  sim = await startGeminiSimulator();
  images = await new Simulator((_req, res) => {
    res.writeHead(200, { 'content-type': 'image/png' });
    res.end(Buffer.from(PNG_BASE64, 'base64'));
  }).start();
  gateway = await startTestGateway();
  const { projectId, key } = await gateway.project('gemini-e2e');
  await gateway.putProvider(projectId, 'gemini', { api_key: API_KEY, base_url: sim.url });
  await gateway.putProvider(projectId, 'vertex-ai', {
    project_id: 'acme-prod',
    location: 'us-central1',
    access_token: TOKEN,
    base_url: sim.url,
  });
  client = gateway.client(key);
});

afterAll(async () => {
  await gateway?.close();
  await sim?.close();
  await images?.close();
  restoreEnv?.();
});

afterEach(() => sim.reset());

interface Setup {
  provider: 'gemini' | 'vertex-ai';
  /** The credential's secret, which no answer or log line may hold. */
  secret: string;
  model: string;
  upstreamModel: string;
  path(method: string): string;
  checkAuth(call: GeminiCall | undefined): void;
}

const setups: Setup[] = [
  {
    provider: 'gemini',
    secret: API_KEY,
    model: 'gemini/gemini-2.0-flash',
    upstreamModel: 'gemini-2.0-flash',
    path: (method) => `/v1beta/models/gemini-2.0-flash:${method}`,
    checkAuth: (call) => expect(call).toMatchObject({ apiKey: API_KEY, api: 'gemini' }),
  },
  {
    provider: 'vertex-ai',
    secret: TOKEN,
    model: 'vertex-ai/gemini-2.5-pro',
    upstreamModel: 'gemini-2.5-pro',
    path: (method) =>
      `/v1beta1/projects/acme-prod/locations/us-central1/publishers/google/models/gemini-2.5-pro:${method}`,
    checkAuth: (call) => expect(call).toMatchObject({ bearer: TOKEN, api: 'vertex', project: 'acme-prod' }),
  },
];

function contentsOf(sim: GeminiSimulator): { role: string; parts: Record<string, unknown>[] }[] {
  return (sim.lastBody?.contents ?? []) as { role: string; parts: Record<string, unknown>[] }[];
}

async function collect(stream: AsyncIterable<Chunk>): Promise<Chunk[]> {
  const chunks: Chunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

const tools = [
  {
    type: 'function' as const,
    function: {
      name: 'get_weather',
      description: 'Weather for a city',
      parameters: {
        type: 'object',
        properties: { city: { type: 'string' } },
        required: ['city'],
        additionalProperties: false,
      },
    },
  },
];

describe.each(setups)('$provider through the gateway', (setup) => {
  it('answers a system + multi-turn conversation, with the gateway headers', async () => {
    sim.script(geminiReply({ text: 'Ça va bien.', usage: { promptTokenCount: 30, candidatesTokenCount: 4 } }));
    const { data, response } = await client.chat.completions
      .create({
        model: setup.model,
        messages: [
          { role: 'system', content: 'Answer in French.' },
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'Salut.' },
          { role: 'user', content: 'How are you?' },
        ],
        temperature: 0.4,
        max_tokens: 50,
        user: 'end-user-1',
      })
      .withResponse();
    expect(data.object).toBe('chat.completion');
    expect(data.model).toBe(setup.model);
    expect(data.choices[0]?.message).toMatchObject({ role: 'assistant', content: 'Ça va bien.' });
    expect(data.choices[0]?.finish_reason).toBe('stop');
    expect(data.usage).toMatchObject({ prompt_tokens: 30, completion_tokens: 4, total_tokens: 34 });
    expect(response.headers.get('x-gateway-provider')).toBe(setup.provider);
    expect(response.headers.get('x-gateway-ignored')).toBe('user');
    expect(sim.lastRequest?.path).toBe(setup.path('generateContent'));
    setup.checkAuth(sim.lastCall);
    expect(sim.lastBody).toEqual({
      contents: [
        { role: 'user', parts: [{ text: 'Hi' }] },
        { role: 'model', parts: [{ text: 'Salut.' }] },
        { role: 'user', parts: [{ text: 'How are you?' }] },
      ],
      systemInstruction: { parts: [{ text: 'Answer in French.' }] },
      generationConfig: { temperature: 0.4, maxOutputTokens: 50 },
    });
  });

  it('round-trips tool calls and their results', async () => {
    sim.script(
      geminiReply({
        functionCalls: [
          { name: 'get_weather', args: { city: 'Paris' } },
          { name: 'get_weather', args: { city: 'Tokyo' } },
        ],
      }),
    );
    const first = await client.chat.completions.create({
      model: setup.model,
      messages: user('Weather in Paris and Tokyo?'),
      tools,
      tool_choice: { type: 'function', function: { name: 'get_weather' } },
    });
    expect(first.choices[0]?.finish_reason).toBe('tool_calls');
    const calls = first.choices[0]?.message.tool_calls ?? [];
    expect(
      calls.map((call) => call.type === 'function' && [call.id, call.function.name, call.function.arguments]),
    ).toEqual([
      ['call_0', 'get_weather', '{"city":"Paris"}'],
      ['call_1', 'get_weather', '{"city":"Tokyo"}'],
    ]);
    expect(sim.lastBody?.toolConfig).toEqual({
      functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['get_weather'] },
    });
    expect(sim.lastBody?.tools).toEqual([
      {
        functionDeclarations: [
          {
            name: 'get_weather',
            description: 'Weather for a city',
            parameters: { type: 'OBJECT', properties: { city: { type: 'STRING' } }, required: ['city'] },
          },
        ],
      },
    ]);

    sim.script(geminiReply({ text: 'Paris is sunny, Tokyo is rainy.' }));
    const second = await client.chat.completions.create({
      model: setup.model,
      tools,
      messages: [
        { role: 'user', content: 'Weather in Paris and Tokyo?' },
        first.choices[0]!.message,
        { role: 'tool', tool_call_id: 'call_0', content: '{"sky":"sunny"}' },
        { role: 'tool', tool_call_id: 'call_1', content: 'rainy' },
      ],
    });
    expect(second.choices[0]?.message.content).toBe('Paris is sunny, Tokyo is rainy.');
    expect(contentsOf(sim).slice(1)).toEqual([
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
          { functionResponse: { name: 'get_weather', response: { sky: 'sunny' } } },
          { functionResponse: { name: 'get_weather', response: { output: 'rainy' } } },
        ],
      },
    ]);
  });

  it('sends a data: image inline', async () => {
    await client.chat.completions.create({
      model: setup.model,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is this?' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG_BASE64}` } },
          ],
        },
      ],
    });
    expect(contentsOf(sim)[0]?.parts).toEqual([
      { text: 'What is this?' },
      { inlineData: { mimeType: 'image/png', data: PNG_BASE64 } },
    ]);
  });

  it('fetches an image URL into inline data when private URLs are allowed', async () => {
    const restore = setEnv({ GATEWAY_ALLOW_PRIVATE_URLS: 'true' });
    try {
      await client.chat.completions.create({
        model: setup.model,
        messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url: `${images.url}/cat.png` } }] }],
      });
    } finally {
      restore();
    }
    expect(images.lastRequest?.path).toBe('/cat.png');
    expect(contentsOf(sim)[0]?.parts).toEqual([{ inlineData: { mimeType: 'image/png', data: PNG_BASE64 } }]);
  });

  it('refuses an image URL on a private address with a 400 naming the part, before calling Google', async () => {
    const before = images.requests.length;
    const url = `${images.url.replace('http:', 'https:')}/cat.png`;
    const error = (await client.chat.completions
      .create({
        model: setup.model,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'see' },
              { type: 'image_url', image_url: { url } },
            ],
          },
        ],
      })
      .catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error.status).toBe(400);
    expect(error.param).toBe('messages[0].content[1].image_url.url');
    expect(error.message).toMatch(/private/);
    expect(images.requests.length).toBe(before);
    expect(sim.requests).toHaveLength(0);
  });

  it('asks for JSON output for json_object and a converted schema for json_schema', async () => {
    sim.script(geminiReply({ text: '{"ok":true}' }), geminiReply({ text: '{"answer":"yes"}' }));
    const object = await client.chat.completions.create({
      model: setup.model,
      messages: user('json please'),
      response_format: { type: 'json_object' },
    });
    expect(JSON.parse(object.choices[0]?.message.content ?? '')).toEqual({ ok: true });
    expect(sim.lastBody?.generationConfig).toEqual({ responseMimeType: 'application/json' });
    const schema = await client.chat.completions.create({
      model: setup.model,
      messages: user('yes or no?'),
      response_format: {
        type: 'json_schema',
        json_schema: {
          name: 'answer',
          strict: true,
          schema: {
            type: 'object',
            properties: { answer: { type: 'string', enum: ['yes', 'no'] } },
            required: ['answer'],
            additionalProperties: false,
          },
        },
      },
    });
    expect(JSON.parse(schema.choices[0]?.message.content ?? '')).toEqual({ answer: 'yes' });
    expect(sim.lastBody?.generationConfig).toEqual({
      responseMimeType: 'application/json',
      responseSchema: {
        type: 'OBJECT',
        properties: { answer: { type: 'STRING', enum: ['yes', 'no'] } },
        required: ['answer'],
      },
    });
  });

  it('streams text and, with include_usage, a last usage chunk with cached tokens', async () => {
    sim.script(
      geminiReply({
        text: 'The sky is blue because of Rayleigh scattering.',
        usage: { promptTokenCount: 1500, candidatesTokenCount: 9, cachedContentTokenCount: 1024 },
      }),
    );
    const stream = await client.chat.completions.create({
      model: setup.model,
      messages: user('Why is the sky blue?'),
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = await collect(stream);
    expect(sim.lastRequest?.path).toBe(setup.path('streamGenerateContent'));
    setup.checkAuth(sim.lastCall);
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('')).toBe(
      'The sky is blue because of Rayleigh scattering.',
    );
    expect(chunks.filter((chunk) => chunk.choices[0]?.finish_reason).map((c) => c.choices[0]?.finish_reason)).toEqual([
      'stop',
    ]);
    expect(chunks.every((chunk) => chunk.model === setup.model)).toBe(true);
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toMatchObject({ prompt_tokens: 1500, completion_tokens: 9, total_tokens: 1509 });
    expect(last.usage?.prompt_tokens_details?.cached_tokens).toBe(1024);
  });

  it('streams tool calls as deltas with index, id and name', async () => {
    sim.script(
      geminiReply({
        functionCalls: [
          { name: 'get_weather', args: { city: 'Oslo' } },
          { name: 'get_weather', args: { city: 'Lima' } },
        ],
      }),
    );
    const stream = await client.chat.completions.create({
      model: setup.model,
      messages: user('Weather in Oslo and Lima?'),
      tools,
      stream: true,
    });
    const calls = new Map<number, { id?: string; name?: string; args: string }>();
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) {
        const call = calls.get(delta.index) ?? { args: '' };
        if (delta.id) {
          call.id = delta.id;
          call.name = delta.function?.name;
        }
        call.args += delta.function?.arguments ?? '';
        calls.set(delta.index, call);
      }
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(finish).toBe('tool_calls');
    expect([...calls.entries()]).toEqual([
      [0, { id: 'call_0', name: 'get_weather', args: '{"city":"Oslo"}' }],
      [1, { id: 'call_1', name: 'get_weather', args: '{"city":"Lima"}' }],
    ]);
  });

  it.each([
    ['STOP', 'stop'],
    ['MAX_TOKENS', 'length'],
    ['SAFETY', 'content_filter'],
    ['RECITATION', 'content_filter'],
    ['PROHIBITED_CONTENT', 'content_filter'],
    ['OTHER', 'stop'],
  ])('maps finish reason %s to %s, streaming and not', async (finishReason, expected) => {
    sim.script(geminiReply({ text: 'cut short', finishReason }), geminiReply({ text: 'cut short', finishReason }));
    const data = await client.chat.completions.create({ model: setup.model, messages: user('go') });
    expect(data.choices[0]?.finish_reason).toBe(expected);
    const chunks = await collect(
      await client.chat.completions.create({ model: setup.model, messages: user('go'), stream: true }),
    );
    expect(chunks.map((chunk) => chunk.choices[0]?.finish_reason).filter(Boolean)).toEqual([expected]);
  });

  it('answers a blocked prompt with content_filter, not an error', async () => {
    sim.script(geminiReply({ blockReason: 'PROHIBITED_CONTENT' }), geminiReply({ blockReason: 'SAFETY' }));
    const data = await client.chat.completions.create({ model: setup.model, messages: user('something bad') });
    expect(data.choices[0]?.finish_reason).toBe('content_filter');
    expect(data.choices[0]?.message.content).toBeNull();
    const chunks = await collect(
      await client.chat.completions.create({ model: setup.model, messages: user('something bad'), stream: true }),
    );
    expect(chunks.map((chunk) => chunk.choices[0]?.finish_reason).filter(Boolean)).toEqual(['content_filter']);
  });

  it('passes an upstream 429 on with retry-after', async () => {
    sim.script(geminiError(429, 'RESOURCE_EXHAUSTED', 'Quota exceeded for this model.', { retryDelay: '4s' }));
    const error = (await client.chat.completions
      .create({ model: setup.model, messages: user('x') })
      .catch((e: unknown) => e)) as ApiError;
    expect(error.status).toBe(429);
    expect(error.headers?.get('retry-after')).toBe('4');
    expect(error.headers?.get('x-gateway-provider')).toBe(setup.provider);
    expect(sim.requests).toHaveLength(1);
  });

  it('passes an upstream 503 on as 503, streaming', async () => {
    sim.script(geminiError(503, 'UNAVAILABLE', 'The model is overloaded. Please try again later.'));
    const error = (await client.chat.completions
      .create({ model: setup.model, messages: user('x'), stream: true })
      .then(collect)
      .catch((e: unknown) => e)) as ApiError;
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error.status).toBe(503);
  });

  it('turns a rejected credential into 502 provider_auth_failed, echoing it neither to the client nor to the logs', async () => {
    const logged: string[] = [];
    const spy = vi.spyOn(process.stderr, 'write').mockImplementation(((chunk: string | Uint8Array) => {
      logged.push(String(chunk));
      return true;
    }) as typeof process.stderr.write);
    sim.script(geminiError(403, 'PERMISSION_DENIED', `Permission denied for credential ${setup.secret}.`));
    const error = (await client.chat.completions
      .create({ model: setup.model, messages: user('x') })
      .catch((e: unknown) => e)
      .finally(() => spy.mockRestore())) as ApiError;
    expect(error.status).toBe(502);
    expect(error.code).toBe('provider_auth_failed');
    expect(JSON.stringify(error.error)).not.toContain(setup.secret);
    expect(logged.join('')).toContain('provider_auth_failed');
    expect(logged.join('')).not.toContain(setup.secret);
  });
});

describe('routing', () => {
  it('sends a bare gemini-* name to the gemini provider', async () => {
    sim.script(geminiReply({ text: 'bare name' }));
    const { data, response } = await client.chat.completions
      .create({ model: 'gemini-2.5-flash', messages: user('hi') })
      .withResponse();
    expect(data.model).toBe('gemini-2.5-flash');
    expect(data.choices[0]?.message.content).toBe('bare name');
    expect(response.headers.get('x-gateway-provider')).toBe('gemini');
    expect(sim.lastRequest?.path).toBe('/v1beta/models/gemini-2.5-flash:generateContent');
  });
});
