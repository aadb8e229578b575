import type { FinishReason } from '../../core/types.js';

/**
 * An upstream `finish_reason` in OpenAI's vocabulary. OpenAI's own values pass unchanged; compatible servers
 * sometimes report their engine's words (Mistral's `model_length`, vLLM/TGI's `eos`), mapped to their meaning.
 * @see https://platform.openai.com/docs/api-reference/chat/object#chat/object-choices
 */
export function mapFinishReason(reason: string | null | undefined): FinishReason | null {
  switch (reason) {
    case null:
    case undefined:
      return null;
    case 'stop':
    case 'length':
    case 'tool_calls':
    case 'content_filter':
    case 'function_call':
      return reason;
    case 'model_length':
    case 'max_tokens':
      return 'length';
    case 'tool_use':
      return 'tool_calls';
    default:
      // `eos`, `end_turn`, `stop_sequence`, OpenRouter's `error` (its error also arrives as an error event), …
      return 'stop';
  }
}
