/**
 * Upstream `chat.completion.chunk`s → ChatChunks. Choices pass through (tool-call deltas keep their index, id,
 * type, name and argument fragments); usage is normalised on whichever chunk carries it: OpenAI sends it on a
 * final chunk with empty `choices`, some compatible servers attach it to the last choice chunk, Groq under `x_groq`.
 * @see https://platform.openai.com/docs/api-reference/chat/streaming
 */

import type { ChatChunk, ChunkChoice, ChunkDelta, ToolCallDelta } from '../../core/types.js';
import { invalidResponse, streamCutOff } from '../shared/http-errors.js';
import type { StreamConverter } from '../shared/stream-converter.js';
import { mapFinishReason } from './finish-reason.js';
import { toUsage } from './usage.js';
import { type WireChunk, type WireDelta, type WireToolCallDelta, wireChunkSchema } from './wire.js';

/**
 * Converts a stream of raw upstream chunks. A stream that ends before any choice finished was cut short (the
 * upstream went away without an error event): that is an error, never a silently truncated answer.
 */
export function createStreamConverter(provider: string): StreamConverter {
  let finished = false;
  return {
    done: false,
    push(raw) {
      const parsed = wireChunkSchema.safeParse(raw);
      if (!parsed.success) throw invalidResponse(provider, parsed.error);
      const chunk = toChatChunk(parsed.data);
      if (chunk.choices.some((choice) => choice.finish_reason !== null)) finished = true;
      return [chunk];
    },
    end() {
      if (!finished) throw streamCutOff(provider);
      return [];
    },
  };
}

export function toChatChunk(chunk: WireChunk): ChatChunk {
  const result: ChatChunk = {
    choices: (chunk.choices ?? []).map(
      (choice, position): ChunkChoice => ({
        index: choice.index ?? position,
        delta: toDelta(choice.delta ?? {}),
        finish_reason: mapFinishReason(choice.finish_reason),
        ...(choice.logprobs != null ? { logprobs: choice.logprobs } : {}),
      }),
    ),
  };
  if (chunk.id) result.id = chunk.id;
  if (chunk.system_fingerprint != null) result.system_fingerprint = chunk.system_fingerprint;
  const usage = chunk.usage ?? chunk.x_groq?.usage;
  if (usage) result.usage = toUsage(usage);
  return result;
}

function toDelta(delta: WireDelta): ChunkDelta {
  const { role, content, tool_calls, refusal, ...extra } = delta;
  const result: ChunkDelta = { ...extra };
  if (role === 'assistant') result.role = 'assistant';
  if (content !== undefined) result.content = content;
  if (tool_calls && tool_calls.length > 0) result.tool_calls = tool_calls.map(toToolCallDelta);
  if (refusal !== undefined) result.refusal = refusal;
  return result;
}

function toToolCallDelta(call: WireToolCallDelta, position: number): ToolCallDelta {
  const { index, id, type, function: fn, ...extra } = call;
  const result: ToolCallDelta = { ...extra, index: index ?? position };
  if (id) result.id = id;
  // The first delta of a call carries its id; compatible servers that omit `type` there still mean a function.
  if (type === 'function' || (type == null && id)) result.type = 'function';
  if (fn) {
    const { name, arguments: args, ...fnExtra } = fn;
    const out: NonNullable<ToolCallDelta['function']> = { ...fnExtra };
    if (name != null) out.name = name;
    if (args != null) out.arguments = args;
    result.function = out;
  }
  return result;
}
