/**
 * An ingress format: one public API the gateway serves (OpenAI chat completions, Anthropic Messages, …), converted
 * to and from the canonical request, result and chunk stream (lib/core/types.ts). The pipeline (../pipeline.ts,
 * ../generate.ts) runs the same steps for every ingress — auth, limits, routing, fallbacks, retries, tracing,
 * metering — and asks the ingress only to parse the body and to render answers, streams and errors. Providers never
 * learn the ingress.
 */
import type { GatewayError } from '../../core/errors.js';
import type { ChatChunk, ChatRequest, ChatResult, Usage } from '../../core/types.js';
import type { UsageEndpoint } from '../../usage/store.js';
import type { ResponseIdentity } from '../respond.js';

export interface ParsedRequest {
  request: ChatRequest;
  /** The gateway extension `models`: fallbacks tried in order after `model`. */
  fallbackModels: string[];
  /** Fields of the ingress format with no canonical equivalent, dropped: listed in `x-gateway-ignored`. */
  ignored: string[];
}

/** Turns one stream's canonical chunks into the ingress format's events, in order. */
export interface StreamRenderer {
  /** The events for one provider chunk ('' for none). */
  chunk(chunk: ChatChunk): string;
  /** The events that end a stream the provider finished; `usage` is the final usage when known. */
  end(usage: Usage | undefined): string;
  /** The events of a stream that failed after it started. */
  error(error: GatewayError): string;
}

export interface Ingress {
  /** The `endpoint` of its usage rows. */
  endpoint: UsageEndpoint;
  /** What a response id starts with (`chatcmpl-`, `msg_`). */
  idPrefix: string;
  /** The body as the canonical request; `headers` (lower-cased) for what a native format forwards. */
  parse(body: string | undefined, headers: Record<string, string | undefined>): ParsedRequest;
  /** The body of a non-streaming answer. */
  complete(result: ChatResult, identity: ResponseIdentity): unknown;
  stream(identity: ResponseIdentity, request: ChatRequest): StreamRenderer;
  /** The format's error envelope. */
  errorBody(error: GatewayError): unknown;
}
