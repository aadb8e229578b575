/**
 * A native stream's events (CONTRACT.md §5 pass-through) travel with the canonical chunks made from them: the first
 * chunk of an event carries its text as the provider sent it, so the ingress can forward it unchanged while
 * metering reads the canonical fields. An event that makes no chunk still travels, on an empty one.
 */
import type { ChatChunk } from '../../core/types.js';

/** A parsed SSE event (`{type, …}`, as the Anthropic and openai SDKs yield them) as SSE text again. */
export function sseEventText(raw: unknown): string {
  return `event: ${String((raw as { type?: unknown }).type)}\ndata: ${JSON.stringify(raw)}\n\n`;
}

export function withNativeEvent(chunks: readonly ChatChunk[], raw: unknown): ChatChunk[] {
  const text = sseEventText(raw);
  if (chunks.length === 0) return [{ choices: [], native: text }];
  return chunks.map((chunk, i) => ({ ...chunk, native: i === 0 ? text : '' }));
}
