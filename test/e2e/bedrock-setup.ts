/**
 * Shared set-up of the Bedrock end-to-end tests: the local gateway (test/helpers/local-gateway.ts) with a project
 * whose `bedrock` credential points at a Bedrock simulator, the official openai SDK as the client, and every line
 * the gateway logs kept (to check that no key reaches the logs).
 */
import type OpenAI from 'openai';
import { afterAll, beforeAll, beforeEach, vi } from 'vitest';
import { BedrockSimulator, converseText } from '../../simulators/bedrock.js';
import { setEnv, startTestGateway, type TestGateway } from '../helpers/local-gateway.js';

export const AKID = 'AKIDE2ESIMULATOR0001';
export const SECRET = 'e2e/secret/access/key/never-shown-00000';
export const API_KEY = 'ABSKe2e-bedrock-api-key-never-shown';
export const MODEL = 'bedrock/anthropic.claude-3-haiku-20240307-v1:0';
export const CLAUDE = 'anthropic.claude-3-haiku-20240307-v1:0';

export type { ApiError } from '../helpers/local-gateway.js';
export type Chunk = OpenAI.Chat.Completions.ChatCompletionChunk;

export interface BedrockE2E {
  sim: BedrockSimulator;
  gateway: TestGateway;
  client: OpenAI;
  projectId: string;
  /** What the gateway wrote to stdout and stderr during the file. */
  logged: string[];
}

/** Registers the file's hooks; the returned object is filled in before the first test runs. */
export function useBedrockGateway(): BedrockE2E {
  const state = { sim: new BedrockSimulator(), logged: [] as string[] } as BedrockE2E;
  let restoreEnv: (() => void) | undefined;
  beforeAll(async () => {
    for (const stream of [process.stdout, process.stderr]) {
      vi.spyOn(stream, 'write').mockImplementation(((chunk: string | Uint8Array) => {
        state.logged.push(String(chunk));
        return true;
      }) as typeof stream.write);
    }
    restoreEnv = setEnv({ GATEWAY_MAX_RETRIES: '0', GATEWAY_LOG_LEVEL: 'debug' });
    await state.sim.start();
    state.gateway = await startTestGateway();
    const { projectId, key } = await state.gateway.project('bedrock-e2e');
    await state.gateway.putProvider(projectId, 'bedrock', {
      region: 'us-east-1',
      access_key_id: AKID,
      secret_access_key: SECRET,
      endpoint: state.sim.url,
    });
    state.projectId = projectId;
    state.client = state.gateway.client(key);
  });
  afterAll(async () => {
    await state.gateway?.close();
    await state.sim.close();
    restoreEnv?.();
    vi.restoreAllMocks();
  });
  beforeEach(() => {
    state.sim.reset();
    state.sim.expectAuth = 'any';
    state.sim.setDefault(converseText('Hello from Bedrock.'));
  });
  return state;
}

export { failure, user } from '../helpers/local-gateway.js';

export async function collect(stream: AsyncIterable<Chunk>): Promise<Chunk[]> {
  const chunks: Chunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

export const streamedText = (chunks: Chunk[]) => chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');

export const topSong = {
  type: 'function' as const,
  function: {
    name: 'top_song',
    description: 'Get the most popular song played on a radio station.',
    parameters: { type: 'object', properties: { sign: { type: 'string' } }, required: ['sign'] },
  },
};
