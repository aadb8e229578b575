import { afterAll, afterEach, beforeAll, describe, expect, it } from 'vitest';
import type { ChatChunk, ChatModel, ChatRequest } from '../../../lib/core/types.js';
import { openaiFactory } from '../../../lib/providers/openai/index.js';
import type { Simulator } from '../../../simulators/base.js';
import { rawSseReply, startOpenAISimulator, textReply, toolCallsReply } from '../../../simulators/openai.js';
import { collect, fixtureText, testContext } from './helpers.js';

let sim: Simulator;
beforeAll(async () => {
  sim = await startOpenAISimulator();
});
afterEach(() => sim.reset());
afterAll(() => sim.close());

const KEY = 'sk-test-abc123';
const request: ChatRequest = {
  model: 'gpt-4o-mini',
  messages: [
    { role: 'system', content: 'Be brief.' },
    { role: 'user', content: 'hello there' },
  ],
  temperature: 0.3,
  max_completion_tokens: 50,
  user: 'u-1',
  metadata: { team: 'a' },
  verbosity: 'low',
};

function model(credential: { organization?: string } = {}): Promise<ChatModel> {
  return Promise.resolve(
    openaiFactory.create({ api_key: KEY, base_url: `${sim.url}/v1`, ...credential }, { providerName: 'openai' }),
  );
}

const text = (chunks: ChatChunk[]) => chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');

describe('openaiFactory', () => {
  it('completes with the credential’s key and every request field sent upstream', async () => {
    const result = await (await model()).complete(request, testContext());
    expect(result.choices[0]!.message.content).toBe('You said: hello there');
    expect(result.choices[0]!.finish_reason).toBe('stop');
    expect(result.usage.outputTokens).toBe(4);
    const sent = sim.lastRequest!;
    expect(sent.method).toBe('POST');
    expect(sent.path).toBe('/v1/chat/completions');
    expect(sent.headers.authorization).toBe(`Bearer ${KEY}`);
    expect(sent.body).toEqual(request);
  });

  it('sends the organization header when the credential has one', async () => {
    await (await model({ organization: 'org-123' })).complete(request, testContext());
    expect(sim.lastRequest!.headers['openai-organization']).toBe('org-123');
  });

  it('streams word by word and forces include_usage upstream', async () => {
    const chunks = await collect((await model()).stream({ ...request, stream: true }, testContext()));
    expect(text(chunks)).toBe('You said: hello there');
    expect(chunks.length).toBeGreaterThan(3);
    expect(sim.lastRequest!.body).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toMatchObject({ outputTokens: 4, cacheReadTokens: 0 });
  });

  it('asks for usage even when the caller turned it off', async () => {
    const chunks = await collect(
      (await model()).stream({ ...request, stream: true, stream_options: { include_usage: false } }, testContext()),
    );
    expect(sim.lastRequest!.body).toMatchObject({ stream_options: { include_usage: true } });
    expect(chunks.at(-1)!.usage).toMatchObject({ outputTokens: 4, cacheReadTokens: 0 });
  });

  it('reports cached prompt tokens and the upstream finish reason', async () => {
    sim.script(textReply('Short.', { finishReason: 'length', usage: { prompt_tokens: 2000, cached_tokens: 1536 } }));
    const result = await (await model()).complete(request, testContext());
    expect(result.choices[0]!.finish_reason).toBe('length');
    expect(result.usage).toMatchObject({ inputTokens: 2000, cacheReadTokens: 1536, cacheWriteTokens: 0 });
  });

  it('returns tool calls from a complete call', async () => {
    sim.script(
      toolCallsReply([
        { id: 'call_1', name: 'get_weather', arguments: { city: 'Paris' } },
        { id: 'call_2', name: 'get_time', arguments: { zone: 'UTC' } },
      ]),
    );
    const result = await (await model()).complete(request, testContext());
    expect(result.choices[0]!.finish_reason).toBe('tool_calls');
    expect(result.choices[0]!.message.tool_calls).toEqual([
      { id: 'call_1', type: 'function', function: { name: 'get_weather', arguments: '{"city":"Paris"}' } },
      { id: 'call_2', type: 'function', function: { name: 'get_time', arguments: '{"zone":"UTC"}' } },
    ]);
  });

  it('streams several tool calls as OpenAI-style deltas', async () => {
    sim.script(
      toolCallsReply([
        { id: 'call_1', name: 'get_weather', arguments: '{"city":"Paris"}', argumentChunks: ['{"city":', '"Paris"}'] },
        { id: 'call_2', name: 'get_time', arguments: { zone: 'UTC' } },
      ]),
    );
    const chunks = await collect((await model()).stream({ ...request, stream: true }, testContext()));
    const deltas = chunks.flatMap((chunk) => chunk.choices.flatMap((choice) => choice.delta.tool_calls ?? []));
    expect(deltas[0]).toEqual({
      index: 0,
      id: 'call_1',
      type: 'function',
      function: { name: 'get_weather', arguments: '' },
    });
    expect(deltas[1]).toEqual({ index: 0, function: { arguments: '{"city":' } });
    expect(deltas[2]).toEqual({ index: 0, function: { arguments: '"Paris"}' } });
    expect(deltas[3]).toMatchObject({ index: 1, id: 'call_2', type: 'function', function: { name: 'get_time' } });
    const args = deltas.filter((delta) => delta.index === 1).map((delta) => delta.function?.arguments ?? '');
    expect(JSON.parse(args.join(''))).toEqual({ zone: 'UTC' });
    expect(chunks.some((chunk) => chunk.choices[0]?.finish_reason === 'tool_calls')).toBe(true);
  });

  it('converts a recorded OpenAI stream end to end through the SDK', async () => {
    sim.script(rawSseReply(fixtureText('stream-tool-calls.sse.txt')));
    const chunks = await collect((await model()).stream({ ...request, stream: true }, testContext()));
    expect(chunks).toHaveLength(8);
    expect(chunks.at(-1)!.usage).toMatchObject({ inputTokens: 82, outputTokens: 46 });
  });

  it('ignores OPENAI_* environment variables: the credential alone decides', async () => {
    const saved = { base: process.env.OPENAI_BASE_URL, org: process.env.OPENAI_ORG_ID };
    process.env.OPENAI_BASE_URL = 'http://127.0.0.1:9/v1';
    process.env.OPENAI_ORG_ID = 'org-from-env';
    try {
      await (await model()).complete(request, testContext());
    } finally {
      restore('OPENAI_BASE_URL', saved.base);
      restore('OPENAI_ORG_ID', saved.org);
    }
    expect(sim.requests).toHaveLength(1);
    expect(sim.lastRequest!.headers['openai-organization']).toBeUndefined();
  });

  it('validates the credential shape', () => {
    const schema = openaiFactory.credentialSchema;
    expect(schema.safeParse({ api_key: 'sk-1' }).success).toBe(true);
    expect(schema.safeParse({ api_key: '' }).success).toBe(false);
    expect(schema.safeParse({ api_key: 'sk-1', base_url: 'not a url' }).success).toBe(false);
    expect(schema.safeParse({ base_url: 'https://api.openai.com/v1' }).success).toBe(false);
  });
});

function restore(name: string, value: string | undefined): void {
  if (value === undefined) delete process.env[name];
  else process.env[name] = value;
}
