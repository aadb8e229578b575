import * as z from 'zod';
import type { ChatResult, FinishReason, ToolCall } from '../../core/types.js';
import { invalidResponse } from '../shared/http-errors.js';
import { isJsonResponseToolCall } from '../shared/json-response-tool.js';
import { mapFinishReason } from './finish-reason.js';
import { bedrockUsageSchema, toUsage } from './usage.js';

const toolUseSchema = z.looseObject({ toolUseId: z.string(), name: z.string(), input: z.unknown() });

/** Text and tool use are read; other blocks (reasoning, citations, images) pass unread. */
const contentBlockSchema = z.looseObject({ text: z.string().nullish(), toolUse: toolUseSchema.nullish() });

export const converseOutputSchema = z.looseObject({
  output: z
    .looseObject({ message: z.looseObject({ content: z.array(contentBlockSchema).nullish() }).nullish() })
    .nullish(),
  stopReason: z.string().nullish(),
  usage: bedrockUsageSchema.nullish(),
});

/**
 * Converts a Converse response into a ChatResult: text blocks → `content`, `toolUse` blocks → `tool_calls` (input as
 * a JSON string), the forced JSON-answer tool's input → `content` with finish reason `stop`.
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_Converse.html#API_runtime_Converse_ResponseSyntax
 */
export function toChatResult(raw: unknown): ChatResult {
  const parsed = converseOutputSchema.safeParse(raw);
  if (!parsed.success) throw invalidResponse('Bedrock', parsed.error);
  const { output, stopReason, usage } = parsed.data;
  let content = '';
  let jsonAnswer = false;
  const toolCalls: ToolCall[] = [];
  for (const block of output?.message?.content ?? []) {
    if (typeof block.text === 'string') content += block.text;
    else if (block.toolUse && isJsonResponseToolCall(block.toolUse.name)) {
      content += JSON.stringify(block.toolUse.input ?? {});
      jsonAnswer = true;
    } else if (block.toolUse) {
      toolCalls.push({
        id: block.toolUse.toolUseId,
        type: 'function',
        function: { name: block.toolUse.name, arguments: JSON.stringify(block.toolUse.input ?? {}) },
      });
    }
  }
  return {
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: content === '' && toolCalls.length > 0 ? null : content,
          ...(toolCalls.length > 0 ? { tool_calls: toolCalls } : {}),
        },
        finish_reason: finishReason(stopReason, jsonAnswer, toolCalls.length > 0),
      },
    ],
    usage: toUsage(usage),
  };
}

/** A `tool_use` stop caused only by the JSON-answer tool is a plain `stop` to the caller. */
export function finishReason(
  stopReason: string | null | undefined,
  jsonAnswer: boolean,
  toolCalls: boolean,
): FinishReason {
  if (stopReason === 'tool_use' && jsonAnswer && !toolCalls) return 'stop';
  return mapFinishReason(stopReason);
}
