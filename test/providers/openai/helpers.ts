/** Shared test helpers for the OpenAI provider tests: wire fixtures, a CallContext, stream collection. */
import { readFileSync } from 'node:fs';
import type { CallContext } from '../../../lib/core/types.js';

const FIXTURES = new URL('../../fixtures/openai/', import.meta.url);

export function fixtureText(name: string): string {
  return readFileSync(new URL(name, FIXTURES), 'utf8');
}

export function fixtureJson(name: string): unknown {
  return JSON.parse(fixtureText(name));
}

/** The JSON `data:` payloads of a recorded SSE stream, without the closing `[DONE]`. */
export function sseEvents(name: string): unknown[] {
  return fixtureText(name)
    .split(/\n\n+/)
    .map((block) => block.trim())
    .filter((block) => block.startsWith('data:') && !block.includes('[DONE]'))
    .map((block) => JSON.parse(block.slice('data:'.length)));
}

export async function* fromArray<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

export async function collect<T>(iterable: AsyncIterable<T>): Promise<T[]> {
  const items: T[] = [];
  for await (const item of iterable) items.push(item);
  return items;
}

export function testContext(signal: AbortSignal = new AbortController().signal): CallContext {
  return { signal, requestId: 'req_test', projectId: 'p', ignore: () => {} };
}
