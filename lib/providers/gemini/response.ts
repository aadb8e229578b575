/**
 * Gemini `GenerateContentResponse` → ChatResult: one choice per candidate, text parts joined (thought summaries
 * left out), `functionCall` parts as tool calls. A prompt Gemini blocked outright (no candidates,
 * `promptFeedback.blockReason`) is an answer with `finish_reason: content_filter`, not an error.
 * @see https://ai.google.dev/api/generate-content#generatecontentresponse
 */

import type { AssistantOutput, ChatResult, CompletionChoice, ToolCall } from '../../core/types.js';
import { invalidResponse } from '../shared/http-errors.js';
import { mapFinishReason } from './finish-reason.js';
import { toUsage } from './usage.js';
import { type GeminiCandidate, type GeminiResponse, generateContentResponseSchema } from './wire.js';

/** Parses what the SDK returned; a shape the gateway cannot read is a 502. */
export function parseResponse(raw: unknown, provider: string): GeminiResponse {
  const parsed = generateContentResponseSchema.safeParse(raw);
  if (!parsed.success) throw invalidResponse(provider, parsed.error);
  return parsed.data;
}

export function toChatResult(raw: unknown, provider: string): ChatResult {
  const response = parseResponse(raw, provider);
  const ids = toolCallIds();
  const candidates = response.candidates ?? [];
  const choices: CompletionChoice[] =
    candidates.length === 0
      ? [{ index: 0, message: blockedMessage(response), finish_reason: blockedFinish(response) }]
      : candidates.map((candidate, position) => {
          const { text, toolCalls } = readParts(candidate, ids);
          const message: AssistantOutput = { role: 'assistant', content: text };
          if (toolCalls.length > 0) message.tool_calls = toolCalls;
          return {
            index: candidate.index ?? position,
            message,
            finish_reason: mapFinishReason(candidate.finishReason, toolCalls.length > 0),
          };
        });
  const result: ChatResult = { choices, usage: toUsage(response.usageMetadata) };
  if (response.responseId) result.id = response.responseId;
  return result;
}

/** Tool call ids for calls Gemini gave none: `call_0`, `call_1`, … in the order they appear in one answer. */
export function toolCallIds(): (given: string | null | undefined) => string {
  let next = 0;
  return (given) => given || `call_${next++}`;
}

/** A candidate's visible text (null when it has none) and its function calls. */
export function readParts(
  candidate: GeminiCandidate,
  nextId: (given: string | null | undefined) => string,
): { text: string | null; toolCalls: ToolCall[] } {
  const texts: string[] = [];
  const toolCalls: ToolCall[] = [];
  for (const part of candidate.content?.parts ?? []) {
    if (typeof part.text === 'string' && !part.thought) texts.push(part.text);
    if (part.functionCall) {
      toolCalls.push({
        id: nextId(part.functionCall.id),
        type: 'function',
        function: { name: part.functionCall.name ?? '', arguments: JSON.stringify(part.functionCall.args ?? {}) },
      });
    }
  }
  const text = texts.join('');
  return { text: text.length > 0 ? text : null, toolCalls };
}

export function blockedMessage(response: GeminiResponse): AssistantOutput {
  const reason = response.promptFeedback?.blockReason;
  return reason
    ? { role: 'assistant', content: null, refusal: `Gemini blocked the prompt (${reason}).` }
    : { role: 'assistant', content: null };
}

export function blockedFinish(response: GeminiResponse): CompletionChoice['finish_reason'] {
  return response.promptFeedback?.blockReason ? 'content_filter' : 'stop';
}
