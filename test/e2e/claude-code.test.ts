/**
 * A Claude Code session's requests, as its public documentation and issue reports show them (`?beta=true`,
 * `anthropic-beta` flags, system blocks with `cache_control`, tools, `metadata.user_id`, streaming, count_tokens),
 * replayed through the local server to Anthropic (natively), to Claude on Bedrock (natively, in Anthropic's format
 * through InvokeModelWithResponseStream) and to an OpenAI-compatible provider (translated); the
 * answers are read back with the Anthropic SDK's own stream parser.
 * @see https://docs.anthropic.com/en/docs/claude-code/llm-gateway
 */
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import {
  type AnthropicSimulator,
  startAnthropicSimulator,
  streamEvents,
  toolUseReply,
} from '../../simulators/anthropic.js';
import type { Simulator } from '../../simulators/base.js';
import { type BedrockSimulator, invokeStream, routeOf, startBedrockSimulator } from '../../simulators/bedrock.js';
import { startOpenAISimulator, toolCallsReply } from '../../simulators/openai.js';
import { setEnv, startTestGateway, type TestGateway } from '../helpers/local-gateway.js';

let gateway: TestGateway;
let anthropic: AnthropicSimulator;
let acme: Simulator;
let bedrock: BedrockSimulator;
let key: string;
let restoreEnv: () => void;

beforeAll(async () => {
  restoreEnv = setEnv({ ANTHROPIC_API_KEY: undefined });
  anthropic = await startAnthropicSimulator({ apiKey: 'sk-ant-sim-0000' });
  acme = await startOpenAISimulator();
  bedrock = await startBedrockSimulator();
  gateway = await startTestGateway();
  let projectId: string;
  ({ projectId, key } = await gateway.project('claude-code'));
  await gateway.putProvider(projectId, 'anthropic', { api_key: 'sk-ant-sim-0000', base_url: anthropic.url });
  await gateway.putProvider(projectId, 'acme', { type: 'openai-compatible', base_url: `${acme.url}/v1` });
  await gateway.putProvider(projectId, 'bedrock', {
    region: 'us-east-1',
    access_key_id: 'AKIDCLAUDECODESIM001',
    secret_access_key: 'claude/code/secret/access/key/00000000',
    endpoint: bedrock.url,
  });
});

afterAll(async () => {
  await gateway?.close();
  await anthropic?.close();
  await acme?.close();
  await bedrock?.close();
  restoreEnv?.();
});

const BETAS = 'claude-code-20250219,interleaved-thinking-2025-05-14,fine-grained-tool-streaming-2025-05-14';

function claudeCodeBody(model: string) {
  return {
    model,
    max_tokens: 32000,
    stream: true,
    temperature: 1,
    metadata: { user_id: 'user_abc_account_123_session_456' },
    system: [
      { type: 'text', text: "You are Claude Code, Anthropic's official CLI for Claude." },
      { type: 'text', text: 'You are an interactive CLI tool…', cache_control: { type: 'ephemeral' } },
    ],
    tools: [
      {
        name: 'Bash',
        description: 'Executes a given bash command',
        input_schema: {
          type: 'object',
          properties: { command: { type: 'string' }, timeout: { type: 'number' } },
          required: ['command'],
          additionalProperties: false,
          $schema: 'http://json-schema.org/draft-07/schema#',
        },
      },
    ],
    messages: [
      {
        role: 'user',
        content: [
          { type: 'text', text: '<system-reminder>context</system-reminder>' },
          { type: 'text', text: 'list the files here', cache_control: { type: 'ephemeral' } },
        ],
      },
    ],
  };
}

/** A request as Claude Code sends it: `x-api-key` (or a bearer token), the version, the betas, `?beta=true`. */
async function send(path: string, body: unknown): Promise<Response> {
  return fetch(`${gateway.url}${path}?beta=true`, {
    method: 'POST',
    headers: {
      'x-api-key': key,
      'anthropic-version': '2023-06-01',
      'anthropic-beta': BETAS,
      'content-type': 'application/json',
      'user-agent': 'claude-cli/2.0.0 (external, cli)',
      'x-app': 'cli',
    },
    body: JSON.stringify(body),
  });
}

/** The same request through the Anthropic SDK's own SSE parser: every event must be one it understands. */
function streamed(body: unknown): Promise<Anthropic.Message> {
  const client = new Anthropic({
    baseURL: gateway.url,
    apiKey: key,
    maxRetries: 0,
    defaultQuery: { beta: 'true' },
    defaultHeaders: { 'anthropic-beta': BETAS, 'user-agent': 'claude-cli/2.0.0 (external, cli)', 'x-app': 'cli' },
  });
  return client.messages.stream(body as Anthropic.MessageStreamParams).finalMessage();
}

describe('a Claude Code session through the gateway', () => {
  it('reaches Anthropic unchanged but for the model, betas included, and reads back as a tool call', async () => {
    anthropic.script(toolUseReply([{ id: 'toolu_cc', name: 'Bash', input: { command: 'ls' } }]));
    const body = claudeCodeBody('claude-sonnet-4-5');
    const raw = await send('/v1/messages', body);
    expect(raw.status).toBe(200);
    expect(raw.headers.get('content-type')).toContain('text/event-stream');
    await raw.text();
    anthropic.script(toolUseReply([{ id: 'toolu_cc', name: 'Bash', input: { command: 'ls' } }]));
    const message = await streamed(body);
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content).toEqual([{ type: 'tool_use', id: 'toolu_cc', name: 'Bash', input: { command: 'ls' } }]);
    const received = anthropic.lastRequest!;
    expect(received.query.get('beta')).toBeNull(); // the gateway's own query, not the upstream's
    expect(received.body).toEqual({ ...body, model: expect.stringMatching(/^claude-sonnet-4-5/) });
    expect(received.headers['anthropic-beta']).toBe(BETAS);
  });

  it('reaches Claude on Bedrock in Anthropic’s format, betas in the body, and reads back as a tool call', async () => {
    const CLAUDE = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';
    const events = () =>
      streamEvents({
        id: 'msg_bdrk_cc',
        type: 'message',
        role: 'assistant',
        model: 'claude-sonnet-4-5-20250929',
        content: [{ type: 'tool_use', id: 'toolu_bdrk', name: 'Bash', input: { command: 'ls' } }],
        stop_reason: 'tool_use',
        stop_sequence: null,
        usage: { input_tokens: 40, output_tokens: 9, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
      } as never).map((event) => event.data);
    bedrock.script(invokeStream(events()));
    const raw = await send('/v1/messages', claudeCodeBody(`bedrock/${CLAUDE}`));
    expect(raw.status).toBe(200);
    await raw.text();
    bedrock.script(invokeStream(events()));
    const message = await streamed(claudeCodeBody(`bedrock/${CLAUDE}`));
    expect(message.stop_reason).toBe('tool_use');
    expect(message.content).toEqual([{ type: 'tool_use', id: 'toolu_bdrk', name: 'Bash', input: { command: 'ls' } }]);
    const received = bedrock.lastRequest!;
    expect(routeOf(received)).toEqual({ modelId: CLAUDE, operation: 'invoke-with-response-stream' });
    const { model: _model, stream: _stream, ...rest } = claudeCodeBody(CLAUDE);
    expect(received.body).toEqual({
      ...rest,
      anthropic_version: 'bedrock-2023-05-31',
      anthropic_beta: BETAS.split(','),
    });
  });

  it('runs the same session on another provider, translated', async () => {
    acme.script(toolCallsReply([{ id: 'call_cc', name: 'Bash', arguments: { command: 'ls' } }]));
    const response = await send('/v1/messages', claudeCodeBody('acme/coder'));
    expect(response.headers.get('x-gateway-ignored')?.split(',')).toContain('cache_control');
    await response.text();
    acme.script(toolCallsReply([{ id: 'call_cc', name: 'Bash', arguments: { command: 'ls' } }]));
    const message = await streamed(claudeCodeBody('acme/coder'));
    expect(message.content).toEqual([{ type: 'tool_use', id: 'call_cc', name: 'Bash', input: { command: 'ls' } }]);
    const sent = acme.lastRequest!.body as { messages: { role: string }[]; tools: unknown[]; user: string };
    expect(sent.messages.map((m) => m.role)).toEqual(['system', 'user']);
    expect(sent.tools).toHaveLength(1);
    expect(sent.user).toBe('user_abc_account_123_session_456');
  });

  it('counts tokens for the session with ?beta=true', async () => {
    const { stream: _stream, max_tokens: _max, ...body } = claudeCodeBody('claude-sonnet-4-5');
    const response = await send('/v1/messages/count_tokens', body);
    expect(response.status).toBe(200);
    expect(response.headers.get('x-gateway-estimated')).toBe('true');
    expect(((await response.json()) as { input_tokens: number }).input_tokens).toBeGreaterThan(20);
  });
});
