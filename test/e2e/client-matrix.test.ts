/**
 * The clients of 2026 against every provider family (issue 14's matrix): the openai SDK's Responses API, the AI
 * SDK's default OpenAI provider and the Anthropic SDK, unchanged but for their base URL, each against OpenAI,
 * Anthropic, Gemini, Bedrock and a custom OpenAI-compatible provider through the local server: a tool-call round
 * trip (the call, then the tool's result back and the final answer), non-streaming and streaming. Natively where the
 * provider speaks the format (OpenAI's Responses API, Anthropic's Messages API), translated everywhere else; every
 * answer leaves a priced row.
 */
import Anthropic from '@anthropic-ai/sdk';
import type OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AnthropicSimulator,
  textReply as anthropicText,
  startAnthropicSimulator,
  toolUseReply,
} from '../../simulators/anthropic.js';
import type { Reply, Simulator } from '../../simulators/base.js';
import {
  type BedrockSimulator,
  converse,
  eventStream,
  startBedrockSimulator,
  textFrames,
} from '../../simulators/bedrock.js';
import { type GeminiSimulator, geminiReply, startGeminiSimulator } from '../../simulators/gemini.js';
import { startOpenAISimulator, textReply, toolCallsReply } from '../../simulators/openai.js';
import { responsesFunctionCallReply, responsesTextReply } from '../../simulators/openai-responses.js';
import { setEnv, startTestGateway, type TestGateway } from '../helpers/local-gateway.js';

type Format = 'responses' | 'messages';

/** How one provider's simulator answers: a text, or a call of `get_weather` with `{"city": "Paris"}`. */
interface Upstream {
  model: string;
  sim: { script(...replies: Reply[]): void; requests: unknown[] };
  text(text: string, ingress: Format, stream: boolean): Reply;
  toolCall(ingress: Format, stream: boolean): Reply;
}

const ARGS = { city: 'Paris' };

let gateway: TestGateway;
let openaiSim: Simulator;
let acmeSim: Simulator;
let anthropicSim: AnthropicSimulator;
let geminiSim: GeminiSimulator;
let bedrockSim: BedrockSimulator;
let key: string;
let projectId: string;
let restoreEnv: () => void;
const upstreams: Record<string, Upstream> = {};

beforeAll(async () => {
  restoreEnv = setEnv({
    OPENAI_API_KEY: undefined,
    ANTHROPIC_API_KEY: undefined,
    GEMINI_API_KEY: undefined,
    GATEWAY_MAX_RETRIES: '0',
  });
  [openaiSim, acmeSim, anthropicSim, geminiSim, bedrockSim] = await Promise.all([
    startOpenAISimulator(),
    startOpenAISimulator(),
    startAnthropicSimulator({ apiKey: 'sk-ant-matrix-0000' }),
    startGeminiSimulator(),
    startBedrockSimulator(),
  ]);
  gateway = await startTestGateway();
  ({ projectId, key } = await gateway.project('client-matrix'));
  await gateway.putProvider(projectId, 'openai', { api_key: 'sk-matrix-0000', base_url: `${openaiSim.url}/v1` });
  await gateway.putProvider(projectId, 'acme', {
    type: 'openai-compatible',
    base_url: `${acmeSim.url}/v1`,
    models: [{ id: 'llama-3', input_per_million: 1, output_per_million: 2 }],
  });
  await gateway.putProvider(projectId, 'anthropic', { api_key: 'sk-ant-matrix-0000', base_url: anthropicSim.url });
  await gateway.putProvider(projectId, 'gemini', { api_key: 'gemini-matrix-key-0000', base_url: geminiSim.url });
  await gateway.putProvider(projectId, 'bedrock', {
    region: 'us-east-1',
    access_key_id: 'AKIDMATRIXSIM0000001',
    secret_access_key: 'matrix/secret/access/key/0000000000000',
    endpoint: bedrockSim.url,
  });

  const chatCompletions = (model: string, sim: Simulator): Upstream => ({
    model,
    sim,
    text: (text) => textReply(text.split(/(?<= )/)),
    toolCall: () => toolCallsReply([{ id: 'call_matrix', name: 'get_weather', arguments: ARGS }]),
  });
  upstreams.openai = {
    model: 'openai/gpt-4o-mini',
    sim: openaiSim,
    // OpenAI's own Responses API for /v1/responses; chat completions behind a translated /v1/messages.
    text: (text, ingress) =>
      ingress === 'responses' ? responsesTextReply(text.split(/(?<= )/)) : textReply(text.split(/(?<= )/)),
    toolCall: (ingress) =>
      ingress === 'responses'
        ? responsesFunctionCallReply([{ call_id: 'call_matrix', name: 'get_weather', arguments: ARGS }])
        : toolCallsReply([{ id: 'call_matrix', name: 'get_weather', arguments: ARGS }]),
  };
  upstreams.acme = chatCompletions('acme/llama-3', acmeSim);
  upstreams.anthropic = {
    model: 'anthropic/claude-haiku-4-5',
    sim: anthropicSim,
    text: (text) => anthropicText(text),
    toolCall: () => toolUseReply([{ id: 'toolu_matrix', name: 'get_weather', input: ARGS }]),
  };
  upstreams.gemini = {
    model: 'gemini/gemini-2.5-flash',
    sim: geminiSim,
    text: (text) => geminiReply({ text }),
    toolCall: () => geminiReply({ functionCalls: [{ name: 'get_weather', args: ARGS }] }),
  };
  const usage = { inputTokens: 20, outputTokens: 8, totalTokens: 28 };
  upstreams.bedrock = {
    model: 'bedrock/amazon.nova-lite-v1:0',
    sim: bedrockSim,
    text: (text, _ingress, stream) =>
      stream
        ? eventStream(textFrames(text.split(/(?<= )/), { usage }))
        : converse({
            output: { message: { role: 'assistant', content: [{ text }] } },
            stopReason: 'end_turn',
            usage,
          }),
    toolCall: (_ingress, stream) => {
      const toolUse = { toolUseId: 'tooluse_matrix', name: 'get_weather' };
      return stream
        ? eventStream([
            { event: 'messageStart', data: { role: 'assistant' } },
            { event: 'contentBlockStart', data: { contentBlockIndex: 0, start: { toolUse } } },
            {
              event: 'contentBlockDelta',
              data: { contentBlockIndex: 0, delta: { toolUse: { input: JSON.stringify(ARGS) } } },
            },
            { event: 'contentBlockStop', data: { contentBlockIndex: 0 } },
            { event: 'messageStop', data: { stopReason: 'tool_use' } },
            { event: 'metadata', data: { usage, metrics: { latencyMs: 40 } } },
          ])
        : converse({
            output: { message: { role: 'assistant', content: [{ toolUse: { ...toolUse, input: ARGS } }] } },
            stopReason: 'tool_use',
            usage,
          });
    },
  };
});

afterAll(async () => {
  await gateway?.close();
  await Promise.all([openaiSim, acmeSim, anthropicSim, geminiSim, bedrockSim].map((sim) => sim?.close()));
  restoreEnv?.();
});

const PROVIDERS = ['openai', 'anthropic', 'gemini', 'bedrock', 'acme'] as const;

const weatherFunction: OpenAI.Responses.FunctionTool = {
  type: 'function',
  name: 'get_weather',
  description: 'The weather in a city',
  parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
  strict: false,
};

async function rowsOf(count: number): Promise<Record<string, unknown>[]> {
  const rows = await gateway.admin<{ data: Record<string, unknown>[] }>(
    'GET',
    `/admin/projects/${projectId}/requests?limit=${count}`,
  );
  return rows.body.data;
}

describe.each(PROVIDERS)('%s', (name) => {
  it.each([false, true])('openai SDK responses: a tool-call round trip (stream: %s)', async (stream) => {
    const upstream = upstreams[name]!;
    const client = gateway.client(key);
    upstream.sim.script(
      upstream.toolCall('responses', stream),
      upstream.text('It is sunny in Paris.', 'responses', stream),
    );
    const ask = { model: upstream.model, input: 'Weather in Paris?', tools: [weatherFunction] };
    const first = stream ? await client.responses.stream(ask).finalResponse() : await client.responses.create(ask);
    const call = first.output.find((item) => item.type === 'function_call');
    expect(call).toMatchObject({ type: 'function_call', name: 'get_weather' });
    expect(JSON.parse((call as OpenAI.Responses.ResponseFunctionToolCall).arguments)).toEqual(ARGS);

    const followUp = {
      model: upstream.model,
      tools: [weatherFunction],
      input: [
        { role: 'user' as const, content: 'Weather in Paris?' },
        call as OpenAI.Responses.ResponseFunctionToolCall,
        { type: 'function_call_output' as const, call_id: (call as { call_id: string }).call_id, output: 'sunny' },
      ],
    };
    const second = stream
      ? await client.responses.stream(followUp).finalResponse()
      : await client.responses.create(followUp);
    expect(second.output_text).toBe('It is sunny in Paris.');
    const [row] = await rowsOf(1);
    expect(row).toMatchObject({ endpoint: 'responses', provider: name, status: 200 });
    expect(row?.cost_usd).toEqual(expect.any(Number));
  });

  it.each([false, true])(
    'AI SDK default provider: generateText / streamText run a tool (stream: %s)',
    async (stream) => {
      const upstream = upstreams[name]!;
      const { createOpenAI } = await import('@ai-sdk/openai');
      const { generateText, streamText, tool, jsonSchema, stepCountIs } = await import('ai');
      const provider = createOpenAI({ baseURL: `${gateway.url}/v1`, apiKey: key });
      upstream.sim.script(
        upstream.toolCall('responses', stream),
        upstream.text('Sunny, 24 degrees.', 'responses', stream),
      );
      const executed: unknown[] = [];
      const options = {
        model: provider(upstream.model),
        prompt: 'Weather in Paris?',
        stopWhen: stepCountIs(2),
        tools: {
          get_weather: tool({
            description: 'The weather in a city',
            inputSchema: jsonSchema<{ city: string }>({
              type: 'object',
              properties: { city: { type: 'string' } },
              required: ['city'],
            }),
            execute: async (input) => {
              executed.push(input);
              return 'sunny, 24 degrees';
            },
          }),
        },
      };
      const text = stream ? await streamText(options).text : (await generateText(options)).text;
      expect(executed).toEqual([ARGS]);
      expect(text).toBe('Sunny, 24 degrees.');
    },
  );

  it.each([false, true])('Anthropic SDK messages: a tool_use round trip (stream: %s)', async (stream) => {
    const upstream = upstreams[name]!;
    const client = new Anthropic({ baseURL: gateway.url, apiKey: key, maxRetries: 0 });
    upstream.sim.script(
      upstream.toolCall('messages', stream),
      upstream.text('It is sunny in Paris.', 'messages', stream),
    );
    const tools: Anthropic.Tool[] = [
      {
        name: 'get_weather',
        description: 'The weather in a city',
        input_schema: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
      },
    ];
    const ask = {
      model: upstream.model,
      max_tokens: 200,
      tools,
      messages: [{ role: 'user' as const, content: 'Weather in Paris?' }],
    };
    const first = stream ? await client.messages.stream(ask).finalMessage() : await client.messages.create(ask);
    expect(first.stop_reason).toBe('tool_use');
    const use = first.content.find((block) => block.type === 'tool_use');
    expect(use).toMatchObject({ type: 'tool_use', name: 'get_weather', input: ARGS });

    const followUp = {
      ...ask,
      messages: [
        ...ask.messages,
        { role: 'assistant' as const, content: first.content },
        {
          role: 'user' as const,
          content: [
            { type: 'tool_result' as const, tool_use_id: (use as Anthropic.ToolUseBlock).id, content: 'sunny' },
          ],
        },
      ],
    };
    const second = stream
      ? await client.messages.stream(followUp).finalMessage()
      : await client.messages.create(followUp);
    expect(second.stop_reason).toBe('end_turn');
    expect(
      second.content
        .filter((block) => block.type === 'text')
        .map((block) => block.text)
        .join(''),
    ).toBe('It is sunny in Paris.');
    const [row] = await rowsOf(1);
    expect(row).toMatchObject({ endpoint: 'messages', provider: name, status: 200 });
    expect(row?.cost_usd).toEqual(expect.any(Number));
  });
});
