/**
 * The Anthropic Messages ingress (`POST /v1/messages`, CONTRACT.md §5): the canonical result and chunk stream
 * rendered in Anthropic's shapes — `message` objects with content blocks, `stop_reason`, usage in Anthropic's
 * convention (input without cache reads and writes) — and Anthropic's event stream and error envelope.
 * @see https://docs.anthropic.com/en/api/messages
 * @see https://docs.anthropic.com/en/docs/build-with-claude/streaming
 * @see https://docs.anthropic.com/en/api/errors
 */
import type { GatewayError } from '../../core/errors.js';
import type { ChatChunk, ChatResult, FinishReason, Usage } from '../../core/types.js';
import type { ResponseIdentity } from '../respond.js';
import { parseCountTokensRequest, parseMessagesRequest } from './messages-request.js';
import type { Ingress, StreamRenderer } from './types.js';

export { parseCountTokensRequest };

type StopReason = 'end_turn' | 'max_tokens' | 'stop_sequence' | 'tool_use' | 'refusal';

const STOP_REASONS: Record<FinishReason, StopReason> = {
  stop: 'end_turn',
  length: 'max_tokens',
  tool_calls: 'tool_use',
  function_call: 'tool_use',
  content_filter: 'refusal',
};

function stopReasonOf(finish: FinishReason | null | undefined): StopReason | null {
  return finish ? STOP_REASONS[finish] : null;
}

export interface AnthropicUsage {
  input_tokens: number;
  output_tokens: number;
  cache_read_input_tokens: number;
  cache_creation_input_tokens: number;
}

/** Anthropic counts input without the cache: the canonical input includes reads and writes. */
export function toAnthropicUsage(usage: Usage | undefined): AnthropicUsage {
  if (!usage) return { input_tokens: 0, output_tokens: 0, cache_read_input_tokens: 0, cache_creation_input_tokens: 0 };
  return {
    input_tokens: Math.max(0, usage.inputTokens - usage.cacheReadTokens - usage.cacheWriteTokens),
    output_tokens: usage.outputTokens,
    cache_read_input_tokens: usage.cacheReadTokens,
    cache_creation_input_tokens: usage.cacheWriteTokens,
  };
}

/** A tool call's arguments as the `input` object Anthropic's `tool_use` block carries. */
function toolInput(args: string): unknown {
  try {
    const parsed: unknown = JSON.parse(args || '{}');
    return typeof parsed === 'object' && parsed !== null && !Array.isArray(parsed) ? parsed : { value: parsed };
  } catch {
    return {};
  }
}

export function messageBody(result: ChatResult, identity: ResponseIdentity): Record<string, unknown> {
  // Anthropic's own answer (a native call): as it came, but for `model`, which names what the caller asked for.
  if (result.native) return { ...result.native, model: identity.model };
  const choice = result.choices[0];
  const content: Record<string, unknown>[] = [];
  const text = choice?.message.content ?? choice?.message.refusal;
  if (text) content.push({ type: 'text', text });
  for (const call of choice?.message.tool_calls ?? []) {
    content.push({
      type: 'tool_use',
      id: call.id,
      name: call.function.name,
      input: toolInput(call.function.arguments),
    });
  }
  return {
    id: identity.id,
    type: 'message',
    role: 'assistant',
    model: identity.model,
    content,
    stop_reason: stopReasonOf(choice?.finish_reason) ?? 'end_turn',
    stop_sequence: null,
    usage: toAnthropicUsage(result.usage),
  };
}

const event = (type: string, data: Record<string, unknown>): string =>
  `event: ${type}\ndata: ${JSON.stringify({ type, ...data })}\n\n`;

/** Anthropic's error types by the gateway's status (CONTRACT.md §2 statuses, §5 types). */
export function anthropicErrorType(status: number): string {
  if (status === 400 || status === 405 || status === 422) return 'invalid_request_error';
  if (status === 401) return 'authentication_error';
  if (status === 403) return 'permission_error';
  if (status === 404) return 'not_found_error';
  if (status === 413) return 'request_too_large';
  if (status === 429) return 'rate_limit_error';
  if (status === 529 || status === 503) return 'overloaded_error';
  return 'api_error';
}

export function anthropicErrorBody(error: GatewayError): Record<string, unknown> {
  return { type: 'error', error: { type: anthropicErrorType(error.status), message: error.message } };
}

/**
 * The event stream: `message_start` before the first block, a `text` block for content, a `tool_use` block per
 * tool call (its arguments as `input_json_delta`), each block closed before the next opens, then `message_delta`
 * with the stop reason and usage, and `message_stop`.
 */
class MessagesStream implements StreamRenderer {
  private started = false;
  private index = -1;
  private open: { kind: 'text' } | { kind: 'tool'; call: number } | undefined;
  private stopReason: StopReason | null = null;
  private native = false;

  constructor(private readonly identity: ResponseIdentity) {}

  private start(usage: Usage | undefined): string {
    if (this.started) return '';
    this.started = true;
    return event('message_start', {
      message: {
        id: this.identity.id,
        type: 'message',
        role: 'assistant',
        model: this.identity.model,
        content: [],
        stop_reason: null,
        stop_sequence: null,
        usage: { ...toAnthropicUsage(usage), output_tokens: 0 },
      },
    });
  }

  private close(): string {
    if (!this.open) return '';
    this.open = undefined;
    return event('content_block_stop', { index: this.index });
  }

  chunk(chunk: ChatChunk): string {
    if (chunk.native !== undefined) {
      // Anthropic's own events, forwarded as they came: they are the whole stream, its end included.
      this.native = true;
      this.started = true;
      return chunk.native;
    }
    let out = this.start(chunk.usage);
    for (const choice of chunk.choices.filter((c) => c.index === 0)) {
      const text = choice.delta.content ?? choice.delta.refusal;
      if (text) {
        if (this.open?.kind !== 'text') {
          out += this.close();
          this.open = { kind: 'text' };
          out += event('content_block_start', { index: ++this.index, content_block: { type: 'text', text: '' } });
        }
        out += event('content_block_delta', { index: this.index, delta: { type: 'text_delta', text } });
      }
      for (const call of choice.delta.tool_calls ?? []) {
        if (!(this.open?.kind === 'tool' && this.open.call === call.index)) {
          out += this.close();
          this.open = { kind: 'tool', call: call.index };
          out += event('content_block_start', {
            index: ++this.index,
            content_block: {
              type: 'tool_use',
              id: call.id ?? `toolu_${this.index}`,
              name: call.function?.name ?? '',
              input: {},
            },
          });
        }
        const args = call.function?.arguments;
        if (args) {
          out += event('content_block_delta', {
            index: this.index,
            delta: { type: 'input_json_delta', partial_json: args },
          });
        }
      }
      if (choice.finish_reason) this.stopReason = stopReasonOf(choice.finish_reason);
    }
    return out;
  }

  end(usage: Usage | undefined): string {
    if (this.native) return '';
    const final = toAnthropicUsage(usage);
    return (
      this.start(undefined) +
      this.close() +
      event('message_delta', {
        delta: { stop_reason: this.stopReason ?? 'end_turn', stop_sequence: null },
        usage: final,
      }) +
      event('message_stop', {})
    );
  }

  error(error: GatewayError): string {
    return (
      this.start(undefined) + event('error', { error: anthropicErrorBody(error).error as Record<string, unknown> })
    );
  }
}

export const messagesIngress: Ingress = {
  endpoint: 'messages',
  idPrefix: 'msg_',
  parse: parseMessagesRequest,
  complete: messageBody,
  stream: (identity) => new MessagesStream(identity),
  errorBody: anthropicErrorBody,
};
