/**
 * The canonical embeddings request and result (`POST /v1/embeddings`, CONTRACT.md §5), in OpenAI's terms: every
 * provider that can embed converts from `EmbeddingRequest` and back to `EmbeddingResult`; the gateway renders the
 * `list` of `embedding` objects in the encoding the caller asked for.
 * @see https://platform.openai.com/docs/api-reference/embeddings/create
 */

/** How the caller wants vectors: JSON numbers, or base64 of little-endian float32 (OpenAI's two encodings). */
export type EmbeddingEncoding = 'float' | 'base64';

/**
 * One vector as a provider returned it: numbers, or the base64 of its little-endian float32 bytes when an
 * OpenAI-compatible upstream was asked for `base64` (passed on without decoding).
 */
export type EmbeddingVector = number[] | string;

export interface EmbeddingRequest {
  /** The provider's own model name. */
  model: string;
  /**
   * The inputs, in order: texts, or token arrays (OpenAI's pre-tokenised form, which only OpenAI-compatible
   * upstreams take). Never empty.
   */
  input: string[] | number[][];
  /** OpenAI's `dimensions`: the length of each vector, for models that can shorten them. */
  dimensions?: number;
  encoding: EmbeddingEncoding;
  /** A hint: passed on where the provider has it (OpenAI), dropped and listed in `x-gateway-ignored` elsewhere. */
  user?: string;
  /**
   * Body fields the gateway does not model (`input_type`, `truncate`, …): passed on as they are to
   * OpenAI-compatible upstreams; elsewhere read where they have a meaning (Cohere's `input_type`), else ignored.
   */
  extra: Record<string, unknown>;
}

export interface EmbeddingResult {
  /** One vector per input, in input order. */
  vectors: EmbeddingVector[];
  /** Input tokens as the provider reported them; undefined when it did not (the gateway then estimates). */
  inputTokens?: number;
}

/** Whether the input is texts (every provider) rather than token arrays (OpenAI-compatible upstreams only). */
export function isTextInput(input: EmbeddingRequest['input']): input is string[] {
  return typeof input[0] === 'string';
}
