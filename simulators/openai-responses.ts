/**
 * OpenAI's Responses API on the OpenAI simulator (`POST /v1/responses` and Azure's `/openai/v1/responses`): a
 * `response` object, or its event stream with `sequence_number`, for a text answer or function calls. Replies for
 * `Simulator.script`, like the chat replies in ./openai.ts.
 * @see https://platform.openai.com/docs/api-reference/responses/object
 * @see https://platform.openai.com/docs/api-reference/responses-streaming
 */
import { type RecordedRequest, type Reply, type SimResponse, type SseOptions, sendJson, writeSse } from './base.js';

let counter = 0;
const nextId = (prefix: string) => `${prefix}_sim${(++counter).toString().padStart(6, '0')}`;

export interface ResponsesUsage {
  input_tokens: number;
  output_tokens: number;
  cached_tokens?: number;
}

export interface ResponsesReplyOptions extends SseOptions {
  usage?: ResponsesUsage;
  /** Extra top-level fields of the response object (e.g. `previous_response_id` echoed back). */
  extra?: Record<string, unknown>;
}

type Output =
  | { type: 'message'; text: string }
  | { type: 'function_call'; call_id: string; name: string; arguments: string };

export function isResponsesPath(path: string): boolean {
  return path.endsWith('/responses');
}

export function responsesTextReply(text: string | readonly string[], options: ResponsesReplyOptions = {}): Reply {
  const pieces = typeof text === 'string' ? [text] : text;
  return responsesReply([{ type: 'message', text: pieces.join('') }], pieces, options);
}

export function responsesFunctionCallReply(
  calls: readonly { call_id: string; name: string; arguments: Record<string, unknown> }[],
  options: ResponsesReplyOptions = {},
): Reply {
  const outputs: Output[] = calls.map((call) => ({
    type: 'function_call',
    call_id: call.call_id,
    name: call.name,
    arguments: JSON.stringify(call.arguments),
  }));
  return responsesReply(outputs, [], options);
}

function responsesReply(outputs: Output[], pieces: readonly string[], options: ResponsesReplyOptions): Reply {
  return async (req: RecordedRequest, res: SimResponse) => {
    if (req.method !== 'POST' || !isResponsesPath(req.path)) {
      sendJson(res, 404, {
        error: { message: `Invalid URL (${req.method} ${req.path})`, type: 'invalid_request_error' },
      });
      return;
    }
    const body = (req.body ?? {}) as { model?: string; stream?: boolean };
    const id = nextId('resp');
    const items = outputs.map((output) =>
      output.type === 'message'
        ? {
            type: 'message',
            id: nextId('msg'),
            status: 'completed',
            role: 'assistant',
            content: [{ type: 'output_text', text: output.text, annotations: [] }],
          }
        : { ...output, id: nextId('fc'), status: 'completed' },
    );
    const usage = options.usage ?? { input_tokens: 10, output_tokens: 5 };
    const response = (status: string, output: unknown[], withUsage: boolean) => ({
      id,
      object: 'response',
      created_at: Math.floor(Date.now() / 1000),
      status,
      model: body.model ?? 'gpt-4o-mini',
      output,
      error: null,
      incomplete_details: null,
      usage: withUsage
        ? {
            input_tokens: usage.input_tokens,
            input_tokens_details: { cached_tokens: usage.cached_tokens ?? 0 },
            output_tokens: usage.output_tokens,
            output_tokens_details: { reasoning_tokens: 0 },
            total_tokens: usage.input_tokens + usage.output_tokens,
          }
        : null,
      ...options.extra,
    });
    if (!body.stream) {
      sendJson(res, 200, response('completed', items, true));
      return;
    }
    let sequence = 0;
    const events: { event: string; data: unknown }[] = [];
    const push = (type: string, data: Record<string, unknown>) =>
      events.push({ event: type, data: { type, sequence_number: sequence++, ...data } });
    push('response.created', { response: response('in_progress', [], false) });
    push('response.in_progress', { response: response('in_progress', [], false) });
    items.forEach((item, outputIndex) => {
      if (item.type === 'message') {
        const text = (item as { content: { text: string }[] }).content[0]!.text;
        push('response.output_item.added', {
          output_index: outputIndex,
          item: { ...item, status: 'in_progress', content: [] },
        });
        const part = { type: 'output_text', text: '', annotations: [] };
        push('response.content_part.added', { item_id: item.id, output_index: outputIndex, content_index: 0, part });
        for (const delta of pieces.length > 0 ? pieces : [text]) {
          push('response.output_text.delta', { item_id: item.id, output_index: outputIndex, content_index: 0, delta });
        }
        push('response.output_text.done', { item_id: item.id, output_index: outputIndex, content_index: 0, text });
        push('response.content_part.done', {
          item_id: item.id,
          output_index: outputIndex,
          content_index: 0,
          part: { ...part, text },
        });
      } else {
        const call = item as { id: string; arguments: string };
        push('response.output_item.added', {
          output_index: outputIndex,
          item: { ...item, arguments: '', status: 'in_progress' },
        });
        push('response.function_call_arguments.delta', {
          item_id: call.id,
          output_index: outputIndex,
          delta: call.arguments,
        });
        push('response.function_call_arguments.done', {
          item_id: call.id,
          output_index: outputIndex,
          arguments: call.arguments,
        });
      }
      push('response.output_item.done', { output_index: outputIndex, item });
    });
    push('response.completed', { response: response('completed', items, true) });
    await writeSse(req, res, events, options);
  };
}
