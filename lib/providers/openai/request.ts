/**
 * ChatRequest → the body the openai SDK sends. The gateway's canonical request *is* OpenAI's, so every field goes
 * through as the caller wrote it (unknown ones included, for compatible upstreams that take extras); only the
 * gateway's own extensions are taken out.
 * @see https://platform.openai.com/docs/api-reference/chat/create
 */
import type { ChatRequest } from '../../core/types.js';

/** Request fields that mean something to the gateway only and must never reach an upstream. */
export const GATEWAY_ONLY_FIELDS = ['models'] as const;

export type UpstreamBody = Record<string, unknown> & { model: string };

function withoutGatewayFields(req: ChatRequest): UpstreamBody {
  const body: UpstreamBody = { ...req };
  for (const field of GATEWAY_ONLY_FIELDS) delete body[field];
  return body;
}

/** The body for a non-streaming call: `stream` and `stream_options` go (OpenAI rejects `stream_options` alone). */
export function toRequest(req: ChatRequest): UpstreamBody {
  const body = withoutGatewayFields(req);
  delete body.stream;
  delete body.stream_options;
  return body;
}

/**
 * The body for a streaming call. `include_usage` is forced on whatever the caller asked: without it OpenAI sends
 * no usage at all and the request could be neither counted nor priced. The gateway decides separately whether
 * the caller sees the usage chunk.
 * @see https://platform.openai.com/docs/api-reference/chat/create#chat-create-stream_options
 */
export function toStreamRequest(req: ChatRequest): UpstreamBody {
  const body = withoutGatewayFields(req);
  body.stream = true;
  body.stream_options = { ...(req.stream_options ?? {}), include_usage: true };
  return body;
}
