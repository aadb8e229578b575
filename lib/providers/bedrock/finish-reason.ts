import type { FinishReason } from '../../core/types.js';

/**
 * Maps Converse's `stopReason` to OpenAI's `finish_reason`. Unknown or malformed-output reasons become `stop`: the
 * answer ended, and OpenAI's vocabulary has no better word for it.
 * @see https://docs.aws.amazon.com/bedrock/latest/APIReference/API_runtime_MessageStopEvent.html
 */
export function mapFinishReason(stopReason: string | null | undefined): FinishReason {
  switch (stopReason) {
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'guardrail_intervened':
    case 'content_filtered':
      return 'content_filter';
    default:
      // end_turn, stop_sequence, malformed_model_output, malformed_tool_use, and reasons added later.
      return 'stop';
  }
}
