import { readFileSync } from 'node:fs';
import type { BedrockFrame } from '../../../simulators/bedrock.js';

/** A recorded Bedrock wire payload from test/fixtures/bedrock. */
export function fixture<T = unknown>(name: string): T {
  return JSON.parse(readFileSync(new URL(`../../fixtures/bedrock/${name}`, import.meta.url), 'utf8')) as T;
}

/** The frames of an `*.eventstream.json` fixture. */
export function frames(name: string): BedrockFrame[] {
  return fixture<BedrockFrame[]>(name);
}

/** Frames as the SDK yields them after decoding: `{ [eventType]: payload }`. */
export function sdkEvents(list: readonly BedrockFrame[]): Record<string, unknown>[] {
  return list.flatMap((frame) => ('event' in frame ? [{ [frame.event]: frame.data }] : []));
}

export async function* iterate<T>(items: readonly T[]): AsyncGenerator<T> {
  for (const item of items) yield item;
}

/** A CallContext stand-in that remembers what the provider said it ignored. */
export function testContext(signal: AbortSignal = new AbortController().signal) {
  const ignored: string[] = [];
  return {
    ignored,
    ctx: { signal, requestId: 'req-test', projectId: 'proj-test', ignore: (field: string) => void ignored.push(field) },
  };
}
