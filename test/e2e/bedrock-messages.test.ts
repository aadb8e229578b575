/**
 * `/v1/messages` on Bedrock's Claude models in Anthropic's own format (CONTRACT.md §5): `InvokeModel` and
 * `InvokeModelWithResponseStream` with the caller's body and `anthropic_version`, through the local server with the
 * Anthropic SDK; Bedrock's other families still get the Converse translation.
 */
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { streamEvents } from '../../simulators/anthropic.js';
import {
  type BedrockSimulator,
  converseText,
  invokeMessage,
  invokeStream,
  routeOf,
  startBedrockSimulator,
} from '../../simulators/bedrock.js';
import { startTestGateway, type TestGateway } from '../helpers/local-gateway.js';

let gateway: TestGateway;
let bedrock: BedrockSimulator;
let client: Anthropic;

const CLAUDE = 'us.anthropic.claude-sonnet-4-5-20250929-v1:0';

beforeAll(async () => {
  bedrock = await startBedrockSimulator();
  gateway = await startTestGateway();
  const { projectId, key } = await gateway.project('bedrock-messages');
  await gateway.putProvider(projectId, 'bedrock', {
    region: 'us-east-1',
    access_key_id: 'AKIDBEDROCKMESSAGES1',
    secret_access_key: 'bedrock/messages/secret/key/0000000000',
    endpoint: bedrock.url,
  });
  client = new Anthropic({ baseURL: gateway.url, apiKey: key, maxRetries: 0 });
});

afterAll(async () => {
  await gateway?.close();
  await bedrock?.close();
});

function message(text: string) {
  return {
    id: 'msg_bdrk_01',
    type: 'message' as const,
    role: 'assistant' as const,
    model: 'claude-sonnet-4-5-20250929',
    content: [{ type: 'text' as const, text }],
    stop_reason: 'end_turn',
    stop_sequence: null,
    usage: { input_tokens: 14, output_tokens: 4, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 },
  };
}

describe('Claude on Bedrock through /v1/messages', () => {
  it('invokes the model with the caller’s body, anthropic_version and the betas in the body', async () => {
    bedrock.script(invokeMessage(message('Hello from Claude on Bedrock')));
    const body = {
      model: `bedrock/${CLAUDE}`,
      max_tokens: 256,
      system: [{ type: 'text' as const, text: 'Be brief.', cache_control: { type: 'ephemeral' as const } }],
      messages: [{ role: 'user' as const, content: 'Hi' }],
    };
    const answer = await client.messages.create(body, { headers: { 'anthropic-beta': 'context-1m-2025-08-07' } });
    expect(answer.content).toEqual([{ type: 'text', text: 'Hello from Claude on Bedrock' }]);
    expect(answer.usage).toMatchObject({ input_tokens: 14, output_tokens: 4 });
    const received = bedrock.lastRequest!;
    expect(routeOf(received)).toEqual({ modelId: CLAUDE, operation: 'invoke' });
    const { model: _model, ...rest } = body;
    expect(received.body).toEqual({
      anthropic_version: 'bedrock-2023-05-31',
      anthropic_beta: ['context-1m-2025-08-07'],
      ...rest,
    });
  });

  it('streams Anthropic’s events out of InvokeModelWithResponseStream, Bedrock’s metrics left out', async () => {
    const events = streamEvents(message('Streamed from Bedrock') as never).map((event) => event.data);
    const last = events.at(-1)!;
    last['amazon-bedrock-invocationMetrics'] = { inputTokenCount: 14, outputTokenCount: 4 };
    bedrock.script(invokeStream(events));
    const stream = client.messages.stream({
      model: `bedrock/${CLAUDE}`,
      max_tokens: 256,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    const final = await stream.finalMessage();
    expect(final.content).toEqual([{ type: 'text', text: 'Streamed from Bedrock' }]);
    expect(final.usage).toMatchObject({ input_tokens: 14, output_tokens: 4 });
    expect(routeOf(bedrock.lastRequest!).operation).toBe('invoke-with-response-stream');
  });

  it('translates for Bedrock’s other families (Converse)', async () => {
    bedrock.script(converseText('Nova via Converse'));
    const answer = await client.messages.create({
      model: 'bedrock/amazon.nova-lite-v1:0',
      max_tokens: 64,
      messages: [{ role: 'user', content: 'Hi' }],
    });
    expect(answer.content).toEqual([{ type: 'text', text: 'Nova via Converse' }]);
    expect(routeOf(bedrock.lastRequest!).operation).toBe('converse');
  });
});
