/**
 * Step 2 of the pipeline: the request body → ChatRequest, or a 400 naming the field (CONTRACT.md §2). The schema
 * follows OpenAI's request reference; unknown fields are kept (OpenAI-compatible upstreams take them as they are).
 * @see https://platform.openai.com/docs/api-reference/chat/create
 */
import * as z from 'zod';
import { badRequest, GatewayError } from '../core/errors.js';
import type { ChatRequest } from '../core/types.js';

/** Lambda's own request payload limit; the local server enforces the same. */
export const MAX_BODY_BYTES = 6 * 1024 * 1024;
export const MAX_FALLBACK_MODELS = 10;

export interface ParsedChatRequest {
  request: ChatRequest;
  /** The gateway extension `models`: fallbacks tried in order after `model`. */
  fallbackModels: string[];
}

let schema: z.ZodType<ChatRequest & { models?: string[] }> | undefined;

// Built on first use so a cold start that serves /v1/models or an auth failure never pays for it.
function chatRequestSchema(): z.ZodType<ChatRequest & { models?: string[] }> {
  if (schema) return schema;
  const text = z.object({ type: z.literal('text'), text: z.string() });
  const image = z.object({
    type: z.literal('image_url'),
    image_url: z.object({ url: z.string().min(1), detail: z.enum(['auto', 'low', 'high']).optional() }),
  });
  const audio = z.object({
    type: z.literal('input_audio'),
    input_audio: z.object({ data: z.string(), format: z.string() }),
  });
  const file = z.object({
    type: z.literal('file'),
    file: z.object({
      file_data: z.string().optional(),
      file_id: z.string().optional(),
      filename: z.string().optional(),
    }),
  });
  const textContent = z.union([z.string(), z.array(text)]);
  const userContent = z.union([z.string(), z.array(z.discriminatedUnion('type', [text, image, audio, file]))]);
  const toolCall = z.object({
    id: z.string().min(1),
    type: z.literal('function'),
    function: z.object({ name: z.string().min(1), arguments: z.string() }),
  });
  const message = z.discriminatedUnion('role', [
    z.looseObject({ role: z.enum(['system', 'developer']), content: textContent, name: z.string().optional() }),
    z.looseObject({ role: z.literal('user'), content: userContent, name: z.string().optional() }),
    z.looseObject({
      role: z.literal('assistant'),
      content: textContent.nullish(),
      name: z.string().optional(),
      tool_calls: z.array(toolCall).optional(),
      refusal: z.string().nullish(),
    }),
    z.looseObject({ role: z.literal('tool'), content: textContent, tool_call_id: z.string().min(1) }),
  ]);
  const tool = z.object({
    type: z.literal('function'),
    function: z.object({
      name: z.string().regex(/^[a-zA-Z0-9_-]{1,64}$/, 'must be 1-64 letters, digits, underscores or dashes'),
      description: z.string().optional(),
      parameters: z.record(z.string(), z.unknown()).optional(),
      strict: z.boolean().nullish(),
    }),
  });
  const toolChoice = z.union([
    z.enum(['auto', 'none', 'required']),
    z.object({ type: z.literal('function'), function: z.object({ name: z.string().min(1) }) }),
  ]);
  const responseFormat = z.discriminatedUnion('type', [
    z.object({ type: z.literal('text') }),
    z.object({ type: z.literal('json_object') }),
    z.object({
      type: z.literal('json_schema'),
      json_schema: z.object({
        name: z.string().min(1),
        description: z.string().optional(),
        schema: z.record(z.string(), z.unknown()).optional(),
        strict: z.boolean().nullish(),
      }),
    }),
  ]);
  const positiveInt = z.number().int().min(1);
  schema = z.looseObject({
    model: modelName(),
    messages: z.array(message).min(1),
    tools: z.array(tool).optional(),
    tool_choice: toolChoice.optional(),
    parallel_tool_calls: z.boolean().optional(),
    response_format: responseFormat.optional(),
    temperature: z.number().min(0).max(2).nullish(),
    top_p: z.number().min(0).max(1).nullish(),
    max_tokens: positiveInt.nullish(),
    max_completion_tokens: positiveInt.nullish(),
    stop: z.union([z.string(), z.array(z.string()).max(4)]).nullish(),
    seed: z.number().int().nullish(),
    stream: z.boolean().nullish(),
    stream_options: z.object({ include_usage: z.boolean().optional() }).nullish(),
    user: z.string().optional(),
    metadata: z.record(z.string(), z.string()).nullish(),
    n: positiveInt.max(128).nullish(),
    logprobs: z.boolean().nullish(),
    top_logprobs: z.number().int().min(0).max(20).nullish(),
    frequency_penalty: z.number().min(-2).max(2).nullish(),
    presence_penalty: z.number().min(-2).max(2).nullish(),
    logit_bias: z.record(z.string(), z.number()).nullish(),
    models: z.array(modelName()).max(MAX_FALLBACK_MODELS).optional(),
  }) as unknown as z.ZodType<ChatRequest & { models?: string[] }>;
  return schema;
}

/** `['messages', 0, 'content']` → `messages[0].content`. */
export function formatPath(path: readonly PropertyKey[]): string {
  let out = '';
  for (const part of path) {
    if (typeof part === 'number') out += `[${part}]`;
    else out += out ? `.${String(part)}` : String(part);
  }
  return out;
}

/** The deepest, most specific issue of a zod error: union errors nest the useful one. */
function firstIssue(issues: readonly z.core.$ZodIssue[]): { path: PropertyKey[]; message: string } {
  const issue = issues[0]!;
  if (issue.code === 'invalid_union' && issue.errors.length > 0) {
    // Pick the branch that got furthest (the longest path): it is the one the caller meant.
    let best: { path: PropertyKey[]; message: string } | undefined;
    for (const branch of issue.errors) {
      if (branch.length === 0) continue;
      const candidate = firstIssue(branch);
      if (!best || candidate.path.length > best.path.length) best = candidate;
    }
    if (best) return { path: [...issue.path, ...best.path], message: best.message };
  }
  return { path: [...issue.path], message: issue.message };
}

export function zodToBadRequest(error: z.ZodError): GatewayError {
  const { path, message } = firstIssue(error.issues);
  const param = formatPath(path);
  return badRequest(param ? `Invalid value for '${param}': ${message}` : message, param || null);
}

/**
 * A request body as a JSON object, for every endpoint: at most {@link MAX_BODY_BYTES}, valid JSON, an object,
 * nested at most {@link MAX_NESTING_DEPTH} levels. `what` names the request in the empty-body message.
 */
export function parseJsonBody(body: string | undefined, what: string): Record<string, unknown> {
  if (body !== undefined && Buffer.byteLength(body) > MAX_BODY_BYTES) throw payloadTooLarge();
  if (!body?.trim()) throw badRequest(`The request body is empty: send a JSON ${what}.`, null);
  let json: unknown;
  try {
    json = JSON.parse(body);
  } catch {
    throw badRequest('The request body is not valid JSON.', null, 'invalid_json');
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) {
    throw badRequest('The request body must be a JSON object.', null, 'invalid_json');
  }
  assertNestingDepth(json);
  return json as Record<string, unknown>;
}

/** Parses and validates a chat request body. */
export function parseChatRequest(body: string | undefined): ParsedChatRequest {
  const json = parseJsonBody(body, 'chat completion request');
  const parsed = chatRequestSchema().safeParse(json);
  if (!parsed.success) throw zodToBadRequest(parsed.error);
  const { models, ...request } = parsed.data;
  assertImageCount(request as ChatRequest);
  return { request: request as ChatRequest, fallbackModels: models ?? [] };
}

/** CONTRACT.md §6: the longest model name taken, in UTF-16 code units. */
export const MAX_MODEL_NAME_LENGTH = 256;

/**
 * What a model name may not hold (CONTRACT.md §6), so that it never reaches an upstream URL as more than one path
 * segment, a query or a fragment: `..`, `?`, `#`, `%`, `\`, whitespace and control characters. `/` and `:` stay:
 * they are part of `provider/model`, Bedrock ARNs and model versions, and each provider encodes the name as one
 * segment.
 */
const UNSAFE_IN_MODEL_NAME = /\.\.|[?#%\\\s\p{Cc}\p{Cf}\p{Zl}\p{Zp}]/u;

export function modelNameProblem(name: string): string | undefined {
  if (name.length === 0) return 'must not be empty';
  if (name.length > MAX_MODEL_NAME_LENGTH) return `must be at most ${MAX_MODEL_NAME_LENGTH} characters`;
  if (UNSAFE_IN_MODEL_NAME.test(name)) {
    return "must not contain '..', '?', '#', '%', '\\', whitespace or control characters";
  }
  return undefined;
}

/** A model name field, with {@link modelNameProblem}'s rules; the error names the field (`model`, `models[1]`). */
export function modelName() {
  return z.string().superRefine((name, context) => {
    const problem = modelNameProblem(name);
    if (problem) context.addIssue({ code: 'custom', message: problem });
  });
}

/** CONTRACT.md §6: deeper bodies are refused before any recursive walk (zod, a schema converter) can meet them. */
export const MAX_NESTING_DEPTH = 64;

/** Iterative, so a body nested 100,000 deep costs a loop, never a stack overflow. */
export function assertNestingDepth(json: unknown, maxDepth = MAX_NESTING_DEPTH): void {
  const stack: { value: unknown; depth: number }[] = [{ value: json, depth: 1 }];
  while (stack.length > 0) {
    const { value, depth } = stack.pop()!;
    if (typeof value !== 'object' || value === null) continue;
    if (depth > maxDepth) {
      throw badRequest(`The request body is nested deeper than ${maxDepth} levels.`, null, 'nesting_too_deep');
    }
    for (const child of Array.isArray(value) ? value : Object.values(value)) {
      if (typeof child === 'object' && child !== null) stack.push({ value: child, depth: depth + 1 });
    }
  }
}

/** CONTRACT.md §6: image parts per request. */
export const MAX_IMAGE_PARTS = 20;

export function assertImageCount(request: ChatRequest): void {
  let count = 0;
  for (const [i, message] of request.messages.entries()) {
    if (!Array.isArray(message.content)) continue;
    for (const [j, part] of message.content.entries()) {
      if (part.type !== 'image_url' || ++count <= MAX_IMAGE_PARTS) continue;
      throw badRequest(
        `A request may hold at most ${MAX_IMAGE_PARTS} images; messages[${i}].content[${j}] is image ${count}.`,
        `messages[${i}].content[${j}]`,
        'too_many_images',
      );
    }
  }
}

export function payloadTooLarge(): GatewayError {
  return new GatewayError({
    status: 413,
    type: 'invalid_request_error',
    code: 'request_too_large',
    message: `The request body is larger than ${MAX_BODY_BYTES} bytes.`,
  });
}
