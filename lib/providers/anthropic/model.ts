/**
 * The Anthropic ChatModel: request.ts out, the SDK call, response.ts / stream.ts back, errors.ts on every failure.
 * Stateless per call (the registry shares one instance per credential).
 */
import type { CallContext, ChatChunk, ChatModel, ChatRequest, ChatResult } from '../../core/types.js';
import type { MessagesTransport } from './client.js';
import { mapAnthropicError, streamCutOff } from './errors.js';
import { type RequestOptions, toAnthropicRequest } from './request.js';
import { fromAnthropicResponse } from './response.js';
import { createStreamConverter } from './stream.js';

export class AnthropicChatModel implements ChatModel {
  constructor(
    private readonly transport: MessagesTransport,
    private readonly provider: string,
    private readonly requestOptions: RequestOptions = {},
  ) {}

  async complete(req: ChatRequest, ctx: CallContext): Promise<ChatResult> {
    const { body, jsonMode } = toAnthropicRequest(req, ctx, this.requestOptions);
    try {
      const raw = await this.transport.create(body, ctx.signal);
      return fromAnthropicResponse(raw, jsonMode);
    } catch (error) {
      throw mapAnthropicError(error, { provider: this.provider, model: req.model, signal: ctx.signal });
    }
  }

  async *stream(req: ChatRequest, ctx: CallContext): AsyncIterable<ChatChunk> {
    const { body, jsonMode } = toAnthropicRequest(req, ctx, this.requestOptions);
    const converter = createStreamConverter({ provider: this.provider, jsonMode });
    const errorContext = { provider: this.provider, model: req.model, signal: ctx.signal };
    try {
      const events = await this.transport.stream(body, ctx.signal);
      for await (const raw of events) {
        for (const chunk of converter.push(raw)) yield chunk;
        if (converter.done) break;
      }
    } catch (error) {
      throw mapAnthropicError(error, errorContext);
    }
    // The SDK ends an aborted stream quietly, and a dropped connection may end it without an error.
    if (!converter.done) {
      throw ctx.signal.aborted ? mapAnthropicError(ctx.signal.reason, errorContext) : streamCutOff(this.provider);
    }
  }
}
