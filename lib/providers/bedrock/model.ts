/**
 * The Bedrock ChatModel: Converse for every family, InvokeModel for Claude's native Messages body and for
 * embeddings; request.ts out, response.ts / stream.ts back, errors.ts on every failure.
 */
import type {
  BedrockRuntimeClient,
  ConverseRequest,
  ConverseStreamCommandOutput,
} from '@aws-sdk/client-bedrock-runtime';
import type { EmbeddingRequest, EmbeddingResult } from '../../core/embeddings.js';
import type { GatewayError } from '../../core/errors.js';
import {
  type CallContext,
  type ChatChunk,
  type ChatModel,
  type ChatRequest,
  type ChatResult,
  NATIVE_BODY,
  type NativeFormat,
} from '../../core/types.js';
import { EMBEDDING_CONCURRENCY, mapInBatches } from '../shared/batches.js';
import { invalidResponse } from '../shared/http-errors.js';
import { convertStream } from '../shared/stream-converter.js';
import type { BedrockSdk } from './client.js';
import {
  BATCH_SIZE,
  checkEmbeddingRequest,
  fromInvokeEmbedding,
  inputTokensHeader,
  parseInvokeJson,
  toInvokeBody,
} from './embed.js';
import { mapError } from './errors.js';
import { familyTraits } from './family.js';
import { fromInvokeResponse, fromInvokeStream, invokeInput, isBedrockClaude } from './native-messages.js';
import { toRequest } from './request.js';
import { toChatResult } from './response.js';
import { createStreamConverter, resultToChunks } from './stream.js';

/** An error while talking to Bedrock, mapped by errors.ts. */
function failure(error: unknown, model: string): GatewayError {
  return mapError(error, { provider: 'bedrock', model });
}

/** The SDK's event iterator, with its exceptions (throttling, model stream errors, resets) mapped as they surface. */
async function* guardEvents(events: AsyncIterable<unknown>, model: string): AsyncGenerator<unknown> {
  try {
    for await (const event of events) yield event;
  } catch (error) {
    throw failure(error, model);
  }
}

export class BedrockChatModel implements ChatModel {
  constructor(
    private readonly client: BedrockRuntimeClient,
    private readonly sdk: BedrockSdk,
  ) {}

  /** Claude models take `/v1/messages` in Anthropic's own format (InvokeModel), the rest a translation. */
  native(format: NativeFormat, model: string): boolean {
    return format === 'messages' && isBedrockClaude(model);
  }

  async complete(req: ChatRequest, ctx: CallContext): Promise<ChatResult> {
    const native = req[NATIVE_BODY];
    if (native) {
      const input = invokeInput(req.model, native);
      try {
        const output = await this.client.send(new this.sdk.InvokeModelCommand(input), { abortSignal: ctx.signal });
        return fromInvokeResponse(output.body);
      } catch (error) {
        throw failure(error, req.model);
      }
    }
    const input = await toRequest(req, ctx, familyTraits(req.model, ctx.catalogEntry));
    return this.converse(input, req.model, ctx.signal);
  }

  async *stream(req: ChatRequest, ctx: CallContext): AsyncGenerator<ChatChunk> {
    const native = req[NATIVE_BODY];
    if (native) {
      const input = invokeInput(req.model, native);
      let body: AsyncIterable<{ chunk?: { bytes?: Uint8Array } }> | undefined;
      try {
        const output = await this.client.send(new this.sdk.InvokeModelWithResponseStreamCommand(input), {
          abortSignal: ctx.signal,
        });
        body = output.body;
      } catch (error) {
        throw failure(error, req.model);
      }
      if (!body) throw invalidResponse('Bedrock', new Error('InvokeModelWithResponseStream answered without a stream'));
      yield* fromInvokeStream(
        guardEvents(body, req.model) as AsyncIterable<{ chunk?: { bytes?: Uint8Array } }>,
        'bedrock',
      );
      return;
    }
    const traits = familyTraits(req.model, ctx.catalogEntry);
    const input = await toRequest(req, ctx, traits);
    if (input.toolConfig && !traits.streamingTools) {
      // This family takes tools through Converse only: ask for the whole answer, then stream it out.
      yield* resultToChunks(await this.converse(input, req.model, ctx.signal));
      return;
    }
    let output: ConverseStreamCommandOutput;
    try {
      output = await this.client.send(new this.sdk.ConverseStreamCommand(input), { abortSignal: ctx.signal });
    } catch (error) {
      throw failure(error, req.model);
    }
    if (!output.stream) throw invalidResponse('Bedrock', new Error('ConverseStream answered without an event stream'));
    yield* convertStream(guardEvents(output.stream, req.model), createStreamConverter());
  }

  /** One InvokeModel a batch (Titan: a text; Cohere: up to 96), the token counts summed where Bedrock gave them. */
  async embed(req: EmbeddingRequest, ctx: CallContext): Promise<EmbeddingResult> {
    const { family, texts } = checkEmbeddingRequest(req);
    let tokens: number | undefined = 0;
    const vectors = await mapInBatches(texts, BATCH_SIZE[family.kind], EMBEDDING_CONCURRENCY, async (batch) => {
      const body = toInvokeBody(req, family, batch, ctx.ignore);
      const command = new this.sdk.InvokeModelCommand({
        modelId: req.model,
        contentType: 'application/json',
        accept: 'application/json',
        body: new TextEncoder().encode(JSON.stringify(body)),
      });
      let headers: Record<string, string | undefined> = {};
      command.middlewareStack.add(
        (next) => async (args) => {
          const result = await next(args);
          headers = (result.response as { headers?: Record<string, string> }).headers ?? {};
          return result;
        },
        { step: 'deserialize', name: 'gatewayInputTokenCount' },
      );
      let bytes: Uint8Array | undefined;
      try {
        bytes = (await this.client.send(command, { abortSignal: ctx.signal })).body;
      } catch (error) {
        throw failure(error, req.model);
      }
      const out = fromInvokeEmbedding(family, parseInvokeJson(bytes), batch.length);
      const counted = out.inputTokens ?? inputTokensHeader(headers);
      tokens = tokens === undefined || counted === undefined ? undefined : tokens + counted;
      return out.vectors;
    });
    return tokens === undefined ? { vectors } : { vectors, inputTokens: tokens };
  }

  private async converse(input: ConverseRequest, model: string, signal: AbortSignal): Promise<ChatResult> {
    let output: unknown;
    try {
      output = await this.client.send(new this.sdk.ConverseCommand(input), { abortSignal: signal });
    } catch (error) {
      throw failure(error, model);
    }
    return toChatResult(output);
  }
}
