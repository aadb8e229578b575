/**
 * The data plane: one request end to end, as the list of steps in DESIGN.md §1. `handleGatewayRequest` picks the
 * endpoint, authenticates the key, limits and runs the model call (./generate.ts, ./embeddings.ts) or answers
 * itself (models, count_tokens), turns every error into the envelope of the API the path belongs to (or, once a
 * stream has started, a final SSE error event), ends the answering provider's span, and always accounts an
 * authenticated model call, whatever its outcome.
 */
import { randomBytes } from 'node:crypto';
import { systemClock } from '../core/clock.js';
import { GatewayError, toGatewayError } from '../core/errors.js';
import type { KeyRecord } from '../storage/types.js';
import { beginAccounting } from '../usage/settled.js';
import { account } from './account.js';
import { authenticate } from './auth.js';
import { ClientClosedError } from './call.js';
import { countTokens } from './count-tokens.js';
import type { GatewayDeps } from './deps.js';
import { embeddings } from './embeddings.js';
import { generate } from './generate.js';
import { type HttpRequest, type ResponseSink, sendJson } from './http.js';
import { chatIngress } from './ingress/chat.js';
import { messagesIngress } from './ingress/messages.js';
import { responsesIngress } from './ingress/responses.js';
import type { Ingress } from './ingress/types.js';
import { enforceRateLimit } from './limits.js';
import { log } from './log.js';
import { getModel, listModels } from './models.js';
import type { RequestOutcome } from './outcome.js';
import { costOf } from './price.js';

type Endpoint =
  | { kind: 'generate'; ingress: Ingress }
  | { kind: 'count_tokens' }
  | { kind: 'embeddings' }
  | { kind: 'models' }
  | { kind: 'model'; id: string };

function endpointFor(req: HttpRequest): Endpoint | GatewayError {
  const path = req.path.replace(/^\/v1(?=\/)/, '').replace(/\/+$/, '');
  const allow = (method: string, endpoint: Endpoint) =>
    req.method === method ? endpoint : methodNotAllowed(req.method, req.path);
  if (path === '/chat/completions') return allow('POST', { kind: 'generate', ingress: chatIngress });
  if (path === '/messages') return allow('POST', { kind: 'generate', ingress: messagesIngress });
  if (path === '/responses') return allow('POST', { kind: 'generate', ingress: responsesIngress });
  if (path === '/messages/count_tokens') return allow('POST', { kind: 'count_tokens' });
  if (path === '/embeddings') return allow('POST', { kind: 'embeddings' });
  if (path === '/models') return allow('GET', { kind: 'models' });
  if (path.startsWith('/models/')) return allow('GET', { kind: 'model', id: decodeURIComponent(path.slice(8)) });
  return new GatewayError({
    status: 404,
    type: 'invalid_request_error',
    code: 'unknown_url',
    message: `Invalid URL (${req.method} ${req.path}).`,
  });
}

function methodNotAllowed(method: string, path: string): GatewayError {
  return new GatewayError({
    status: 405,
    type: 'invalid_request_error',
    code: 'method_not_allowed',
    message: `${method} is not supported on ${path}.`,
  });
}

export function newRequestId(): string {
  return `req_${randomBytes(12).toString('hex')}`;
}

export async function handleGatewayRequest(
  req: HttpRequest,
  responseSink: ResponseSink,
  deps: GatewayDeps,
): Promise<void> {
  // The accounting is registered before the client can see the end of the response, so a read that follows the
  // answer waits for it (lib/usage/settled.ts).
  let accounted = false;
  let accountingBegun: (() => void) | undefined;
  const sink: ResponseSink = {
    closed: responseSink.closed,
    start: (status, headers) => responseSink.start(status, headers),
    write: (data) => responseSink.write(data),
    end: () => {
      if (accounted) accountingBegun ??= beginAccounting();
      return responseSink.end();
    },
  };
  const startedAt = new Date((deps.clock ?? systemClock).wallNow());
  const started = performance.now();
  const requestId = newRequestId();
  const headers: Record<string, string> = { 'x-request-id': requestId };
  const outcome: RequestOutcome = { requestId, at: startedAt, status: 200, stream: false, latencyMs: 0 };
  let key: KeyRecord | undefined;
  // Errors are rendered in the envelope of the API the path belongs to, whatever failed.
  let ingress: Ingress = /^\/(v1\/)?messages(\/|$)/.test(req.path) ? messagesIngress : chatIngress;
  try {
    const endpoint = endpointFor(req);
    if (endpoint instanceof GatewayError) throw endpoint;
    if (endpoint.kind === 'generate') ingress = endpoint.ingress;
    key = await authenticate(req.headers, deps.stores.keys, startedAt);
    outcome.projectId = key.project_id;
    outcome.keyId = key.id;
    outcome.key = key;
    if (endpoint.kind === 'models') {
      const credentials = await deps.stores.credentials.get(key.project_id);
      await sendJson(sink, 200, headers, listModels(credentials, startedAt, key.models));
    } else if (endpoint.kind === 'model') {
      const credentials = await deps.stores.credentials.get(key.project_id);
      await sendJson(sink, 200, headers, getModel(endpoint.id, credentials, startedAt, key.models));
    } else if (endpoint.kind === 'count_tokens') {
      await countTokens(req, sink, deps, key, headers, startedAt);
    } else {
      // Only model calls are limited and accounted (CONTRACT.md §3, §5: one row per request).
      accounted = true;
      outcome.endpoint = endpoint.kind === 'embeddings' ? 'embeddings' : ingress.endpoint;
      await enforceRateLimit(key, deps.metering.usage, startedAt);
      if (endpoint.kind === 'embeddings') await embeddings(req.body, sink, deps, { key, headers, outcome, started });
      else await generate(req, sink, deps, { key, headers, outcome, started, ingress });
    }
  } catch (raw) {
    await fail(raw, sink, headers, outcome, ingress);
  } finally {
    outcome.latencyMs = Math.round(performance.now() - started);
    outcome.span?.end({
      status: outcome.status,
      usage: outcome.usage,
      costUsd: costOf(outcome.usage, outcome.price),
      ttftMs: outcome.ttftMs,
    });
    if (key && accounted) {
      accountingBegun ??= beginAccounting();
      await accountSafely(deps, outcome);
    }
    accountingBegun?.();
  }
}

async function fail(
  raw: unknown,
  sink: ResponseSink,
  headers: Record<string, string>,
  outcome: RequestOutcome,
  ingress: Ingress,
): Promise<void> {
  if (raw instanceof ClientClosedError || sink.closed.aborted) {
    outcome.status = 499;
    outcome.errorCode = 'client_closed';
    await sink.end().catch(() => {});
    return;
  }
  const error = toGatewayError(raw);
  if (error.status >= 500) {
    // `error` carries its cause chain: for an unreachable provider, down to the socket's code and message.
    log.error('request failed', {
      requestId: outcome.requestId,
      model: outcome.model,
      provider: outcome.provider,
      status: error.status,
      error,
    });
  }
  outcome.status = error.status;
  outcome.errorCode = error.code ?? error.type;
  if (error.retryAfterMs !== undefined)
    headers['retry-after'] = String(Math.max(1, Math.ceil(error.retryAfterMs / 1000)));
  await sendJson(sink, error.status, headers, ingress.errorBody(error)).catch(() => {});
}

async function accountSafely(deps: GatewayDeps, outcome: RequestOutcome): Promise<void> {
  try {
    await account(outcome, deps.stores, deps.metering);
  } catch (error) {
    log.error('accounting failed', { requestId: outcome.requestId, error });
  }
}
