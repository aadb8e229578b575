/**
 * OpenAI's Responses request (`POST /v1/responses`, CONTRACT.md §5) turned into the canonical chat request: `input`
 * (a string, or items — messages with `input_text` / `input_image` parts, `function_call`, `function_call_output`),
 * `instructions`, function `tools`, `tool_choice`, `text.format`, `temperature`, `top_p`, `max_output_tokens`,
 * `reasoning.effort`, `metadata`, `parallel_tool_calls`, `user`. `store` is dropped and listed; what needs the
 * provider's own Responses API (`previous_response_id`, built-in tools, item references) is a 400 naming it.
 * @see https://platform.openai.com/docs/api-reference/responses/create
 */
import * as z from 'zod';
import { badRequest } from '../../core/errors.js';
import {
  type AssistantMessage,
  type ChatMessage,
  type ChatRequest,
  type ContentPart,
  type FunctionTool,
  NATIVE_BODY,
  type ResponseFormat,
  type ToolChoice,
} from '../../core/types.js';
import { assertImageCount, MAX_FALLBACK_MODELS, modelName, parseJsonBody, zodToBadRequest } from '../validate.js';
import type { ParsedRequest } from './types.js';

const inputPart = z.looseObject({
  type: z.string(),
  text: z.string().optional(),
  image_url: z.string().optional(),
  file_id: z.string().optional(),
  detail: z.enum(['auto', 'low', 'high']).optional(),
  refusal: z.string().optional(),
});
const item = z.looseObject({
  type: z.string().optional(),
  role: z.enum(['user', 'assistant', 'system', 'developer']).optional(),
  content: z.union([z.string(), z.array(inputPart)]).optional(),
  call_id: z.string().optional(),
  name: z.string().optional(),
  arguments: z.string().optional(),
  output: z.union([z.string(), z.array(inputPart)]).optional(),
});
const tool = z.looseObject({
  type: z.string(),
  name: z.string().optional(),
  description: z.string().nullish(),
  parameters: z.record(z.string(), z.unknown()).nullish(),
  strict: z.boolean().nullish(),
});
const toolChoice = z.union([
  z.enum(['auto', 'none', 'required']),
  z.looseObject({ type: z.literal('function'), name: z.string().min(1) }),
  z.looseObject({ type: z.string() }),
]);
const format = z.looseObject({
  type: z.enum(['text', 'json_object', 'json_schema']),
  name: z.string().optional(),
  description: z.string().optional(),
  schema: z.record(z.string(), z.unknown()).optional(),
  strict: z.boolean().nullish(),
});

let schema: ReturnType<typeof responsesSchema> | undefined;

function responsesSchema() {
  return z.looseObject({
    model: modelName(),
    input: z.union([z.string(), z.array(item).min(1)]),
    instructions: z.string().nullish(),
    tools: z.array(tool).optional(),
    tool_choice: toolChoice.optional(),
    text: z.looseObject({ format: format.optional() }).optional(),
    temperature: z.number().min(0).max(2).nullish(),
    top_p: z.number().min(0).max(1).nullish(),
    max_output_tokens: z.number().int().min(1).nullish(),
    stream: z.boolean().nullish(),
    store: z.boolean().nullish(),
    previous_response_id: z.string().nullish(),
    reasoning: z.looseObject({ effort: z.string().nullish() }).nullish(),
    metadata: z.record(z.string(), z.string()).nullish(),
    parallel_tool_calls: z.boolean().nullish(),
    user: z.string().optional(),
    models: z.array(modelName()).max(MAX_FALLBACK_MODELS).optional(),
  });
}

type Body = z.infer<ReturnType<typeof responsesSchema>>;
type Item = z.infer<typeof item>;

export function parseResponsesRequest(body: string | undefined): ParsedRequest {
  schema ??= responsesSchema();
  const json = parseJsonBody(body, 'Responses request');
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw zodToBadRequest(parsed.error);
  const { models: _fallbacks, ...nativeBody } = json;
  let untranslatable: Error | undefined;
  let result: ParsedRequest;
  try {
    result = translate(parsed.data);
  } catch (error) {
    // Not translatable (previous_response_id, built-in tools): fine for OpenAI itself, a 400 for the others.
    untranslatable = error as Error;
    result = translate({
      ...parsed.data,
      previous_response_id: null,
      tools: [],
      tool_choice: undefined,
      input: textOnly(parsed.data.input),
    });
  }
  result.request[NATIVE_BODY] = {
    format: 'responses',
    body: nativeBody,
    headers: {},
    ...(untranslatable ? { untranslatable } : {}),
  };
  return result;
}

/** The input reduced to what always translates, for routing and estimates when the whole does not. */
function textOnly(input: Body['input']): Body['input'] {
  if (typeof input === 'string') return input;
  const messages = input.filter((entry) => (entry.type ?? 'message') === 'message');
  return messages.length > 0 ? messages : '';
}

function translate(data: Body): ParsedRequest {
  if (data.previous_response_id) {
    throw badRequest(
      'previous_response_id needs the provider to keep conversation state, which only OpenAI does; send the whole conversation in input instead.',
      'previous_response_id',
    );
  }
  const ignored = new Set<string>();
  if (data.store) ignored.add('store');
  const messages: ChatMessage[] = [];
  if (data.instructions) messages.push({ role: 'system', content: data.instructions });
  if (typeof data.input === 'string') messages.push({ role: 'user', content: data.input });
  else messages.push(...toMessages(data.input, ignored));
  const request: ChatRequest = { model: data.model, messages };
  copyOptions(data, request);
  if (data.tools?.length) request.tools = data.tools.map(toFunctionTool);
  if (data.tool_choice !== undefined) request.tool_choice = toToolChoice(data.tool_choice);
  const responseFormat = toResponseFormat(data.text?.format);
  if (responseFormat) request.response_format = responseFormat;
  assertImageCount(request);
  return { request, fallbackModels: data.models ?? [], ignored: [...ignored] };
}

function copyOptions(data: Body, request: ChatRequest): void {
  if (data.temperature != null) request.temperature = data.temperature;
  if (data.top_p != null) request.top_p = data.top_p;
  if (data.max_output_tokens != null) request.max_completion_tokens = data.max_output_tokens;
  if (data.stream) {
    request.stream = true;
    request.stream_options = { include_usage: true };
  }
  if (data.reasoning?.effort) request.reasoning_effort = data.reasoning.effort;
  if (data.metadata) request.metadata = data.metadata;
  if (data.parallel_tool_calls != null) request.parallel_tool_calls = data.parallel_tool_calls;
  if (data.user) request.user = data.user;
}

/** Items in order; consecutive `function_call` items become one assistant turn with several tool calls. */
function toMessages(items: Item[], ignored: Set<string>): ChatMessage[] {
  const messages: ChatMessage[] = [];
  items.forEach((entry, i) => {
    const param = `input[${i}]`;
    const type = entry.type ?? 'message';
    if (type === 'message') messages.push(message(entry, param));
    else if (type === 'function_call') {
      if (!entry.call_id || !entry.name) throw badRequest('A function_call item needs call_id and name.', param);
      const call = {
        id: entry.call_id,
        type: 'function' as const,
        function: { name: entry.name, arguments: entry.arguments ?? '{}' },
      };
      const last = messages.at(-1);
      if (last?.role === 'assistant' && last.tool_calls) last.tool_calls.push(call);
      else messages.push({ role: 'assistant', content: null, tool_calls: [call] });
    } else if (type === 'function_call_output') {
      if (!entry.call_id) throw badRequest('A function_call_output item needs call_id.', param);
      const output = typeof entry.output === 'string' ? entry.output : textOf(entry.output ?? []);
      messages.push({ role: 'tool', tool_call_id: entry.call_id, content: output });
    } else if (type === 'reasoning') ignored.add('reasoning_items');
    else throw badRequest(`Input items of type '${type}' need the provider's own Responses API.`, param);
  });
  return messages;
}

function message(entry: Item, param: string): ChatMessage {
  const role = entry.role ?? 'user';
  const content = entry.content ?? '';
  if (role === 'assistant') {
    const out: AssistantMessage = { role, content: typeof content === 'string' ? content : textOf(content) };
    return out;
  }
  if (role === 'system' || role === 'developer') {
    return { role, content: typeof content === 'string' ? content : textOf(content) };
  }
  if (typeof content === 'string') return { role: 'user', content };
  return { role: 'user', content: content.map((part, j) => userPart(part, `${param}.content[${j}]`)) };
}

function userPart(part: z.infer<typeof inputPart>, param: string): ContentPart {
  if (part.type === 'input_text') return { type: 'text', text: part.text ?? '' };
  if (part.type === 'input_image') {
    if (!part.image_url) throw badRequest('input_image parts need an image_url (file_id needs OpenAI).', param);
    return { type: 'image_url', image_url: { url: part.image_url, ...(part.detail ? { detail: part.detail } : {}) } };
  }
  throw badRequest(`Content parts of type '${part.type}' are not supported here.`, param);
}

function textOf(parts: z.infer<typeof inputPart>[]): string {
  return parts.map((part) => part.text ?? part.refusal ?? '').join('');
}

function toFunctionTool(t: z.infer<typeof tool>, index: number): FunctionTool {
  if (t.type !== 'function' || !t.name) {
    throw badRequest(
      `The tool type '${t.type}' is built into OpenAI's Responses API; other providers take function tools only.`,
      `tools[${index}]`,
    );
  }
  const fn: FunctionTool['function'] = { name: t.name, parameters: t.parameters ?? { type: 'object' } };
  if (t.description) fn.description = t.description;
  if (t.strict != null) fn.strict = t.strict;
  return { type: 'function', function: fn };
}

function toToolChoice(choice: z.infer<typeof toolChoice>): ToolChoice {
  if (typeof choice === 'string') return choice;
  if (choice.type === 'function' && 'name' in choice && typeof choice.name === 'string') {
    return { type: 'function', function: { name: choice.name } };
  }
  throw badRequest(`tool_choice of type '${choice.type}' needs OpenAI's built-in tools.`, 'tool_choice');
}

function toResponseFormat(f: z.infer<typeof format> | undefined): ResponseFormat | undefined {
  if (!f || f.type === 'text') return undefined;
  if (f.type === 'json_object') return { type: 'json_object' };
  const jsonSchema: Record<string, unknown> = { name: f.name ?? 'response', schema: f.schema ?? {} };
  if (f.description) jsonSchema.description = f.description;
  if (f.strict != null) jsonSchema.strict = f.strict;
  return { type: 'json_schema', json_schema: jsonSchema } as ResponseFormat;
}
