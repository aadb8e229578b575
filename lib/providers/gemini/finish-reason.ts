/**
 * Gemini `finishReason` → OpenAI `finish_reason`.
 * @see https://ai.google.dev/api/generate-content#FinishReason
 * @see https://cloud.google.com/vertex-ai/generative-ai/docs/reference/rest/v1/GenerateContentResponse#FinishReason
 */
import type { FinishReason } from '../../core/types.js';

/**
 * `STOP` is `tool_calls` when the answer holds function calls (Gemini has no reason of its own for that);
 * `MAX_TOKENS` → `length`; the safety, recitation and blocklist family → `content_filter`; everything else
 * (`OTHER`, `LANGUAGE`, `MALFORMED_FUNCTION_CALL`, unknown future values, none at all) → `stop`, the raw value
 * staying in the logs.
 */
export function mapFinishReason(reason: string | null | undefined, hasToolCalls: boolean): FinishReason {
  switch (reason) {
    case 'MAX_TOKENS':
      return 'length';
    case 'SAFETY':
    case 'RECITATION':
    case 'BLOCKLIST':
    case 'PROHIBITED_CONTENT':
    case 'SPII':
    case 'IMAGE_SAFETY':
    case 'IMAGE_PROHIBITED_CONTENT':
    case 'IMAGE_RECITATION':
      return 'content_filter';
    default:
      return hasToolCalls ? 'tool_calls' : 'stop';
  }
}
