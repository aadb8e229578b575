/**
 * OpenAI's own Responses API, for `/v1/responses` on the `openai` provider (CONTRACT.md §5: the request goes there
 * unchanged but for `model`, so `previous_response_id`, `store` and built-in tools work as OpenAI offers them). The
 * answer and its events are forwarded as they came; what is read from them here is only what metering needs:
 * usage, the finish reason, and the text and call arguments streamed (for an estimate if the stream is cut short).
 * @see https://platform.openai.com/docs/api-reference/responses
 */
import { GatewayError } from '../../core/errors.js';
import type { ChatChunk, ChatResult, FinishReason, ToolCall, Usage } from '../../core/types.js';
import { streamCutOff } from '../shared/http-errors.js';
import { withNativeEvent } from '../shared/native-event.js';
import type { StreamConverter } from '../shared/stream-converter.js';

interface WireUsage {
  input_tokens?: number;
  output_tokens?: number;
  input_tokens_details?: { cached_tokens?: number } | null;
  output_tokens_details?: { reasoning_tokens?: number } | null;
}

interface WireItem {
  type?: string;
  call_id?: string;
  name?: string;
  arguments?: string;
  content?: { type?: string; text?: string; refusal?: string }[];
}

interface WireResponse {
  id?: string;
  status?: string;
  output?: WireItem[];
  usage?: WireUsage | null;
  error?: { message?: string; code?: string } | null;
}

export function usageOf(usage: WireUsage | null | undefined): Usage {
  const out: Usage = {
    inputTokens: usage?.input_tokens ?? 0,
    outputTokens: usage?.output_tokens ?? 0,
    cacheReadTokens: usage?.input_tokens_details?.cached_tokens ?? 0,
    cacheWriteTokens: 0,
  };
  const reasoning = usage?.output_tokens_details?.reasoning_tokens;
  if (reasoning) out.reasoningTokens = reasoning;
  return out;
}

function finishOf(response: WireResponse, calls: number): FinishReason {
  if (response.status === 'incomplete') return 'length';
  return calls > 0 ? 'tool_calls' : 'stop';
}

/** A `response` object as a canonical result, with the object itself kept as the native answer. */
export function fromResponse(raw: unknown): ChatResult {
  const response = raw as WireResponse;
  const text: string[] = [];
  const calls: ToolCall[] = [];
  for (const item of response.output ?? []) {
    if (item.type === 'message') for (const part of item.content ?? []) text.push(part.text ?? part.refusal ?? '');
    if (item.type === 'function_call') {
      calls.push({
        id: item.call_id ?? '',
        type: 'function',
        function: { name: item.name ?? '', arguments: item.arguments ?? '' },
      });
    }
  }
  return {
    ...(response.id ? { id: response.id } : {}),
    choices: [
      {
        index: 0,
        message: {
          role: 'assistant',
          content: text.length > 0 ? text.join('') : null,
          ...(calls.length ? { tool_calls: calls } : {}),
        },
        finish_reason: finishOf(response, calls.length),
      },
    ],
    usage: usageOf(response.usage),
    native: raw as Record<string, unknown>,
  };
}

interface WireEvent {
  type?: string;
  delta?: string;
  output_index?: number;
  item?: WireItem;
  response?: WireResponse;
  message?: string;
  code?: string;
}

/** The Responses event stream as canonical chunks, each carrying its event's text for the ingress to forward. */
export function createResponsesStreamConverter(provider: string): StreamConverter {
  const toolIndexByOutput = new Map<number, number>();
  let done = false;
  const chunk = (delta: ChatChunk['choices'][number]['delta']): ChatChunk => ({
    choices: [{ index: 0, delta, finish_reason: null }],
  });
  return {
    get done() {
      return done;
    },
    push(raw: unknown): ChatChunk[] {
      return withNativeEvent(convert(raw as WireEvent), raw);
    },
    /** Nothing is owed after `response.completed`; a stream that ends before it was cut off. */
    end() {
      if (!done) throw streamCutOff(provider);
      return [];
    },
  };

  function convert(event: WireEvent): ChatChunk[] {
    switch (event.type) {
      case 'response.output_text.delta':
        return event.delta ? [chunk({ content: event.delta })] : [];
      case 'response.output_item.added': {
        if (event.item?.type !== 'function_call') return [];
        const index = toolIndexByOutput.size;
        toolIndexByOutput.set(event.output_index ?? index, index);
        return [
          chunk({
            tool_calls: [
              {
                index,
                id: event.item.call_id ?? '',
                type: 'function',
                function: { name: event.item.name ?? '', arguments: '' },
              },
            ],
          }),
        ];
      }
      case 'response.function_call_arguments.delta': {
        const index = toolIndexByOutput.get(event.output_index ?? -1);
        if (index === undefined || !event.delta) return [];
        return [chunk({ tool_calls: [{ index, function: { arguments: event.delta } }] })];
      }
      case 'response.completed':
      case 'response.incomplete': {
        done = true;
        const response = event.response ?? {};
        return [
          {
            choices: [{ index: 0, delta: {}, finish_reason: finishOf(response, toolIndexByOutput.size) }],
            usage: usageOf(response.usage),
          },
        ];
      }
      case 'response.failed':
      case 'error': {
        const message = event.response?.error?.message ?? event.message ?? 'The provider failed the response.';
        throw new GatewayError({
          status: 502,
          type: 'upstream_error',
          code: 'upstream_error',
          message: `${provider}: ${message}`,
        });
      }
      default:
        return [];
    }
  }
}
