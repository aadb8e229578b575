/**
 * The ChatModel every provider of the OpenAI family shares: OpenAI, Azure OpenAI, the built-in compatible services
 * and custom providers differ only in how their SDK client is built (client.ts).
 */
import type {
  ChatCompletionChunk,
  ChatCompletionCreateParamsNonStreaming,
  ChatCompletionCreateParamsStreaming,
} from 'openai/resources/chat/completions';
import type { EmbeddingCreateParams } from 'openai/resources/embeddings';
import type { EmbeddingRequest, EmbeddingResult } from '../../core/embeddings.js';
import type { GatewayError } from '../../core/errors.js';
import {
  type CallContext,
  type ChatChunk,
  type ChatModel,
  type ChatRequest,
  type ChatResult,
  NATIVE_BODY,
  type NativeBody,
  type NativeFormat,
} from '../../core/types.js';
import { assertModelInPath } from '../shared/model-in-path.js';
import { convertStream } from '../shared/stream-converter.js';
import type { BuiltClient } from './client.js';
import { fromEmbeddingResponse, toEmbeddingBody } from './embed.js';
import { mapError, type OpenAIErrorContext } from './errors.js';
import { toRequest, toStreamRequest } from './request.js';
import { toChatResult } from './response.js';
import { createResponsesStreamConverter, fromResponse } from './responses.js';
import { createStreamConverter } from './stream.js';

export interface OpenAIModelOptions {
  /** The provider's name as the caller wrote it, used in messages. */
  provider: string;
  /** Values no error message may contain (api key, upstream host). */
  secrets: readonly string[];
  /** Azure: the model is the deployment, a segment of the URL path. */
  modelInPath?: boolean;
  /** OpenAI and Azure: `/v1/responses` goes to the provider's own Responses API. */
  nativeResponses?: boolean;
  /**
   * Ask for base64 embeddings whatever the caller wants, as the openai SDK does by default: four times less JSON to
   * read, and the gateway decodes (or passes on) the float32 values. Only where the upstream is known to serve it.
   */
  base64Embeddings?: boolean;
}

export class OpenAIChatModel implements ChatModel {
  constructor(
    private readonly built: BuiltClient,
    private readonly options: OpenAIModelOptions,
  ) {}

  native(format: NativeFormat): boolean {
    return format === 'responses' && this.options.nativeResponses === true;
  }

  async complete(req: ChatRequest, ctx: CallContext): Promise<ChatResult> {
    if (this.options.modelInPath) assertModelInPath(req.model, this.options.provider);
    const native = req[NATIVE_BODY];
    if (native?.format === 'responses') return this.completeResponses(native, req, ctx);
    // The request was validated at the edge and is OpenAI's own shape; extra fields go through on purpose.
    const body = toRequest(req) as unknown as ChatCompletionCreateParamsNonStreaming;
    let raw: unknown;
    try {
      raw = await this.built.client.chat.completions.create(body, { signal: ctx.signal });
    } catch (error) {
      throw this.mapError(error, req.model);
    }
    return toChatResult(raw, this.options.provider);
  }

  async *stream(req: ChatRequest, ctx: CallContext): AsyncGenerator<ChatChunk> {
    if (this.options.modelInPath) assertModelInPath(req.model, this.options.provider);
    const native = req[NATIVE_BODY];
    if (native?.format === 'responses') {
      yield* this.streamResponses(native, req, ctx);
      return;
    }
    const body = toStreamRequest(req) as unknown as ChatCompletionCreateParamsStreaming;
    try {
      const upstream: AsyncIterable<ChatCompletionChunk> = await this.built.client.chat.completions.create(body, {
        signal: ctx.signal,
      });
      yield* convertStream(upstream, createStreamConverter(this.options.provider));
    } catch (error) {
      throw this.mapError(error, req.model);
    }
  }

  async embed(req: EmbeddingRequest, ctx: CallContext): Promise<EmbeddingResult> {
    if (this.options.modelInPath) assertModelInPath(req.model, this.options.provider);
    const encoding = this.options.base64Embeddings ? 'base64' : req.encoding;
    const body = toEmbeddingBody({ ...req, encoding }) as unknown as EmbeddingCreateParams;
    let raw: unknown;
    try {
      raw = await this.built.client.embeddings.create(body, { signal: ctx.signal });
    } catch (error) {
      throw this.mapError(error, req.model);
    }
    return fromEmbeddingResponse(raw, req.input.length, this.options.provider);
  }

  private async completeResponses(native: NativeBody, req: ChatRequest, ctx: CallContext): Promise<ChatResult> {
    const body = { ...native.body, model: req.model, stream: false };
    try {
      return fromResponse(await this.responsesClient.responses.create(body as never, { signal: ctx.signal }));
    } catch (error) {
      throw this.mapError(error, req.model);
    }
  }

  private async *streamResponses(native: NativeBody, req: ChatRequest, ctx: CallContext): AsyncGenerator<ChatChunk> {
    const body = { ...native.body, model: req.model, stream: true };
    const converter = createResponsesStreamConverter(this.options.provider);
    try {
      const events = (await this.responsesClient.responses.create(body as never, {
        signal: ctx.signal,
      })) as unknown as AsyncIterable<unknown>;
      for await (const event of events) {
        yield* converter.push(event);
        if (converter.done) break;
      }
    } catch (error) {
      throw this.mapError(error, req.model);
    }
    yield* converter.end();
  }

  private get responsesClient() {
    return this.built.responsesClient ?? this.built.client;
  }

  private mapError(error: unknown, model: string): GatewayError {
    const info: OpenAIErrorContext = {
      provider: this.options.provider,
      model,
      secrets: this.options.secrets,
      sdk: this.built.errors,
    };
    return mapError(error, info);
  }
}
