/** Fixtures and a CallContext for the Anthropic provider's tests. */
import { readFileSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, beforeEach, expect } from 'vitest';
import type { CatalogEntry } from '../../../lib/catalog.js';
import { GatewayError } from '../../../lib/core/errors.js';
import type { CallContext, ChatChunk, ChatModel, ChatRequest } from '../../../lib/core/types.js';
import { anthropicFactory } from '../../../lib/providers/anthropic/index.js';
import { type AnthropicSimulator, startAnthropicSimulator } from '../../../simulators/anthropic.js';

const dir = fileURLToPath(new URL('../../fixtures/anthropic/', import.meta.url));

export function jsonFixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(`${dir}${name}`, 'utf8')) as T;
}

export interface SseEvent {
  event?: string;
  data: unknown;
}

/** A recorded SSE stream (`*.sse.txt`) as its events, data parsed as JSON. */
export function sseFixture(name: string): SseEvent[] {
  return readFileSync(`${dir}${name}`, 'utf8')
    .split(/\n\n+/)
    .filter((frame) => frame.trim() !== '')
    .map((frame) => {
      const lines = frame.split('\n');
      const event = lines.find((line) => line.startsWith('event: '))?.slice('event: '.length);
      const data = lines
        .filter((line) => line.startsWith('data: '))
        .map((line) => line.slice('data: '.length))
        .join('\n');
      return { event, data: JSON.parse(data) };
    });
}

export interface TestContext extends CallContext {
  ignored: string[];
  controller: AbortController;
}

export function testContext(catalogEntry?: CatalogEntry): TestContext {
  const controller = new AbortController();
  const ignored: string[] = [];
  return {
    signal: controller.signal,
    requestId: 'req_test',
    projectId: 'proj_test',
    ignore: (field) => ignored.push(field),
    catalogEntry,
    ignored,
    controller,
  };
}

export const API_KEY = 'sk-ant-api03-test-key';
export const PNG = 'iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNk+M9QDwADhgGAWjR9awAAAABJRU5ErkJggg==';
export const weatherTool = {
  type: 'function' as const,
  function: {
    name: 'get_weather',
    parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
  },
};

export interface Harness {
  sim: AnthropicSimulator;
  model: ChatModel;
}

/** One simulator and one ChatModel on it for a test file; the simulator's script and records reset per test. */
export function useAnthropic(): Harness {
  const harness = {} as Harness;
  beforeAll(async () => {
    harness.sim = await startAnthropicSimulator({ apiKey: API_KEY });
    harness.model = await anthropicFactory.create(
      { api_key: API_KEY, base_url: harness.sim.url },
      { providerName: 'anthropic' },
    );
  });
  afterAll(() => harness.sim.close());
  beforeEach(() => harness.sim.reset());
  return harness;
}

export const ask = (content: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model: 'claude-haiku-4-5',
  messages: [{ role: 'user', content }],
  ...extra,
});

export async function collect(stream: AsyncIterable<ChatChunk>): Promise<ChatChunk[]> {
  const chunks: ChatChunk[] = [];
  for await (const chunk of stream) chunks.push(chunk);
  return chunks;
}

/** The GatewayError a call fails with (fails the test when it succeeds or throws anything else). */
export async function failure(run: () => Promise<unknown>): Promise<GatewayError> {
  try {
    await run();
  } catch (error) {
    expect(error).toBeInstanceOf(GatewayError);
    return error as GatewayError;
  }
  throw new Error('expected the call to fail');
}

export const streamedText = (chunks: ChatChunk[]) => chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');
