/**
 * Bedrock end to end: the official openai SDK through the local gateway, against the Bedrock simulator registered as
 * the project's `bedrock` credential (the SDK's own HTTP/2 client, SigV4 or Bearer): what the client gets, and what
 * Bedrock received.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, describe, expect, it, vi } from 'vitest';
import { setEnv, startTestGateway, type TestGateway } from '../helpers/local-gateway.js';
import { fixture, frames } from '../providers/bedrock/helpers.js';
import {
  BedrockSimulator,
  bedrockError,
  converse,
  converseText,
  eventStream,
  parseAuthorization,
  routeOf,
  textFrames,
} from '../simulators/bedrock.js';

const AKID = 'AKIDE2ESIMULATOR0001';
const SECRET = 'e2e/secret/access/key/never-shown-00000';
const API_KEY = 'ABSKe2e-bedrock-api-key-never-shown';
const MODEL = 'bedrock/anthropic.claude-3-haiku-20240307-v1:0';
const CLAUDE = 'anthropic.claude-3-haiku-20240307-v1:0';

type ApiError = InstanceType<typeof OpenAI.APIError>;
type Chunk = OpenAI.Chat.Completions.ChatCompletionChunk;

const sim = new BedrockSimulator();
let gateway: TestGateway;
let client: OpenAI;
let projectId: string;
let restoreEnv: () => void;
const logged: string[] = [];

beforeAll(async () => {
  // Every line the gateway logs is kept, to check no key ever reaches the logs.
  for (const stream of [process.stdout, process.stderr]) {
    vi.spyOn(stream, 'write').mockImplementation(((chunk: string | Uint8Array) => {
      logged.push(String(chunk));
      return true;
    }) as typeof stream.write);
  }
  restoreEnv = setEnv({ GATEWAY_MAX_RETRIES: '0', GATEWAY_LOG_LEVEL: 'debug' });
  await sim.start();
  gateway = await startTestGateway();
  let key: string;
  ({ projectId, key } = await gateway.project('bedrock-e2e'));
  await gateway.putProvider(projectId, 'bedrock', {
    region: 'us-east-1',
    access_key_id: AKID,
    secret_access_key: SECRET,
    endpoint: sim.url,
  });
  client = gateway.client(key);
});

afterAll(async () => {
  await gateway?.close();
  await sim.close();
  restoreEnv?.();
  vi.restoreAllMocks();
});

beforeEach(() => {
  sim.reset();
  sim.expectAuth = 'any';
  sim.setDefault(converseText('Hello from Bedrock.'));
});

const user = (content: string) => [{ role: 'user' as const, content }];
const failure = (promise: Promise<unknown>) =>
  promise.then(
    () => {
      throw new Error('expected the call to fail');
    },
    (error: unknown) => error as ApiError,
  );

async function collect(stream: AsyncIterable<Chunk>): Promise<Chunk[]> {
  const chunks: Chunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

const streamedText = (chunks: Chunk[]) => chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');

const topSong = {
  type: 'function' as const,
  function: {
    name: 'top_song',
    description: 'Get the most popular song played on a radio station.',
    parameters: { type: 'object', properties: { sign: { type: 'string' } }, required: ['sign'] },
  },
};

describe('non-streaming', () => {
  it('answers a system prompt and a multi-turn conversation, signed with the project’s keys', async () => {
    const { data, response } = await client.chat.completions
      .create({
        model: MODEL,
        messages: [
          { role: 'system', content: 'You are terse.' },
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'Hello.' },
          { role: 'user', content: 'Name a colour.' },
        ],
        max_tokens: 64,
        temperature: 0.3,
        seed: 7,
        user: 'u-1',
      })
      .withResponse();
    expect(data).toMatchObject({
      object: 'chat.completion',
      model: MODEL,
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello from Bedrock.' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 },
    });
    expect(response.headers.get('x-gateway-provider')).toBe('bedrock');
    expect(response.headers.get('x-gateway-ignored')?.split(',').sort()).toEqual(['seed', 'user']);
    expect(response.headers.get('x-gateway-cost-usd')).toMatch(/^\d+(\.\d+)?$/);
    const received = sim.lastRequest!;
    expect(routeOf(received)).toEqual({ modelId: CLAUDE, operation: 'converse' });
    expect(parseAuthorization(received.headers.authorization)).toMatchObject({ scheme: 'sigv4', accessKeyId: AKID });
    expect(received.body).toEqual({
      system: [{ text: 'You are terse.' }],
      messages: [
        { role: 'user', content: [{ text: 'Hi' }] },
        { role: 'assistant', content: [{ text: 'Hello.' }] },
        { role: 'user', content: [{ text: 'Name a colour.' }] },
      ],
      inferenceConfig: { maxTokens: 64, temperature: 0.3 },
    });
  });

  it('round-trips tool calls and their results', async () => {
    sim.script(converse(fixture('converse-response-tool-use.json')));
    const first = await client.chat.completions.create({
      model: MODEL,
      messages: user('Top songs?'),
      tools: [topSong],
    });
    const message = first.choices[0]!.message;
    expect(first.choices[0]?.finish_reason).toBe('tool_calls');
    expect(message.tool_calls?.map((call) => call.type === 'function' && call.function)).toEqual([
      { name: 'top_song', arguments: '{"sign":"WZPZ"}' },
      { name: 'top_song', arguments: '{"sign":"WKRP"}' },
    ]);

    sim.script(converseText('WZPZ plays Elemental Hotel; WKRP plays Sky Pilot.'));
    const second = await client.chat.completions.create({
      model: MODEL,
      tools: [topSong],
      messages: [
        ...user('Top songs?'),
        message,
        { role: 'tool', tool_call_id: message.tool_calls![0]!.id, content: 'Elemental Hotel' },
        { role: 'tool', tool_call_id: message.tool_calls![1]!.id, content: 'Sky Pilot' },
      ],
    });
    expect(second.choices[0]?.message.content).toContain('Elemental Hotel');
    expect(sim.lastRequest?.body).toMatchObject({
      messages: [
        { role: 'user', content: [{ text: 'Top songs?' }] },
        {
          role: 'assistant',
          content: [
            { text: "I'll look up the most popular song on both stations." },
            { toolUse: { toolUseId: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', name: 'top_song', input: { sign: 'WZPZ' } } },
            { toolUse: { toolUseId: 'tooluse_rW2Dp9eVQ0yQy1Yhq4wT8A', name: 'top_song', input: { sign: 'WKRP' } } },
          ],
        },
        {
          role: 'user',
          content: [
            { toolResult: { toolUseId: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', content: [{ text: 'Elemental Hotel' }] } },
            { toolResult: { toolUseId: 'tooluse_rW2Dp9eVQ0yQy1Yhq4wT8A', content: [{ text: 'Sky Pilot' }] } },
          ],
        },
      ],
      toolConfig: { tools: [{ toolSpec: { name: 'top_song' } }] },
    });
  });

  it('sends images as bytes with their format', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    await client.chat.completions.create({
      model: MODEL,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in this image?' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${png.toString('base64')}` } },
          ],
        },
      ],
    });
    expect(sim.lastRequest?.body).toMatchObject({
      messages: [
        {
          content: [
            { text: 'What is in this image?' },
            { image: { format: 'png', source: { bytes: png.toString('base64') } } },
          ],
        },
      ],
    });
  });

  it('answers json_schema through a forced tool, as JSON content with finish reason stop', async () => {
    sim.script(
      converse({
        output: {
          message: {
            role: 'assistant',
            content: [{ toolUse: { toolUseId: 'tooluse_json', name: 'json_response', input: { colour: 'teal' } } }],
          },
        },
        stopReason: 'tool_use',
        usage: { inputTokens: 50, outputTokens: 12, totalTokens: 62 },
      }),
    );
    const data = await client.chat.completions.create({
      model: MODEL,
      messages: user('Pick a colour.'),
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'colour', schema: { type: 'object', properties: { colour: { type: 'string' } } } },
      },
    });
    expect(JSON.parse(data.choices[0]?.message.content ?? '')).toEqual({ colour: 'teal' });
    expect(data.choices[0]?.finish_reason).toBe('stop');
    expect(sim.lastRequest?.body).toMatchObject({ toolConfig: { toolChoice: { tool: { name: 'json_response' } } } });
  });

  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['tool_use', 'tool_calls'],
    ['guardrail_intervened', 'content_filter'],
    ['content_filtered', 'content_filter'],
  ])('maps stop reason %s to finish_reason %s', async (stopReason, finishReason) => {
    sim.script(converseText('x', { stopReason }));
    const data = await client.chat.completions.create({ model: MODEL, messages: user('hi') });
    expect(data.choices[0]?.finish_reason).toBe(finishReason);
  });

  it('answers 400 naming the field for what the model family cannot take, without calling Bedrock', async () => {
    const error = await failure(
      client.chat.completions.create({
        model: 'bedrock/amazon.titan-text-express-v1',
        messages: user('hi'),
        tools: [topSong],
      }),
    );
    expect(error).toMatchObject({ status: 400, param: 'tools' });
    expect(sim.requests).toHaveLength(0);
  });
});

describe('streaming', () => {
  it('streams text and, with include_usage, usage counting cache reads and writes last', async () => {
    sim.script(eventStream(frames('stream-text.eventstream.json')));
    const stream = await client.chat.completions.create({
      model: MODEL,
      messages: user('Song?'),
      stream: true,
      stream_options: { include_usage: true },
    });
    const chunks = await collect(stream);
    expect(routeOf(sim.lastRequest!).operation).toBe('converse-stream');
    expect(streamedText(chunks)).toBe('Elemental Hotel by 8 Storey Hike.');
    expect(chunks.every((chunk) => chunk.model === MODEL)).toBe(true);
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toMatchObject({ prompt_tokens: 30 + 1536 + 528, completion_tokens: 9, total_tokens: 2103 });
    expect(last.usage?.prompt_tokens_details?.cached_tokens).toBe(1536);
    expect(chunks.slice(0, -1).some((chunk) => chunk.usage)).toBe(false);
  });

  it('streams tool calls with index, and id, type and name on the first delta of each', async () => {
    sim.script(eventStream(frames('stream-tool-use.eventstream.json')));
    const stream = await client.chat.completions.create({
      model: MODEL,
      messages: user('Top songs?'),
      tools: [topSong],
      stream: true,
    });
    const calls = new Map<number, { id?: string; name?: string; args: string }>();
    let finish: string | null | undefined;
    for await (const chunk of stream) {
      for (const delta of chunk.choices[0]?.delta.tool_calls ?? []) {
        const call = calls.get(delta.index) ?? { args: '' };
        if (delta.id) {
          expect(delta.type).toBe('function');
          call.id = delta.id;
          call.name = delta.function?.name;
        }
        call.args += delta.function?.arguments ?? '';
        calls.set(delta.index, call);
      }
      finish = chunk.choices[0]?.finish_reason ?? finish;
    }
    expect(finish).toBe('tool_calls');
    expect(Object.fromEntries(calls)).toEqual({
      0: { id: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', name: 'top_song', args: '{"sign": "WZPZ"}' },
      1: { id: 'tooluse_rW2Dp9eVQ0yQy1Yhq4wT8A', name: 'top_song', args: '{"sign": "WKRP"}' },
    });
  });

  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['tool_use', 'tool_calls'],
    ['guardrail_intervened', 'content_filter'],
    ['content_filtered', 'content_filter'],
  ])('maps streamed stop reason %s to finish_reason %s', async (stopReason, finishReason) => {
    sim.script(eventStream(textFrames(['x'], { stopReason })));
    const chunks = await collect(
      await client.chat.completions.create({ model: MODEL, messages: user('hi'), stream: true }),
    );
    expect(chunks.map((chunk) => chunk.choices[0]?.finish_reason).filter(Boolean)).toEqual([finishReason]);
  });
});

describe('errors', () => {
  it.each([
    ['ThrottlingException', 429, 429, 'rate_limit_exceeded'],
    ['ValidationException', 400, 400, 'validation_error'],
    ['AccessDeniedException', 403, 502, 'provider_auth_failed'],
    ['ResourceNotFoundException', 404, 404, 'model_not_found'],
    ['ServiceUnavailableException', 503, 503, 'provider_overloaded'],
    ['ModelTimeoutException', 408, 504, 'upstream_timeout'],
    ['InternalServerException', 500, 502, 'upstream_error'],
    ['ModelErrorException', 424, 502, 'model_error'],
  ])('maps %s (HTTP %i) to %i %s', async (type, upstreamStatus, status, code) => {
    sim.script(bedrockError(upstreamStatus, type, `${type} from the simulator`));
    const error = await failure(client.chat.completions.create({ model: MODEL, messages: user('hi') }));
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error).toMatchObject({ status, code });
    expect(error.headers?.get('x-gateway-provider')).toBe('bedrock');
  });

  it('passes a validation message on to the caller', async () => {
    sim.script(bedrockError(400, 'ValidationException', 'The maximum tokens you requested exceeds the model limit.'));
    const error = await failure(client.chat.completions.create({ model: MODEL, messages: user('hi') }));
    expect(error.message).toContain('The maximum tokens you requested exceeds the model limit.');
  });

  it.each([
    ['throttlingException', 'rate_limit_exceeded'],
    ['modelStreamErrorException', 'model_stream_error'],
    ['internalServerException', 'upstream_error'],
  ])('ends a stream hit by a mid-stream %s with an error event the SDK raises', async (exception, code) => {
    sim.script(
      eventStream([...frames('stream-exception.eventstream.json').slice(0, 2), { exception, message: 'mid-stream' }]),
    );
    const stream = await client.chat.completions.create({ model: MODEL, messages: user('hi'), stream: true });
    const chunks: Chunk[] = [];
    const error = await (async () => {
      for await (const chunk of stream) chunks.push(chunk);
    })().then(
      () => undefined,
      (e: unknown) => e as ApiError,
    );
    expect(streamedText(chunks)).toBe('Elemental');
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect(error?.error).toMatchObject({ type: 'upstream_error', code });
  });
});

describe('credentials', () => {
  it('sends a Bedrock API key as a bearer token', async () => {
    const other = await gateway.project('bedrock-api-key');
    await gateway.putProvider(other.projectId, 'bedrock', { region: 'us-west-2', api_key: API_KEY, endpoint: sim.url });
    sim.expectAuth = 'bearer';
    await gateway.client(other.key).chat.completions.create({ model: MODEL, messages: user('hi') });
    expect(sim.lastRequest?.headers.authorization).toBe(`Bearer ${API_KEY}`);
  });

  it('uses the default AWS credential chain when the credential has no keys', async () => {
    const other = await gateway.project('bedrock-role');
    await gateway.putProvider(other.projectId, 'bedrock', { region: 'eu-central-1', endpoint: sim.url });
    sim.expectAuth = 'sigv4';
    const restore = setEnv({
      AWS_ACCESS_KEY_ID: 'AKIDFROMTHEROLE00001',
      AWS_SECRET_ACCESS_KEY: 'role-secret',
      AWS_SESSION_TOKEN: 'role-session-token',
      AWS_PROFILE: undefined,
    });
    try {
      await gateway.client(other.key).chat.completions.create({ model: MODEL, messages: user('hi') });
    } finally {
      restore();
    }
    expect(parseAuthorization(sim.lastRequest?.headers.authorization)).toMatchObject({
      scheme: 'sigv4',
      accessKeyId: 'AKIDFROMTHEROLE00001',
      region: 'eu-central-1',
    });
    expect(sim.lastRequest?.headers['x-amz-security-token']).toBe('role-session-token');
  });

  it('answers 400 naming the missing half of a key pair when the credential is stored', async () => {
    const response = await gateway.admin('PUT', `/admin/projects/${projectId}/providers/bedrock`, {
      region: 'us-east-1',
      access_key_id: AKID,
    });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: { param: 'secret_access_key' } });
  });

  it('never shows the keys in responses or logs', async () => {
    sim.script(
      bedrockError(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.'),
    );
    const error = await failure(client.chat.completions.create({ model: MODEL, messages: user('hi') }));
    expect(error).toMatchObject({ status: 502, code: 'provider_auth_failed' });
    const listed = await gateway.admin('GET', `/admin/projects/${projectId}/providers`);
    const seen = [JSON.stringify(error.error), error.message, listed.text, logged.join('')].join('\n');
    expect(logged.length).toBeGreaterThan(0);
    for (const secret of [AKID, SECRET, API_KEY]) expect(seen).not.toContain(secret);
  });
});
