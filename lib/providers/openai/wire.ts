/**
 * Tolerant schemas for what comes back from OpenAI and OpenAI-compatible upstreams: open objects (unknown fields
 * such as DeepSeek's `reasoning_content` pass through), nullish where any upstream omits or nulls a field.
 * @see https://platform.openai.com/docs/api-reference/chat/object
 * @see https://platform.openai.com/docs/api-reference/chat/streaming
 */
import * as z from 'zod';

export const wireUsageSchema = z.looseObject({
  prompt_tokens: z.number().nullish(),
  completion_tokens: z.number().nullish(),
  total_tokens: z.number().nullish(),
  prompt_tokens_details: z.looseObject({ cached_tokens: z.number().nullish() }).nullish(),
  completion_tokens_details: z.looseObject({ reasoning_tokens: z.number().nullish() }).nullish(),
  /** DeepSeek reports cache reads here instead of `prompt_tokens_details.cached_tokens`. */
  prompt_cache_hit_tokens: z.number().nullish(),
});
export type WireUsage = z.infer<typeof wireUsageSchema>;

const toolCallSchema = z.looseObject({
  id: z.string(),
  type: z.string().nullish(),
  function: z.looseObject({
    name: z.string(),
    // A few compatible servers send the arguments already parsed.
    arguments: z.union([z.string(), z.record(z.string(), z.unknown())]).nullish(),
  }),
});
export type WireToolCall = z.infer<typeof toolCallSchema>;

const contentPartSchema = z.looseObject({ type: z.string(), text: z.string().nullish() });

const messageSchema = z.looseObject({
  role: z.string().nullish(),
  // Mistral's reasoning models answer with a list of parts.
  content: z.union([z.string(), z.array(contentPartSchema)]).nullish(),
  tool_calls: z.array(toolCallSchema).nullish(),
  refusal: z.string().nullish(),
});
export type WireMessage = z.infer<typeof messageSchema>;

export const wireCompletionSchema = z.looseObject({
  id: z.string().nullish(),
  choices: z.array(
    z.looseObject({
      index: z.number().nullish(),
      message: messageSchema,
      finish_reason: z.string().nullish(),
      logprobs: z.unknown().optional(),
    }),
  ),
  usage: wireUsageSchema.nullish(),
  system_fingerprint: z.string().nullish(),
  service_tier: z.string().nullish(),
});
export type WireCompletion = z.infer<typeof wireCompletionSchema>;

const toolCallDeltaSchema = z.looseObject({
  index: z.number().nullish(),
  id: z.string().nullish(),
  type: z.string().nullish(),
  function: z.looseObject({ name: z.string().nullish(), arguments: z.string().nullish() }).nullish(),
});
export type WireToolCallDelta = z.infer<typeof toolCallDeltaSchema>;

const deltaSchema = z.looseObject({
  role: z.string().nullish(),
  content: z.string().nullish(),
  tool_calls: z.array(toolCallDeltaSchema).nullish(),
  refusal: z.string().nullish(),
});
export type WireDelta = z.infer<typeof deltaSchema>;

export const wireChunkSchema = z.looseObject({
  id: z.string().nullish(),
  // vLLM sends the usage-only chunk with `"choices": null`.
  choices: z
    .array(
      z.looseObject({
        index: z.number().nullish(),
        delta: deltaSchema.nullish(),
        finish_reason: z.string().nullish(),
        logprobs: z.unknown().optional(),
      }),
    )
    .nullish(),
  usage: wireUsageSchema.nullish(),
  system_fingerprint: z.string().nullish(),
  /** Groq's own place for stream usage. */
  x_groq: z.looseObject({ usage: wireUsageSchema.nullish() }).nullish(),
});
export type WireChunk = z.infer<typeof wireChunkSchema>;
