/**
 * The OpenAI Responses ingress (`POST /v1/responses`, CONTRACT.md §5): the canonical result rendered as a
 * `response` object (`message` items with `output_text` parts, `function_call` items, usage with
 * `input_tokens_details.cached_tokens`), streams as the Responses event sequence with `sequence_number`, errors in
 * OpenAI's envelope before the stream and as `error` + `response.failed` after it.
 * @see https://platform.openai.com/docs/api-reference/responses/object
 * @see https://platform.openai.com/docs/api-reference/responses-streaming
 */
import { type GatewayError, toErrorBody } from '../../core/errors.js';
import type { ChatChunk, ChatRequest, ChatResult, FinishReason, ToolCall, Usage } from '../../core/types.js';
import type { ResponseIdentity } from '../respond.js';
import { parseResponsesRequest } from './responses-request.js';
import type { Ingress, StreamRenderer } from './types.js';

export function toResponsesUsage(usage: Usage | undefined): Record<string, unknown> {
  const input = usage?.inputTokens ?? 0;
  const output = usage?.outputTokens ?? 0;
  return {
    input_tokens: input,
    input_tokens_details: { cached_tokens: usage?.cacheReadTokens ?? 0 },
    output_tokens: output,
    output_tokens_details: { reasoning_tokens: usage?.reasoningTokens ?? 0 },
    total_tokens: input + output,
  };
}

type OutputItem = Record<string, unknown>;

function messageItem(id: string, text: string, status: 'in_progress' | 'completed'): OutputItem {
  return {
    type: 'message',
    id,
    status,
    role: 'assistant',
    content: status === 'completed' ? [outputText(text)] : [],
  };
}

function outputText(text: string): Record<string, unknown> {
  return { type: 'output_text', text, annotations: [] };
}

function functionCallItem(id: string, call: ToolCall, status: 'in_progress' | 'completed'): OutputItem {
  return {
    type: 'function_call',
    id,
    call_id: call.id,
    name: call.function.name,
    arguments: call.function.arguments,
    status,
  };
}

/** The `response` object; `status` and `incomplete_details` follow from the finish reason. */
function responseObject(
  identity: ResponseIdentity,
  request: ChatRequest | undefined,
  output: OutputItem[],
  state: { status: 'in_progress' | 'completed' | 'failed'; finish?: FinishReason | null; usage?: Usage },
): Record<string, unknown> {
  const incomplete = state.status === 'completed' && state.finish === 'length';
  return {
    id: identity.id,
    object: 'response',
    created_at: identity.created,
    status: incomplete ? 'incomplete' : state.status,
    incomplete_details: incomplete ? { reason: 'max_output_tokens' } : null,
    error: null,
    model: identity.model,
    output,
    parallel_tool_calls: request?.parallel_tool_calls ?? true,
    tool_choice: request?.tool_choice ?? 'auto',
    tools: [],
    temperature: request?.temperature ?? null,
    top_p: request?.top_p ?? null,
    max_output_tokens: request?.max_completion_tokens ?? null,
    previous_response_id: null,
    store: false,
    text: { format: { type: 'text' } },
    truncation: 'disabled',
    metadata: request?.metadata ?? {},
    usage: state.status === 'in_progress' ? null : toResponsesUsage(state.usage),
  };
}

const itemId = (identity: ResponseIdentity, kind: string, index: number) =>
  `${kind}_${identity.id.replace(/^resp_/, '')}${index}`;

export function responseBody(result: ChatResult, identity: ResponseIdentity): Record<string, unknown> {
  // OpenAI's own answer (a native call): as it came, but for `model`, which names what the caller asked for.
  if (result.native) return { ...result.native, model: identity.model };
  const choice = result.choices[0];
  const output: OutputItem[] = [];
  const text = choice?.message.content ?? choice?.message.refusal;
  if (text) output.push(messageItem(itemId(identity, 'msg', 0), text, 'completed'));
  (choice?.message.tool_calls ?? []).forEach((call, i) => {
    output.push(functionCallItem(itemId(identity, 'fc', i + 1), call, 'completed'));
  });
  return responseObject(identity, undefined, output, {
    status: 'completed',
    finish: choice?.finish_reason,
    usage: result.usage,
  });
}

/** The Responses event sequence, numbered; one output item open at a time. */
class ResponsesStream implements StreamRenderer {
  private sequence = 0;
  private started = false;
  private readonly output: OutputItem[] = [];
  private open:
    | { kind: 'message'; id: string; text: string }
    | { kind: 'call'; id: string; index: number; call: ToolCall }
    | undefined;
  private finish: FinishReason | null = null;
  private native = false;

  constructor(
    private readonly identity: ResponseIdentity,
    private readonly request: ChatRequest,
  ) {}

  private event(type: string, data: Record<string, unknown>): string {
    return `event: ${type}\ndata: ${JSON.stringify({ type, sequence_number: this.sequence++, ...data })}\n\n`;
  }

  private start(): string {
    if (this.started) return '';
    this.started = true;
    const response = responseObject(this.identity, this.request, [], { status: 'in_progress' });
    return this.event('response.created', { response }) + this.event('response.in_progress', { response });
  }

  private close(): string {
    const open = this.open;
    if (!open) return '';
    this.open = undefined;
    const outputIndex = this.output.length;
    if (open.kind === 'message') {
      const item = messageItem(open.id, open.text, 'completed');
      this.output.push(item);
      const base = { item_id: open.id, output_index: outputIndex, content_index: 0 };
      return (
        this.event('response.output_text.done', { ...base, text: open.text }) +
        this.event('response.content_part.done', { ...base, part: outputText(open.text) }) +
        this.event('response.output_item.done', { output_index: outputIndex, item })
      );
    }
    const item = functionCallItem(open.id, open.call, 'completed');
    this.output.push(item);
    return (
      this.event('response.function_call_arguments.done', {
        item_id: open.id,
        output_index: outputIndex,
        arguments: open.call.function.arguments,
      }) + this.event('response.output_item.done', { output_index: outputIndex, item })
    );
  }

  chunk(chunk: ChatChunk): string {
    if (chunk.native !== undefined) {
      // OpenAI's own events, forwarded as they came: they are the whole stream, its end included.
      this.native = true;
      this.started = true;
      return chunk.native;
    }
    let out = this.start();
    for (const choice of chunk.choices.filter((c) => c.index === 0)) {
      const text = choice.delta.content ?? choice.delta.refusal;
      if (text) {
        if (this.open?.kind !== 'message') {
          out += this.close();
          const id = itemId(this.identity, 'msg', this.output.length);
          this.open = { kind: 'message', id, text: '' };
          const outputIndex = this.output.length;
          out += this.event('response.output_item.added', {
            output_index: outputIndex,
            item: messageItem(id, '', 'in_progress'),
          });
          out += this.event('response.content_part.added', {
            item_id: id,
            output_index: outputIndex,
            content_index: 0,
            part: outputText(''),
          });
        }
        this.open.text += text;
        out += this.event('response.output_text.delta', {
          item_id: this.open.id,
          output_index: this.output.length,
          content_index: 0,
          delta: text,
        });
      }
      for (const delta of choice.delta.tool_calls ?? []) {
        if (!(this.open?.kind === 'call' && this.open.index === delta.index)) {
          out += this.close();
          const id = itemId(this.identity, 'fc', this.output.length);
          const call: ToolCall = {
            id: delta.id ?? `call_${this.output.length}`,
            type: 'function',
            function: { name: delta.function?.name ?? '', arguments: '' },
          };
          this.open = { kind: 'call', id, index: delta.index, call };
          out += this.event('response.output_item.added', {
            output_index: this.output.length,
            item: functionCallItem(id, call, 'in_progress'),
          });
        }
        const args = delta.function?.arguments;
        if (args && this.open.kind === 'call') {
          this.open.call.function.arguments += args;
          out += this.event('response.function_call_arguments.delta', {
            item_id: this.open.id,
            output_index: this.output.length,
            delta: args,
          });
        }
      }
      if (choice.finish_reason) this.finish = choice.finish_reason;
    }
    return out;
  }

  end(usage: Usage | undefined): string {
    if (this.native) return '';
    const out = this.start() + this.close();
    const response = responseObject(this.identity, this.request, this.output, {
      status: 'completed',
      finish: this.finish,
      usage,
    });
    const type = response.status === 'incomplete' ? 'response.incomplete' : 'response.completed';
    return out + this.event(type, { response });
  }

  error(error: GatewayError): string {
    const code = error.code ?? 'upstream_error';
    const response = {
      ...responseObject(this.identity, this.request, this.output, { status: 'failed' }),
      error: { code, message: error.message },
    };
    return (
      this.start() +
      this.event('error', { code, message: error.message, param: error.param }) +
      this.event('response.failed', { response })
    );
  }
}

export const responsesIngress: Ingress = {
  endpoint: 'responses',
  idPrefix: 'resp_',
  parse: parseResponsesRequest,
  complete: responseBody,
  stream: (identity, request) => new ResponsesStream(identity, request),
  errorBody: toErrorBody,
};
