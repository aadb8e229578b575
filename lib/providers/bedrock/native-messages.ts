/**
 * `/v1/messages` on Bedrock's Claude models in Anthropic's own Messages format (CONTRACT.md §5): `InvokeModel` /
 * `InvokeModelWithResponseStream` with the caller's body, `anthropic_version: "bedrock-2023-05-31"` in place of
 * `model` and `stream`, and `anthropic-beta` as the body's `anthropic_beta`. Answers are Anthropic's shapes, so
 * Anthropic's converters read what metering needs, and the ingress forwards them as they came.
 * @see https://docs.aws.amazon.com/bedrock/latest/userguide/model-parameters-anthropic-claude-messages.html
 */
import type { ChatChunk, ChatResult, NativeBody } from '../../core/types.js';
import { toChatResult } from '../anthropic/response.js';
import { createStreamConverter } from '../anthropic/stream.js';
import { invalidResponse } from '../shared/http-errors.js';
import { withNativeEvent } from '../shared/native-event.js';

export const BEDROCK_ANTHROPIC_VERSION = 'bedrock-2023-05-31';

/** Claude on Bedrock takes the Messages format: foundation model ids and inference profiles (`us.anthropic.…`). */
export function isBedrockClaude(model: string): boolean {
  return /(^|[.:/])anthropic\.claude/.test(model);
}

export function invokeBody(native: NativeBody): Uint8Array {
  const { model: _model, stream: _stream, ...body } = native.body;
  const betas = native.headers['anthropic-beta'];
  const out: Record<string, unknown> = { anthropic_version: BEDROCK_ANTHROPIC_VERSION, ...body };
  if (betas)
    out.anthropic_beta = betas
      .split(',')
      .map((beta) => beta.trim())
      .filter(Boolean);
  return new TextEncoder().encode(JSON.stringify(out));
}

function parseJson(bytes: Uint8Array | undefined): Record<string, unknown> {
  try {
    return JSON.parse(new TextDecoder().decode(bytes)) as Record<string, unknown>;
  } catch (error) {
    throw invalidResponse('Bedrock', error);
  }
}

/** The InvokeModel / InvokeModelWithResponseStream input carrying a native Messages body. */
export function invokeInput(model: string, native: NativeBody) {
  return { modelId: model, contentType: 'application/json', accept: 'application/json', body: invokeBody(native) };
}

export function fromInvokeResponse(bytes: Uint8Array | undefined): ChatResult {
  const raw = parseJson(bytes);
  return { ...toChatResult(raw, false), native: raw };
}

/** The response stream's `chunk` events, each an Anthropic event in JSON, as canonical chunks with their text. */
export async function* fromInvokeStream(
  events: AsyncIterable<{ chunk?: { bytes?: Uint8Array } }>,
  provider: string,
): AsyncGenerator<ChatChunk> {
  const converter = createStreamConverter({ provider, jsonMode: false });
  for await (const event of events) {
    if (!event.chunk?.bytes) continue;
    // Bedrock appends its own metrics to `message_stop`; the event is forwarded as Anthropic's, without them.
    const { 'amazon-bedrock-invocationMetrics': _metrics, ...raw } = parseJson(event.chunk.bytes);
    yield* withNativeEvent(converter.push(raw), raw);
    if (converter.done) return;
  }
  yield* converter.end();
}
