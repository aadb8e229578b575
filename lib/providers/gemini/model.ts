/**
 * The ChatModel of `gemini` and `vertex-ai`: the same converters over the same SDK call; only the client differs.
 */
import type { GenerateContentParameters, GoogleGenAI } from '@google/genai';
import type { EmbeddingRequest, EmbeddingResult } from '../../core/embeddings.js';
import type { CallContext, ChatChunk, ChatModel, ChatRequest, ChatResult } from '../../core/types.js';
import { EMBEDDING_CONCURRENCY, mapInBatches } from '../shared/batches.js';
import type { ErrorContext } from '../shared/error-context.js';
import { fromEmbedResponse, geminiBatchSize, textsOf, toEmbedParams } from './embed.js';
import { mapError } from './errors.js';
import { toRequest } from './request.js';
import { toChatResult } from './response.js';
import { createStreamConverter } from './stream.js';
import type { GeminiRequest } from './wire.js';

export interface GeminiModelOptions {
  /** The provider's name as the caller wrote it (`gemini`, `vertex-ai`). */
  provider: string;
  /** Values no error message may contain (api key, access token, custom host). */
  secrets: readonly string[];
}

export class GeminiChatModel implements ChatModel {
  constructor(
    private readonly client: GoogleGenAI,
    private readonly options: GeminiModelOptions,
  ) {}

  async complete(req: ChatRequest, ctx: CallContext): Promise<ChatResult> {
    const params = toSdkParams(await toRequest(req, ctx), ctx.signal);
    let raw: unknown;
    try {
      raw = await this.client.models.generateContent(params);
    } catch (error) {
      throw mapError(error, this.errorContext(req));
    }
    return toChatResult(raw, this.options.provider);
  }

  async *stream(req: ChatRequest, ctx: CallContext): AsyncGenerator<ChatChunk> {
    const params = toSdkParams(await toRequest(req, ctx), ctx.signal);
    const converter = createStreamConverter(this.options.provider);
    try {
      const upstream = await this.client.models.generateContentStream(params);
      for await (const response of upstream) yield* converter.push(response);
    } catch (error) {
      throw mapError(error, this.errorContext(req));
    }
    yield* converter.end();
  }

  async embed(req: EmbeddingRequest, ctx: CallContext): Promise<EmbeddingResult> {
    const texts = textsOf(req, 'Gemini');
    let tokens: number | undefined = 0;
    const vectors = await mapInBatches(
      texts,
      geminiBatchSize(req.model, this.client.vertexai),
      EMBEDDING_CONCURRENCY,
      async (batch) => {
        let raw: unknown;
        try {
          raw = await this.client.models.embedContent(toEmbedParams(req, batch, ctx.signal, ctx.ignore));
        } catch (error) {
          throw mapError(error, this.errorContext(req));
        }
        const out = fromEmbedResponse(raw, batch.length, this.options.provider);
        tokens = tokens === undefined || out.inputTokens === undefined ? undefined : tokens + out.inputTokens;
        return out.vectors;
      },
    );
    return tokens === undefined ? { vectors } : { vectors, inputTokens: tokens };
  }

  private errorContext(req: { model: string }): ErrorContext {
    return { provider: this.options.provider, model: req.model, secrets: this.options.secrets };
  }
}

/**
 * Adds the call-only switches: the abort signal, and the SDK's own loops turned off (automatic function calling
 * only runs callable tools, which the gateway never passes; automatic continuation would resend the request).
 * GeminiRequest is the SDK's camelCase shape with string enum values, hence the one cast.
 */
function toSdkParams(request: GeminiRequest, signal: AbortSignal): GenerateContentParameters {
  return {
    ...request,
    config: {
      ...request.config,
      abortSignal: signal,
      automaticFunctionCalling: { disable: true },
      automaticContinuation: false,
    },
  } as unknown as GenerateContentParameters;
}
