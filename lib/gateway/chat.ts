/**
 * The data plane: one request end to end, as the list of steps in DESIGN.md §1. Every step either returns or throws
 * a GatewayError; `handleGatewayRequest` turns errors into OpenAI's envelope (or, once a stream has started, a final
 * SSE error event) and always accounts an authenticated request, whatever its outcome.
 */
import { randomBytes } from 'node:crypto';
import { type Clock, systemClock } from '../core/clock.js';
import { GatewayError, toGatewayError } from '../core/errors.js';
import { type DefaultCredentials, NATIVE_BODY } from '../core/types.js';
import type { KeyRecord, Stores } from '../storage/types.js';
import { estimatedUsage, estimateInputTokens, StreamedOutput, tokenCounterFor } from '../usage/estimate.js';
import type { Metering } from '../usage/recorder.js';
import { beginAccounting } from '../usage/settled.js';
import { account, costHeader } from './account.js';
import { authenticate } from './auth.js';
import { outputCeiling } from './budget.js';
import {
  type Attempt,
  type CallSettings,
  ClientClosedError,
  completeWithFallbacks,
  openStreamWithFallbacks,
} from './call.js';
import { customProviderNames } from './credentials.js';
import { embeddings } from './embeddings.js';
import { type HttpRequest, type ResponseSink, sendJson } from './http.js';
import { chatIngress } from './ingress/chat.js';
import { messagesIngress, parseCountTokensRequest } from './ingress/messages.js';
import { responsesIngress } from './ingress/responses.js';
import type { Ingress, StreamRenderer } from './ingress/types.js';
import { KeepAlive } from './keep-alive.js';
import { enforceRateLimit } from './limits.js';
import { log } from './log.js';
import { prepareModelCall } from './model-call.js';
import { getModel, listModels } from './models.js';
import type { RequestOutcome } from './outcome.js';
import { assertGenerates } from './plan.js';
import { costOf } from './price.js';
import type { ResponseIdentity } from './respond.js';
import { modelNotAllowed, type Route, resolveRoute, routeInScope } from './route.js';
import { pipeStream } from './stream.js';

export interface ChatDeps {
  stores: Stores;
  /** Gateway-wide default credentials (env locally, the defaults secret in AWS). */
  defaults(): Promise<DefaultCredentials>;
  settings: CallSettings;
  /** Where usage rows go (step 7), the rate-limit counters, and the budgets' month ledgers. */
  metering: Metering;
  /** Time for timeouts, backoff and keep-alives; the system clock unless a test drives it. */
  clock?: Clock;
}

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
  deps: ChatDeps,
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

async function accountSafely(deps: ChatDeps, outcome: RequestOutcome): Promise<void> {
  try {
    await account(outcome, deps.stores, deps.metering);
  } catch (error) {
    log.error('accounting failed', { requestId: outcome.requestId, error });
  }
}

interface RequestState {
  key: KeyRecord;
  headers: Record<string, string>;
  outcome: RequestOutcome;
  started: number;
  ingress: Ingress;
}

async function generate(req: HttpRequest, sink: ResponseSink, deps: ChatDeps, state: RequestState): Promise<void> {
  const { headers, outcome, ingress } = state;
  const { request, fallbackModels, ignored } = ingress.parse(req.body, req.headers);
  outcome.model = request.model;
  outcome.stream = request.stream === true;
  const { routes, hooks, inputEstimate } = await prepareModelCall(deps, state, sink.closed, {
    models: [request.model, ...fallbackModels],
    assertServes: assertGenerates,
    estimateInput: (counter) => estimateInputTokens(request, counter),
    outputCeiling: (route) => outputCeiling(request, route.catalogEntry),
  });
  const identityOf = (route: Route): ResponseIdentity => ({
    id: `${ingress.idPrefix}${outcome.requestId.slice(4)}`,
    created: Math.floor(outcome.at.getTime() / 1000),
    model: route.requested,
  });
  const identity = (attempt: Attempt) => identityOf(attempt.route);

  if (!request.stream) {
    const { value, attempt } = await completeWithFallbacks(routes, request, deps.settings, hooks);
    setIgnored(headers, attempt, ignored);
    outcome.usage = value.usage;
    outcome.finishReason = value.choices[0]?.finish_reason ?? null;
    outcome.ttftMs = Math.round(performance.now() - state.started);
    outcome.span = attempt.span;
    const cost = costHeader(outcome);
    if (cost !== undefined) headers['x-gateway-cost-usd'] = cost;
    await sendJson(sink, 200, headers, ingress.complete(value, identity(attempt)));
    return;
  }

  const sseHeaders = () => ({
    ...headers,
    'content-type': 'text/event-stream; charset=utf-8',
    'cache-control': 'no-cache',
  });
  // A provider silent for long (a reasoning model thinking) gets the head committed and keep-alives written, so a
  // proxy in front does not drop the connection; retries and fallbacks still run behind them (./keep-alive.ts).
  const keepAlive = new KeepAlive(sink, deps.settings, deps.clock ?? systemClock, sseHeaders);
  let opened: Awaited<ReturnType<typeof openStreamWithFallbacks>>;
  try {
    opened = await openStreamWithFallbacks(routes, request, deps.settings, hooks);
  } catch (raw) {
    keepAlive.stop();
    if (!keepAlive.committed || raw instanceof ClientClosedError || sink.closed.aborted) throw raw;
    // The head went out with the keep-alives: the status is spoken for, the error is the stream's own event.
    await failCommittedStream(raw, sink, outcome, ingress.stream(identityOf(routes[0]!), request));
    return;
  }
  const { value: stream, attempt } = opened;
  outcome.span = attempt.span;
  setIgnored(headers, attempt, ignored);
  keepAlive.commit(sseHeaders());
  const streamState = {
    renderer: ingress.stream(identity(attempt), request),
    outcome,
    started: state.started,
    output: new StreamedOutput(),
    usageFinal: false,
  };
  try {
    await pipeStream(stream, attempt, sink, keepAlive, deps.settings.idleTimeoutMs, streamState);
  } finally {
    // Cut short before the provider's final usage (client gone, upstream error): bill the gateway's estimate.
    if (!streamState.usageFinal) {
      const counter = await tokenCounterFor(attempt.route.provider, attempt.route.model);
      outcome.usage = estimatedUsage(outcome.usage, await inputEstimate(attempt.route), streamState.output, counter);
      outcome.usageEstimated = true;
    }
  }
}

/** A stream whose head the keep-alives committed failed before its first chunk: the format's error event ends it. */
async function failCommittedStream(
  raw: unknown,
  sink: ResponseSink,
  outcome: RequestOutcome,
  renderer: StreamRenderer,
): Promise<void> {
  const error = toGatewayError(raw);
  log.warn('stream failed after its keep-alives started', {
    requestId: outcome.requestId,
    code: error.code,
    cause: error.cause,
  });
  outcome.status = error.status;
  outcome.errorCode = error.code ?? error.type;
  await sink.write(renderer.error(error)).catch(() => {});
  await sink.end().catch(() => {});
}

function setIgnored(headers: Record<string, string>, attempt: Attempt, byIngress: readonly string[]): void {
  // A native call took the body as it was: nothing the translation would have dropped was dropped.
  const ignored = new Set([...(attempt.request[NATIVE_BODY] ? [] : byIngress), ...attempt.ignored]);
  if (ignored.size > 0) headers['x-gateway-ignored'] = [...ignored].join(',');
}

/**
 * `POST /v1/messages/count_tokens` (CONTRACT.md §5): the request's input tokens as the gateway estimates them for
 * the routed model (`x-gateway-estimated: true`); no provider call, no usage row.
 */
async function countTokens(
  req: HttpRequest,
  sink: ResponseSink,
  deps: ChatDeps,
  key: KeyRecord,
  headers: Record<string, string>,
  at: Date,
): Promise<void> {
  const { request } = parseCountTokensRequest(req.body);
  const credentials = await deps.stores.credentials.get(key.project_id);
  const route = resolveRoute(request.model, customProviderNames(credentials), at, 'model');
  if (!routeInScope(key.models, route)) throw modelNotAllowed(route, 'model');
  const counter = await tokenCounterFor(route.provider, route.model);
  headers['x-gateway-estimated'] = 'true';
  headers['x-gateway-provider'] = route.provider;
  await sendJson(sink, 200, headers, { input_tokens: estimateInputTokens(request, counter) });
}
