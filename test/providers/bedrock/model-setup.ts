/**
 * Shared set-up of the ChatModel tests: the Bedrock ChatModel as the factory builds it (the SDK's default HTTP/2
 * handler, SigV4 or Bearer auth) against a loopback Bedrock simulator started for the test file.
 */
import { afterAll, beforeAll, beforeEach } from 'vitest';
import type { ChatChunk, ChatModel, ChatRequest } from '../../../lib/core/types.js';
import type { BedrockCredential } from '../../../lib/providers/bedrock/index.js';
import { bedrockFactory } from '../../../lib/providers/bedrock/index.js';
import { BedrockSimulator, converseText } from '../../../simulators/bedrock.js';

export const AKID = 'AKIDSIMULATOR0000001';
export const SECRET = 'simulator/secret/key/do-not-leak-0000000';
export const CLAUDE = 'anthropic.claude-3-haiku-20240307-v1:0';

export interface BedrockHarness {
  sim: BedrockSimulator;
  /** The ChatModel for static keys, built once per file. */
  model: ChatModel;
  /** A ChatModel for the static keys with some fields changed (or removed with `undefined`). */
  modelFor(credential?: Partial<BedrockCredential>): Promise<ChatModel>;
}

/** Registers the file's hooks: a simulator started before all tests and reset before each. */
export function useBedrockSimulator(): BedrockHarness {
  const sim = new BedrockSimulator();
  const harness: BedrockHarness = {
    sim,
    model: undefined as unknown as ChatModel,
    async modelFor(credential = {}) {
      return bedrockFactory.create(
        { region: 'us-east-1', access_key_id: AKID, secret_access_key: SECRET, endpoint: sim.url, ...credential },
        { providerName: 'bedrock' },
      );
    },
  };
  beforeAll(async () => {
    await sim.start();
    harness.model = await harness.modelFor();
  });
  afterAll(async () => {
    await sim.close();
  });
  beforeEach(() => {
    sim.reset();
    sim.expectAuth = 'any';
    sim.setDefault(converseText('Hello from the Bedrock simulator.'));
  });
  return harness;
}

export async function collect(stream: AsyncIterable<ChatChunk>): Promise<ChatChunk[]> {
  const chunks: ChatChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

/** The chunks that arrived before the stream failed, and the error it failed with. */
export async function collectUntilError(stream: AsyncIterable<ChatChunk>) {
  const chunks: ChatChunk[] = [];
  try {
    for await (const chunk of stream) chunks.push(chunk);
  } catch (error) {
    return { chunks, error: error as { status: number; code: string | null; message: string } };
  }
  throw new Error('expected the stream to fail');
}

export const text = (chunks: ChatChunk[]) =>
  chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.delta.content ?? '')).join('');

export const ask = (content: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model: CLAUDE,
  messages: [{ role: 'user', content }],
  ...extra,
});
