/**
 * The gateway's canonical format: OpenAI Chat Completions. Every provider converts from `ChatRequest` and back to
 * `ChatResult` / `ChatChunk`; the gateway stamps ids, `model` and the wire envelope (see lib/gateway/respond.ts).
 *
 * Request shapes are plain types; the request body is validated once at the edge (lib/gateway/validate.ts).
 * @see https://platform.openai.com/docs/api-reference/chat/create
 */
import type { ZodType } from 'zod';
import type { CatalogEntry } from '../catalog.js';
import type { EmbeddingRequest, EmbeddingResult } from './embeddings.js';

export interface TextPart {
  type: 'text';
  text: string;
}

export interface ImagePart {
  type: 'image_url';
  image_url: { url: string; detail?: 'auto' | 'low' | 'high' };
}

export interface AudioPart {
  type: 'input_audio';
  input_audio: { data: string; format: string };
}

export interface FilePart {
  type: 'file';
  file: { file_data?: string; file_id?: string; filename?: string };
}

export type ContentPart = TextPart | ImagePart | AudioPart | FilePart;

export interface ToolCall {
  id: string;
  type: 'function';
  function: { name: string; arguments: string };
}

export interface SystemMessage {
  role: 'system' | 'developer';
  content: string | TextPart[];
  name?: string;
}

export interface UserMessage {
  role: 'user';
  content: string | ContentPart[];
  name?: string;
}

export interface AssistantMessage {
  role: 'assistant';
  content?: string | TextPart[] | null;
  name?: string;
  tool_calls?: ToolCall[];
  refusal?: string | null;
}

export interface ToolMessage {
  role: 'tool';
  content: string | TextPart[];
  tool_call_id: string;
}

export type ChatMessage = SystemMessage | UserMessage | AssistantMessage | ToolMessage;

export interface FunctionTool {
  type: 'function';
  function: {
    name: string;
    description?: string;
    parameters?: JsonSchema;
    strict?: boolean | null;
  };
}

export type ToolChoice = 'auto' | 'none' | 'required' | { type: 'function'; function: { name: string } };

export type ResponseFormat =
  | { type: 'text' }
  | { type: 'json_object' }
  | {
      type: 'json_schema';
      json_schema: { name: string; description?: string; schema?: JsonSchema; strict?: boolean | null };
    };

/** A JSON Schema object as the caller sent it (tools, response_format). */
export type JsonSchema = { [key: string]: unknown };

/** Ingress formats a provider may speak natively (CONTRACT.md §5: pass-through to the provider's own API). */
export type NativeFormat = 'messages' | 'responses';

/**
 * The caller's own body, kept beside the canonical request, for a provider that speaks its format natively
 * (`ChatModel.native`): it sends the body unchanged but for `model`. A symbol key, so it never reaches an upstream
 * as a JSON field.
 */
export const NATIVE_BODY = Symbol('native body');

export interface NativeBody {
  format: NativeFormat;
  body: Record<string, unknown>;
  /** Request headers the native API takes (`anthropic-beta`). */
  headers: Record<string, string>;
  /** Why the canonical request is not the whole story: thrown for a provider without this native format. */
  untranslatable?: Error;
}

/** The request as the provider sees it: `model` is already the provider's own model name. */
export interface ChatRequest {
  [NATIVE_BODY]?: NativeBody;
  model: string;
  messages: ChatMessage[];
  tools?: FunctionTool[];
  tool_choice?: ToolChoice;
  parallel_tool_calls?: boolean;
  response_format?: ResponseFormat;
  temperature?: number | null;
  top_p?: number | null;
  max_tokens?: number | null;
  max_completion_tokens?: number | null;
  stop?: string | string[] | null;
  seed?: number | null;
  stream?: boolean | null;
  stream_options?: { include_usage?: boolean } | null;
  user?: string;
  metadata?: Record<string, string> | null;
  n?: number | null;
  logprobs?: boolean | null;
  top_logprobs?: number | null;
  frequency_penalty?: number | null;
  presence_penalty?: number | null;
  logit_bias?: Record<string, number> | null;
  service_tier?: string | null;
  store?: boolean | null;
  reasoning_effort?: string | null;
  /** Fields the gateway does not model are kept and passed to OpenAI-compatible upstreams as they are. */
  [field: string]: unknown;
}

export type FinishReason = 'stop' | 'length' | 'tool_calls' | 'content_filter' | 'function_call';

/**
 * Normalised usage. `inputTokens` counts every prompt token, cache reads and writes included (OpenAI's convention);
 * `cacheReadTokens` and `cacheWriteTokens` are the parts of it read from / written to a prompt cache.
 */
export interface Usage {
  inputTokens: number;
  outputTokens: number;
  cacheReadTokens: number;
  cacheWriteTokens: number;
  reasoningTokens?: number;
}

export interface AssistantOutput {
  role: 'assistant';
  content: string | null;
  tool_calls?: ToolCall[];
  refusal?: string | null;
}

export interface CompletionChoice {
  index: number;
  message: AssistantOutput;
  finish_reason: FinishReason | null;
  logprobs?: unknown;
}

/** A provider's complete answer; the gateway wraps it into a `chat.completion`. */
export interface ChatResult {
  /** The upstream's response id, when it has one. */
  id?: string;
  /** A native call's own answer body (see {@link NATIVE_BODY}): the ingress of that format forwards it. */
  native?: Record<string, unknown>;
  choices: CompletionChoice[];
  usage: Usage;
  system_fingerprint?: string | null;
  service_tier?: string | null;
}

export interface ToolCallDelta {
  index: number;
  id?: string;
  type?: 'function';
  function?: { name?: string; arguments?: string };
}

export interface ChunkDelta {
  role?: 'assistant';
  content?: string | null;
  tool_calls?: ToolCallDelta[];
  refusal?: string | null;
}

export interface ChunkChoice {
  index: number;
  delta: ChunkDelta;
  finish_reason: FinishReason | null;
  logprobs?: unknown;
}

/**
 * One step of a provider stream. `choices` may be empty; `usage` (normalised) comes once, on the last chunk. The
 * gateway turns it into an OpenAI `chat.completion.chunk` and emits usage as its own final chunk when asked to.
 */
export interface ChatChunk {
  id?: string;
  /** A native stream's own event text for this chunk ('' for the other chunks of the same event). */
  native?: string;
  choices: ChunkChoice[];
  usage?: Usage;
  system_fingerprint?: string | null;
}

/** What the gateway hands a provider for one call. Per-request state lives here, never in module variables. */
export interface CallContext {
  /** Aborted when the client goes away or a gateway timeout fires: pass it to every upstream call. */
  signal: AbortSignal;
  requestId: string;
  projectId: string;
  /** Records a hint field the provider has no equivalent for; listed in `x-gateway-ignored`. */
  ignore(field: string): void;
  /** The catalog's entry for the routed model, when it has one (limits, capabilities). */
  catalogEntry?: CatalogEntry;
}

export interface ChatModel {
  complete(req: ChatRequest, ctx: CallContext): Promise<ChatResult>;
  stream(req: ChatRequest, ctx: CallContext): AsyncIterable<ChatChunk>;
  /**
   * Whether this model serves `format` natively for the provider model `model` (from {@link NATIVE_BODY}), still
   * filling the canonical fields (usage, finish reason, content deltas) so that metering works alike.
   */
  native?(format: NativeFormat, model: string): boolean;
  /**
   * `POST /v1/embeddings` (lib/core/embeddings.ts): present on providers that can embed; it may still refuse a
   * model of the provider that cannot (400 naming `model`). Array inputs are split where the provider limits a
   * call, and the vectors come back in input order.
   */
  embed?(req: EmbeddingRequest, ctx: CallContext): Promise<EmbeddingResult>;
}

/** Options a factory receives with a credential: which provider name it serves (e.g. `groq` or a custom name). */
export interface ProviderOptions {
  providerName: string;
  /** A built-in base URL for well-known OpenAI-compatible services; the credential's own `base_url` wins. */
  defaultBaseUrl?: string;
}

export interface ProviderFactory<Credential = unknown> {
  /** The credential `type` shown by the admin API (e.g. `openai`, `openai-compatible`, `bedrock`). */
  type: string;
  /** Validates the admin PUT body (shape only, not validity). */
  credentialSchema: ZodType<Credential>;
  /** Whether its models can embed (`ChatModel.embed`): lets `/v1/embeddings` refuse a provider before calling it. */
  embeddings?: boolean;
  /** Builds the official SDK client; the registry caches the result per credential. May import the SDK lazily. */
  create(credential: Credential, options: ProviderOptions): ChatModel | Promise<ChatModel>;
}

/** Gateway-wide default credentials by provider name (env vars locally, `<stack>/defaults` in AWS). */
export type DefaultCredentials = Record<string, Record<string, unknown> | undefined>;
