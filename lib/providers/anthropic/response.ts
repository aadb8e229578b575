/**
 * Anthropic Message → ChatResult (OpenAI `chat.completion` without the envelope).
 * @see https://docs.anthropic.com/en/api/messages#response-content
 */

import type { ChatResult, FinishReason, ToolCall } from '../../core/types.js';
import { isJsonResponseToolCall } from '../shared/json-response-tool.js';
import { mapFinishReason } from './finish-reason.js';
import { toUsage } from './usage.js';
import { messageSchema, parseBlock } from './wire.js';

/**
 * Text blocks → `content`, `tool_use` blocks → `tool_calls` (input re-serialised as the JSON string OpenAI clients
 * parse, ids kept); thinking and server-tool blocks are dropped. In JSON mode the forced tool's input is the answer:
 * it becomes `content` and the finish reason is `stop` unless the caller's own tools were called as well.
 * Throws a ZodError when the body is not a Message (errors.ts maps it to a 502).
 */
export function toChatResult(raw: unknown, jsonMode: boolean): ChatResult {
  const message = messageSchema.parse(raw);
  const texts: string[] = [];
  const toolCalls: ToolCall[] = [];
  let json: string | undefined;
  for (const block of message.content.map(parseBlock)) {
    if (block.type === 'text') texts.push(block.text);
    else if (block.type === 'tool_use') {
      const args = JSON.stringify(block.input ?? {});
      if (jsonMode && isJsonResponseToolCall(block.name)) json = args;
      else toolCalls.push({ id: block.id, type: 'function', function: { name: block.name, arguments: args } });
    }
  }
  // Text beside the JSON tool call is Claude's preamble, not the answer the format asked for.
  const text = json ?? (texts.length > 0 ? texts.join('') : null);
  const content = text ?? (toolCalls.length > 0 ? null : '');
  return {
    id: message.id,
    choices: [
      {
        index: 0,
        message:
          toolCalls.length > 0 ? { role: 'assistant', content, tool_calls: toolCalls } : { role: 'assistant', content },
        finish_reason: finishReason(message.stop_reason, jsonMode, toolCalls.length > 0),
      },
    ],
    usage: toUsage(message.usage),
  };
}

/** In JSON mode a `tool_use` stop that called only the JSON tool is a finished answer, not a request to run tools. */
export function finishReason(
  stopReason: string | null | undefined,
  jsonMode: boolean,
  calledTools: boolean,
): FinishReason {
  const mapped = mapFinishReason(stopReason);
  if (jsonMode && mapped === 'tool_calls' && !calledTools) return 'stop';
  return mapped;
}
