import type { FinishReason } from '../../core/types.js';

/**
 * Anthropic `stop_reason` → OpenAI `finish_reason`. `pause_turn` (a server tool paused a long turn) ends this answer
 * like `end_turn`; `model_context_window_exceeded` is a length stop. Unknown values (new ones may come with any
 * release) read as `stop`: the answer did end.
 * @see https://docs.anthropic.com/en/api/handling-stop-reasons
 */
export function mapFinishReason(stopReason: string | null | undefined): FinishReason {
  switch (stopReason) {
    case 'end_turn':
    case 'stop_sequence':
    case 'pause_turn':
      return 'stop';
    case 'max_tokens':
    case 'model_context_window_exceeded':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    case 'refusal':
      return 'content_filter';
    default:
      return 'stop';
  }
}
