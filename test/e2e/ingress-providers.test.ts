/**
 * `/v1/messages` and `/v1/responses` on Gemini and Bedrock (translated: neither speaks those formats), streaming
 * and not, through the local server with the official Anthropic and openai SDKs; and a stream the client leaves
 * mid-way on each endpoint, billed at the estimate (CONTRACT.md §4: "the same applies to every endpoint of §5").
 */
import Anthropic from '@anthropic-ai/sdk';
import type OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gate, type Simulator } from '../../simulators/base.js';
import {
  type BedrockSimulator,
  converseText,
  eventStream,
  startBedrockSimulator,
  textFrames,
} from '../../simulators/bedrock.js';
import { type GeminiSimulator, geminiReply, startGeminiSimulator } from '../../simulators/gemini.js';
import { startOpenAISimulator, textReply } from '../../simulators/openai.js';
import { setEnv, startTestGateway, type TestGateway } from '../helpers/local-gateway.js';

let gateway: TestGateway;
let gemini: GeminiSimulator;
let bedrock: BedrockSimulator;
let acme: Simulator;
let anthropic: Anthropic;
let openai: OpenAI;
let key: string;
let projectId: string;
let restoreEnv: () => void;

beforeAll(async () => {
  restoreEnv = setEnv({ GEMINI_API_KEY: undefined, GATEWAY_MAX_RETRIES: '0' });
  gemini = await startGeminiSimulator();
  bedrock = await startBedrockSimulator();
  acme = await startOpenAISimulator();
  gateway = await startTestGateway();
  ({ projectId, key } = await gateway.project('ingress-providers'));
  await gateway.putProvider(projectId, 'gemini', { api_key: 'gemini-sim-key-0000', base_url: gemini.url });
  await gateway.putProvider(projectId, 'bedrock', {
    region: 'us-east-1',
    access_key_id: 'AKIDINGRESSSIM000001',
    secret_access_key: 'ingress/secret/access/key/000000000000',
    endpoint: bedrock.url,
  });
  await gateway.putProvider(projectId, 'acme', {
    type: 'openai-compatible',
    base_url: `${acme.url}/v1`,
    models: [{ id: 'llama-3', input_per_million: 1, output_per_million: 2 }],
  });
  anthropic = new Anthropic({ baseURL: gateway.url, apiKey: key, maxRetries: 0 });
  openai = gateway.client(key);
});

afterAll(async () => {
  await gateway?.close();
  await gemini?.close();
  await bedrock?.close();
  await acme?.close();
  restoreEnv?.();
});

const GEMINI = 'gemini/gemini-2.0-flash';
const BEDROCK = 'bedrock/amazon.nova-lite-v1:0';

describe('Gemini', () => {
  it('serves /v1/messages and /v1/responses, streaming and not', async () => {
    gemini.script(geminiReply({ text: 'Gemini says hi', usage: { promptTokenCount: 6, candidatesTokenCount: 3 } }));
    const message = await anthropic.messages.create({
      model: GEMINI,
      max_tokens: 32,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(message.content).toEqual([{ type: 'text', text: 'Gemini says hi' }]);
    expect(message.usage).toMatchObject({ input_tokens: 6, output_tokens: 3 });

    gemini.script(geminiReply({ text: 'Gemini streams to Claude clients' }));
    const streamed = await anthropic.messages
      .stream({ model: GEMINI, max_tokens: 32, messages: [{ role: 'user', content: 'Hi' }] })
      .finalMessage();
    expect(streamed.content).toEqual([{ type: 'text', text: 'Gemini streams to Claude clients' }]);

    gemini.script(geminiReply({ text: 'Gemini answers a Response' }));
    expect((await openai.responses.create({ model: GEMINI, input: 'Hi' })).output_text).toBe(
      'Gemini answers a Response',
    );
    gemini.script(geminiReply({ text: 'Gemini streams a Response' }));
    const final = await openai.responses.stream({ model: GEMINI, input: 'Hi' }).finalResponse();
    expect(final.output_text).toBe('Gemini streams a Response');
  });
});

describe('Bedrock', () => {
  it('serves /v1/messages and /v1/responses, streaming and not', async () => {
    bedrock.script(converseText('Nova says hi', { usage: { inputTokens: 5, outputTokens: 3, totalTokens: 8 } }));
    const message = await anthropic.messages.create({
      model: BEDROCK,
      max_tokens: 32,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(message.content).toEqual([{ type: 'text', text: 'Nova says hi' }]);
    expect(message.usage).toMatchObject({ input_tokens: 5, output_tokens: 3 });

    bedrock.script(eventStream(textFrames(['Nova ', 'streams'])));
    const streamed = await anthropic.messages
      .stream({ model: BEDROCK, max_tokens: 32, messages: [{ role: 'user', content: 'Hi' }] })
      .finalMessage();
    expect(streamed.content).toEqual([{ type: 'text', text: 'Nova streams' }]);

    bedrock.script(converseText('Nova answers a Response'));
    expect((await openai.responses.create({ model: BEDROCK, input: 'Hi' })).output_text).toBe(
      'Nova answers a Response',
    );
    bedrock.script(eventStream(textFrames(['Nova ', 'streams ', 'a Response'])));
    const final = await openai.responses.stream({ model: BEDROCK, input: 'Hi' }).finalResponse();
    expect(final.output_text).toBe('Nova streams a Response');
  });
});

describe('a client that leaves mid-stream', () => {
  async function leaveMidStream(path: string, body: Record<string, unknown>, gate: Gate) {
    const controller = new AbortController();
    const response = await fetch(`${gateway.url}${path}`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'acme/llama-3', stream: true, ...body }),
      signal: controller.signal,
    });
    const reader = response.body!.getReader();
    gate.open(); // the first piece goes; the rest waits
    let seen = '';
    while (!seen.includes('Once upon a time')) {
      const { value, done } = await reader.read();
      if (done) throw new Error(`the stream ended early: ${response.status} ${seen}`);
      seen += new TextDecoder().decode(value);
    }
    controller.abort();
    await reader.cancel().catch(() => {});
    return response.headers.get('x-request-id');
  }

  async function rowOf(requestId: string | null): Promise<Record<string, unknown> | undefined> {
    for (let i = 0; i < 100; i++) {
      const rows = await gateway.admin<{ data: Record<string, unknown>[] }>(
        'GET',
        `/admin/projects/${projectId}/requests?limit=20`,
      );
      const row = rows.body.data.find((r) => r.id === requestId);
      if (row) return row;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    return undefined;
  }

  const pieces = ['Once upon a time ', 'there was a gateway ', 'that metered ', 'every token.'];
  const cases = [
    ['chat', '/v1/chat/completions', { messages: [{ role: 'user', content: 'Tell a long story' }] }],
    ['messages', '/v1/messages', { max_tokens: 200, messages: [{ role: 'user', content: 'Tell a long story' }] }],
    ['responses', '/v1/responses', { input: 'Tell a long story' }],
  ] as const;

  it.each(cases)('on /v1/%s leaves one row billed at the estimate', async (endpoint, path, body) => {
    const gate = new Gate();
    acme.script(textReply(pieces, { gate }));
    const row = await rowOf(await leaveMidStream(path, body, gate));
    for (let i = 0; i < 10; i++) gate.open(); // lets the simulator's held reply notice its client is gone
    expect(row).toMatchObject({ endpoint, status: 499, usage_estimated: true });
    expect(Number(row?.output_tokens)).toBeGreaterThan(0);
    expect(Number(row?.cost_usd)).toBeGreaterThan(0);
  });

  it.each(cases)(
    'on /v1/%s keeps the row when the upstream finishes just as the client leaves',
    async (endpoint, path, body) => {
      // The gateway may end the stream to a client already gone: that end must not wait forever (it used to, and
      // the row was never written).
      const gate = new Gate();
      acme.script(textReply(pieces, { gate }));
      const requestId = await leaveMidStream(path, body, gate);
      for (let i = 0; i < 10; i++) gate.open();
      const row = await rowOf(requestId);
      expect(row).toMatchObject({ endpoint });
      expect([200, 499]).toContain(row?.status);
    },
  );
});
