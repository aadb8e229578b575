/**
 * The Anthropic ChatModel: request.ts out, the SDK call, response.ts / stream.ts back, errors.ts on every failure.
 * Stateless per call (the registry shares one instance per credential).
 */
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
import { streamCutOff } from '../shared/http-errors.js';
import { withNativeEvent } from '../shared/native-event.js';
import type { MessagesTransport } from './client.js';
import { mapError } from './errors.js';
import { type RequestOptions, toRequest } from './request.js';
import { toChatResult } from './response.js';
import { createStreamConverter } from './stream.js';
import type { AnthropicRequest } from './wire.js';

export class AnthropicChatModel implements ChatModel {
  /** `/v1/messages` goes to Anthropic as the caller wrote it (CONTRACT.md §5): cache_control, thinking, betas. */
  native(format: NativeFormat): boolean {
    return format === 'messages';
  }

  constructor(
    private readonly transport: MessagesTransport,
    private readonly provider: string,
    private readonly requestOptions: RequestOptions = {},
  ) {}

  async complete(req: ChatRequest, ctx: CallContext): Promise<ChatResult> {
    const native = req[NATIVE_BODY];
    const { body, jsonMode } = native
      ? { body: nativeBody(native, req), jsonMode: false }
      : toRequest(req, ctx, this.requestOptions);
    try {
      const raw = await this.transport.create(body, ctx.signal, native?.headers);
      const result = toChatResult(raw, jsonMode);
      return native ? { ...result, native: raw as Record<string, unknown> } : result;
    } catch (error) {
      throw mapError(error, { provider: this.provider, model: req.model });
    }
  }

  async *stream(req: ChatRequest, ctx: CallContext): AsyncIterable<ChatChunk> {
    const native = req[NATIVE_BODY];
    const { body, jsonMode } = native
      ? { body: nativeBody(native, req), jsonMode: false }
      : toRequest(req, ctx, this.requestOptions);
    const converter = createStreamConverter({ provider: this.provider, jsonMode });
    const info = { provider: this.provider, model: req.model };
    try {
      const events = await this.transport.stream(body, ctx.signal, native?.headers);
      for await (const raw of events) {
        const chunks = converter.push(raw);
        if (native) yield* withNativeEvent(chunks, raw);
        else yield* chunks;
        if (converter.done) break;
      }
    } catch (error) {
      throw mapError(error, info);
    }
    // A dropped connection may end the SDK's stream without an error.
    if (!converter.done) throw streamCutOff(this.provider);
  }
}

/** The caller's Messages body for Anthropic: unchanged but for the routed `model` (and without `stream`, set by the SDK call). */
function nativeBody(native: NativeBody, req: ChatRequest): AnthropicRequest {
  const { stream: _stream, ...body } = native.body;
  return { ...body, model: req.model } as unknown as AnthropicRequest;
}
