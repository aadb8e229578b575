/**
 * An upstream chat completion → ChatResult. The message goes through as it came (extra fields such as
 * `annotations` or DeepSeek's `reasoning_content` included); usage and finish reason are normalised.
 * @see https://platform.openai.com/docs/api-reference/chat/object
 */

import type { AssistantOutput, ChatResult, CompletionChoice, ToolCall } from '../../core/types.js';
import { invalidResponse } from '../shared/http-errors.js';
import { mapFinishReason } from './finish-reason.js';
import { toUsage } from './usage.js';
import { type WireMessage, type WireToolCall, wireCompletionSchema } from './wire.js';

/** Validates and converts a completion; an unreadable body is a 502 naming the provider, not a crash. */
export function toChatResult(raw: unknown, provider: string): ChatResult {
  const parsed = wireCompletionSchema.safeParse(raw);
  if (!parsed.success) throw invalidResponse(provider, parsed.error);
  const completion = parsed.data;
  const choices = completion.choices.map(
    (choice, position): CompletionChoice => ({
      index: choice.index ?? position,
      message: toAssistantOutput(choice.message),
      finish_reason: mapFinishReason(choice.finish_reason),
      ...(choice.logprobs != null ? { logprobs: choice.logprobs } : {}),
    }),
  );
  const result: ChatResult = { choices, usage: toUsage(completion.usage) };
  if (completion.id) result.id = completion.id;
  if (completion.system_fingerprint != null) result.system_fingerprint = completion.system_fingerprint;
  if (completion.service_tier != null) result.service_tier = completion.service_tier;
  return result;
}

export function toAssistantOutput(message: WireMessage): AssistantOutput {
  const { role: _role, content, tool_calls, refusal: _refusal, ...extra } = message;
  const output: AssistantOutput = { ...extra, role: 'assistant', content: toText(content) };
  if (tool_calls && tool_calls.length > 0) output.tool_calls = tool_calls.map(toToolCall);
  if (message.refusal !== undefined) output.refusal = message.refusal;
  return output;
}

function toText(content: WireMessage['content']): string | null {
  if (content == null || typeof content === 'string') return content ?? null;
  const text = content.flatMap((part) => (part.type === 'text' && part.text ? [part.text] : [])).join('');
  return text.length > 0 ? text : null;
}

function toToolCall(call: WireToolCall): ToolCall {
  const args = call.function.arguments;
  return {
    ...call,
    id: call.id,
    type: 'function',
    function: {
      ...call.function,
      name: call.function.name,
      arguments: typeof args === 'string' ? args : JSON.stringify(args ?? {}),
    },
  };
}
