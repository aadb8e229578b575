/**
 * Chat Completions, Responses and Messages (one `Ingress` each, ./ingress): the request parsed into the canonical
 * chat request, the model call set up (./model-call.ts), then either one answer under the retries and fallbacks or
 * a stream: its head held back until the provider's first chunk (or committed by keep-alives in a long silence),
 * chunks written as they arrive, and a stream cut short billed at the gateway's estimate.
 */
import { systemClock } from '../core/clock.js';
import { toGatewayError } from '../core/errors.js';
import { NATIVE_BODY } from '../core/types.js';
import type { KeyRecord } from '../storage/types.js';
import { estimatedUsage, estimateInputTokens, StreamedOutput, tokenCounterFor } from '../usage/estimate.js';
import { costHeader } from './account.js';
import { outputCeiling } from './budget.js';
import { type Attempt, ClientClosedError, completeWithFallbacks, openStreamWithFallbacks } from './call.js';
import type { GatewayDeps } from './deps.js';
import { type HttpRequest, type ResponseSink, sendJson } from './http.js';
import type { Ingress, StreamRenderer } from './ingress/types.js';
import { KeepAlive } from './keep-alive.js';
import { log } from './log.js';
import { prepareModelCall } from './model-call.js';
import type { RequestOutcome } from './outcome.js';
import { assertGenerates } from './plan.js';
import type { ResponseIdentity } from './respond.js';
import type { Route } from './route.js';
import { pipeStream } from './stream.js';

export interface GenerateState {
  key: KeyRecord;
  headers: Record<string, string>;
  outcome: RequestOutcome;
  started: number;
  ingress: Ingress;
}

export async function generate(
  req: HttpRequest,
  sink: ResponseSink,
  deps: GatewayDeps,
  state: GenerateState,
): Promise<void> {
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
