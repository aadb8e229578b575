/**
 * Anthropic Messages API wire shapes. Requests are plain types (we build them); responses and stream events are zod
 * schemas that check what comes back and tolerate change: unknown block and event types pass as `{type}` and are
 * skipped, enum-like fields are plain strings, counts may be missing or null.
 * @see https://docs.anthropic.com/en/api/messages
 * @see https://docs.anthropic.com/en/docs/build-with-claude/streaming
 */
import * as z from 'zod';
import type { JsonSchema } from '../../core/types.js';

export interface AnthropicTextBlock {
  type: 'text';
  text: string;
}

export interface AnthropicImageBlock {
  type: 'image';
  source:
    | { type: 'base64'; media_type: 'image/jpeg' | 'image/png' | 'image/gif' | 'image/webp'; data: string }
    | { type: 'url'; url: string };
}

export interface AnthropicToolUseBlock {
  type: 'tool_use';
  id: string;
  name: string;
  input: Record<string, unknown>;
}

export interface AnthropicToolResultBlock {
  type: 'tool_result';
  tool_use_id: string;
  content?: string | AnthropicTextBlock[];
}

export type AnthropicContentBlock =
  | AnthropicTextBlock
  | AnthropicImageBlock
  | AnthropicToolUseBlock
  | AnthropicToolResultBlock;

export interface AnthropicMessage {
  role: 'user' | 'assistant';
  content: AnthropicContentBlock[];
}

export interface AnthropicTool {
  name: string;
  description?: string;
  input_schema: { type: 'object'; [key: string]: unknown };
}

export type AnthropicToolChoice =
  | { type: 'auto'; disable_parallel_tool_use?: boolean }
  | { type: 'any'; disable_parallel_tool_use?: boolean }
  | { type: 'tool'; name: string; disable_parallel_tool_use?: boolean }
  | { type: 'none' };

/** The body of `POST /v1/messages` (API version 2023-06-01, see client.ts). */
export interface AnthropicRequest {
  model: string;
  max_tokens: number;
  messages: AnthropicMessage[];
  system?: AnthropicTextBlock[];
  tools?: AnthropicTool[];
  tool_choice?: AnthropicToolChoice;
  stop_sequences?: string[];
  temperature?: number;
  top_p?: number;
  metadata?: { user_id: string };
  /** Structured outputs: the answer's text follows `format.schema`. */
  output_config?: { format: AnthropicOutputFormat };
  stream?: boolean;
}

/** @see https://platform.claude.com/docs/en/build-with-claude/structured-outputs */
export interface AnthropicOutputFormat {
  type: 'json_schema';
  schema: JsonSchema;
}

const count = z.number().nullish();

export const usageSchema = z.object({
  input_tokens: count,
  output_tokens: count,
  cache_creation_input_tokens: count,
  cache_read_input_tokens: count,
  output_tokens_details: z.object({ thinking_tokens: count }).nullish(),
});
export type AnthropicUsage = z.infer<typeof usageSchema>;

const textBlock = z.object({ type: z.literal('text'), text: z.string() });
const toolUseBlock = z.object({
  type: z.literal('tool_use'),
  id: z.string(),
  name: z.string(),
  input: z.unknown(),
});
const typed = z.looseObject({ type: z.string() });

/** A content block as the converters see it: thinking, server tools and types added later are `other`, and dropped. */
export type ResponseBlock = z.infer<typeof textBlock> | z.infer<typeof toolUseBlock> | { type: 'other'; raw: string };

/** Known block types must be well formed (a malformed one throws a ZodError); unknown ones are tolerated. */
export function parseBlock(raw: unknown): ResponseBlock {
  const { type } = typed.parse(raw);
  if (type === 'text') return textBlock.parse(raw);
  if (type === 'tool_use') return toolUseBlock.parse(raw);
  return { type: 'other', raw: type };
}

export const messageSchema = z.object({
  id: z.string(),
  model: z.string().nullish(),
  content: z.array(typed),
  stop_reason: z.string().nullish(),
  stop_sequence: z.string().nullish(),
  usage: usageSchema.nullish(),
});
export type AnthropicResponse = z.infer<typeof messageSchema>;

export const errorBodySchema = z.object({
  type: z.literal('error').optional(),
  error: z.object({ type: z.string(), message: z.string().nullish() }),
});

const messageStart = z.object({
  type: z.literal('message_start'),
  message: z.object({ id: z.string(), model: z.string().nullish(), usage: usageSchema.nullish() }),
});
const blockStart = z.object({ type: z.literal('content_block_start'), index: z.number(), content_block: typed });
const blockDelta = z.object({ type: z.literal('content_block_delta'), index: z.number(), delta: typed });
const blockStop = z.object({ type: z.literal('content_block_stop'), index: z.number() });
const messageDelta = z.object({
  type: z.literal('message_delta'),
  delta: z.object({ stop_reason: z.string().nullish(), stop_sequence: z.string().nullish() }).nullish(),
  usage: usageSchema.nullish(),
});
const messageStop = z.object({ type: z.literal('message_stop') });
const errorEvent = z.object({ type: z.literal('error'), error: errorBodySchema.shape.error });

export type StreamEvent =
  | z.infer<typeof messageStart>
  | z.infer<typeof blockStart>
  | z.infer<typeof blockDelta>
  | z.infer<typeof blockStop>
  | z.infer<typeof messageDelta>
  | z.infer<typeof messageStop>
  | z.infer<typeof errorEvent>;

/** One stream event; undefined for `ping` and event types added after this was written (the stream skips them). */
export function parseStreamEvent(raw: unknown): StreamEvent | undefined {
  const { type } = typed.parse(raw);
  switch (type) {
    case 'message_start':
      return messageStart.parse(raw);
    case 'content_block_start':
      return blockStart.parse(raw);
    case 'content_block_delta':
      return blockDelta.parse(raw);
    case 'content_block_stop':
      return blockStop.parse(raw);
    case 'message_delta':
      return messageDelta.parse(raw);
    case 'message_stop':
      return messageStop.parse(raw);
    case 'error':
      return errorEvent.parse(raw);
    default:
      return undefined;
  }
}

const textDelta = z.object({ type: z.literal('text_delta'), text: z.string() });
const jsonDelta = z.object({ type: z.literal('input_json_delta'), partial_json: z.string() });

/** A block delta: text, tool input JSON, or `other` (thinking, signatures, citations), which is dropped. */
export type BlockDelta = z.infer<typeof textDelta> | z.infer<typeof jsonDelta> | { type: 'other'; raw: string };

export function parseDelta(raw: unknown): BlockDelta {
  const { type } = typed.parse(raw);
  if (type === 'text_delta') return textDelta.parse(raw);
  if (type === 'input_json_delta') return jsonDelta.parse(raw);
  return { type: 'other', raw: type };
}
