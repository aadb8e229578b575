/**
 * Anthropic's Messages request (`POST /v1/messages`, CONTRACT.md §5) turned into the canonical chat request, for
 * every provider: system blocks, text, images, `tool_use` / `tool_result`, tools and `tool_choice`, `max_tokens`,
 * `stop_sequences`, `temperature`, `top_p`, `stream`. What has no canonical equivalent (`cache_control`, `thinking`,
 * `top_k`) is dropped and listed; what would change the answer and cannot be expressed (server tools, documents) is
 * a 400 naming the field.
 * @see https://docs.anthropic.com/en/api/messages
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
  type TextPart,
  type ToolCall,
  type ToolChoice,
} from '../../core/types.js';
import { assertImageCount, MAX_FALLBACK_MODELS, modelName, parseJsonBody, zodToBadRequest } from '../validate.js';
import type { ParsedRequest } from './types.js';

const cacheControl = z.looseObject({ type: z.string() }).optional();
const textBlock = z.looseObject({ type: z.literal('text'), text: z.string(), cache_control: cacheControl });
const imageSource = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('base64'), media_type: z.string().min(1), data: z.string() }),
  z.looseObject({ type: z.literal('url'), url: z.string().min(1) }),
]);
const imageBlock = z.looseObject({ type: z.literal('image'), source: imageSource, cache_control: cacheControl });
const toolUseBlock = z.looseObject({
  type: z.literal('tool_use'),
  id: z.string().min(1),
  name: z.string().min(1),
  input: z.unknown(),
  cache_control: cacheControl,
});
const toolResultBlock = z.looseObject({
  type: z.literal('tool_result'),
  tool_use_id: z.string().min(1),
  content: z.union([z.string(), z.array(z.union([textBlock, imageBlock]))]).optional(),
  is_error: z.boolean().optional(),
  cache_control: cacheControl,
});
const thinkingBlock = z.looseObject({ type: z.enum(['thinking', 'redacted_thinking']) });
/** Any other block type: refused by name below, rather than as an opaque union failure. */
const otherBlock = z.looseObject({ type: z.string() });
const block = z.union([textBlock, imageBlock, toolUseBlock, toolResultBlock, thinkingBlock, otherBlock]);

const message = z.looseObject({
  role: z.enum(['user', 'assistant']),
  content: z.union([z.string(), z.array(block)]),
});
const tool = z.looseObject({
  type: z.string().optional(),
  name: z.string().min(1),
  description: z.string().optional(),
  input_schema: z.record(z.string(), z.unknown()).optional(),
  cache_control: cacheControl,
});
const toolChoice = z.discriminatedUnion('type', [
  z.looseObject({ type: z.literal('auto'), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({ type: z.literal('any'), disable_parallel_tool_use: z.boolean().optional() }),
  z.looseObject({
    type: z.literal('tool'),
    name: z.string().min(1),
    disable_parallel_tool_use: z.boolean().optional(),
  }),
  z.looseObject({ type: z.literal('none') }),
]);

function schemaFor(requireMaxTokens: boolean) {
  return z.looseObject({
    model: modelName(),
    messages: z.array(message).min(1),
    system: z.union([z.string(), z.array(textBlock)]).optional(),
    max_tokens: requireMaxTokens ? z.number().int().min(1) : z.number().int().min(1).optional(),
    stop_sequences: z.array(z.string()).optional(),
    temperature: z.number().min(0).max(1).optional(),
    top_p: z.number().min(0).max(1).optional(),
    top_k: z.number().int().min(0).optional(),
    stream: z.boolean().optional(),
    tools: z.array(tool).optional(),
    tool_choice: toolChoice.optional(),
    metadata: z.looseObject({ user_id: z.string().nullish() }).optional(),
    thinking: z.looseObject({ type: z.string() }).optional(),
    models: z.array(modelName()).max(MAX_FALLBACK_MODELS).optional(),
  });
}

let messagesSchema: ReturnType<typeof schemaFor> | undefined;
let countSchema: ReturnType<typeof schemaFor> | undefined;

type MessagesBody = z.infer<ReturnType<typeof schemaFor>>;
type Block = z.infer<typeof block>;

/** Parses a `/v1/messages` body into the canonical request. */
export function parseMessagesRequest(
  body: string | undefined,
  headers: Record<string, string | undefined> = {},
): ParsedRequest {
  messagesSchema ??= schemaFor(true);
  const json = parseJsonBody(body, 'Messages request');
  const parsed = toParsed(json, messagesSchema);
  // Kept for a provider that speaks Messages natively (Anthropic): the body goes there unchanged but for `model`.
  const { models: _fallbacks, ...native } = json;
  const forwarded: Record<string, string> = {};
  if (headers['anthropic-beta']) forwarded['anthropic-beta'] = headers['anthropic-beta'];
  parsed.request[NATIVE_BODY] = {
    format: 'messages',
    body: native,
    headers: forwarded,
    ...(parsed.untranslatable ? { untranslatable: parsed.untranslatable } : {}),
  };
  return parsed;
}

/** The same for `/v1/messages/count_tokens`, where `max_tokens` is not needed. */
export function parseCountTokensRequest(body: string | undefined): ParsedRequest {
  countSchema ??= schemaFor(false);
  return toParsed(parseJsonBody(body, 'count_tokens request'), countSchema);
}

/**
 * What could not be translated (server tools, document blocks) is left out of the canonical request and kept as
 * `untranslatable`: a 400 for a provider that gets the translation, nothing for one that takes the body natively.
 */
function toParsed(
  json: Record<string, unknown>,
  schema: ReturnType<typeof schemaFor>,
): ParsedRequest & { untranslatable?: Error } {
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw zodToBadRequest(parsed.error);
  const body = parsed.data;
  const problems: Error[] = [];
  const ignored = new Set<string>() as Ignored;
  ignored.problem = (error) => problems.push(error);
  const request: ChatRequest = {
    model: body.model,
    messages: [...systemMessages(body, ignored), ...body.messages.flatMap((m, i) => toChatMessages(m, i, ignored))],
  };
  if (body.max_tokens !== undefined) request.max_tokens = body.max_tokens;
  if (body.stop_sequences?.length) request.stop = body.stop_sequences;
  if (body.temperature !== undefined) request.temperature = body.temperature;
  if (body.top_p !== undefined) request.top_p = body.top_p;
  if (body.stream) {
    request.stream = true;
    request.stream_options = { include_usage: true };
  }
  if (body.metadata?.user_id) request.user = body.metadata.user_id;
  if (body.top_k !== undefined) ignored.add('top_k');
  if (body.thinking !== undefined) ignored.add('thinking');
  if (body.tools?.length) request.tools = body.tools.flatMap((t, i) => toFunctionTool(t, i, ignored));
  if (body.tool_choice) {
    request.tool_choice = toToolChoice(body.tool_choice);
    if ('disable_parallel_tool_use' in body.tool_choice && body.tool_choice.disable_parallel_tool_use) {
      request.parallel_tool_calls = false;
    }
  }
  if (request.tools?.length === 0) delete request.tools;
  assertImageCount(request);
  return {
    request,
    fallbackModels: body.models ?? [],
    ignored: [...ignored],
    ...(problems[0] ? { untranslatable: problems[0] } : {}),
  };
}

/** The dropped-field list, and where an untranslatable part is reported. */
type Ignored = Set<string> & { problem(error: Error): void };

function systemMessages(body: MessagesBody, ignored: Ignored): ChatMessage[] {
  if (body.system === undefined) return [];
  if (typeof body.system === 'string') return body.system ? [{ role: 'system', content: body.system }] : [];
  if (body.system.some((b) => b.cache_control)) ignored.add('cache_control');
  const parts: TextPart[] = body.system.map((b) => ({ type: 'text', text: b.text }));
  return parts.length > 0 ? [{ role: 'system', content: parts }] : [];
}

function toChatMessages(message: MessagesBody['messages'][number], index: number, ignored: Ignored): ChatMessage[] {
  if (typeof message.content === 'string') return [{ role: message.role, content: message.content }];
  const blocks = message.content as Block[];
  if (blocks.some((b) => 'cache_control' in b && b.cache_control)) ignored.add('cache_control');
  return message.role === 'assistant'
    ? [assistantMessage(blocks, index, ignored)]
    : userMessages(blocks, index, ignored);
}

function assistantMessage(blocks: Block[], index: number, ignored: Ignored): AssistantMessage {
  const text: string[] = [];
  const toolCalls: ToolCall[] = [];
  blocks.forEach((b, j) => {
    const param = `messages[${index}].content[${j}]`;
    if (b.type === 'text') text.push((b as { text: string }).text);
    else if (b.type === 'tool_use') {
      const use = b as z.infer<typeof toolUseBlock>;
      toolCalls.push({
        id: use.id,
        type: 'function',
        function: { name: use.name, arguments: JSON.stringify(use.input ?? {}) },
      });
    } else if (b.type === 'thinking' || b.type === 'redacted_thinking') ignored.add('thinking');
    else ignored.problem(unsupportedBlock(b.type, param));
  });
  const out: AssistantMessage = { role: 'assistant', content: text.length > 0 ? text.join('') : null };
  if (toolCalls.length > 0) out.tool_calls = toolCalls;
  return out;
}

/** Tool results first (each its own `tool` message, as OpenAI's format wants), then the rest of the turn. */
function userMessages(blocks: Block[], index: number, ignored: Ignored): ChatMessage[] {
  const results: ChatMessage[] = [];
  const parts: ContentPart[] = [];
  blocks.forEach((b, j) => {
    const param = `messages[${index}].content[${j}]`;
    if (b.type === 'text') parts.push({ type: 'text', text: (b as { text: string }).text });
    else if (b.type === 'image') parts.push(imagePart(b as z.infer<typeof imageBlock>));
    else if (b.type === 'tool_result') {
      const result = b as z.infer<typeof toolResultBlock>;
      const content = typeof result.content === 'string' ? [{ type: 'text' as const, text: result.content }] : [];
      for (const inner of Array.isArray(result.content) ? result.content : []) {
        // A tool message holds text only: images a tool returned follow as part of the user's turn.
        if (inner.type === 'text') content.push({ type: 'text', text: inner.text });
        else parts.push(imagePart(inner));
      }
      const text = content.map((c) => c.text).join('\n');
      results.push({
        role: 'tool',
        tool_call_id: result.tool_use_id,
        content: result.is_error ? `Error: ${text}` : text,
      });
    } else ignored.problem(unsupportedBlock(b.type, param));
  });
  return parts.length > 0 ? [...results, { role: 'user', content: parts }] : results;
}

function imagePart(b: z.infer<typeof imageBlock>): ContentPart {
  const url = b.source.type === 'base64' ? `data:${b.source.media_type};base64,${b.source.data}` : b.source.url;
  return { type: 'image_url', image_url: { url } };
}

function unsupportedBlock(type: string, param: string) {
  return badRequest(
    `Content blocks of type '${type}' are not supported on this model's provider through /v1/messages.`,
    param,
  );
}

function toFunctionTool(t: z.infer<typeof tool>, index: number, ignored: Ignored): FunctionTool[] {
  if (t.type !== undefined && t.type !== 'custom') {
    // Anthropic's server and client tools (web search, bash, text editor, computer use) exist only on Anthropic.
    ignored.problem(badRequest(`The tool type '${t.type}' is served only by Anthropic models.`, `tools[${index}]`));
    return [];
  }
  if (t.cache_control) ignored.add('cache_control');
  const fn: FunctionTool['function'] = { name: t.name, parameters: t.input_schema ?? { type: 'object' } };
  if (t.description !== undefined) fn.description = t.description;
  return [{ type: 'function', function: fn }];
}

function toToolChoice(choice: z.infer<typeof toolChoice>): ToolChoice {
  if (choice.type === 'any') return 'required';
  if (choice.type === 'none') return 'none';
  if (choice.type === 'tool') return { type: 'function', function: { name: choice.name } };
  return 'auto';
}
