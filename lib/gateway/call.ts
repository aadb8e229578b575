/**
 * Step 5 of the pipeline: calling the provider, with the contract's retries and fallbacks (CONTRACT.md §2). Only
 * before the first byte reaches the client: a 429 or 5xx is retried on the same provider up to twice with backoff
 * (honouring `retry-after`); a first-byte timeout is not retried but moves on; then the next of `models` is tried.
 */

import { type Clock, sleep, systemClock, TIMED_OUT, withTimeout } from '../core/clock.js';
import { type GatewayError, toGatewayError } from '../core/errors.js';
import {
  type CallContext,
  type ChatChunk,
  type ChatModel,
  type ChatRequest,
  type ChatResult,
  NATIVE_BODY,
} from '../core/types.js';
import { upstreamTimeout } from '../providers/shared/http-errors.js';
import { type ProviderSpan, startProviderSpan } from '../tracing/index.js';
import type { Route } from './route.js';

export interface CallSettings {
  firstByteTimeoutMs: number;
  idleTimeoutMs: number;
  maxRetries: number;
  /** A `retry-after` longer than this is not waited out: the next model is tried, or the 429 goes to the client. */
  maxRetryWaitMs: number;
  baseBackoffMs: number;
  /** Silence on a stream before its head is committed and `: keep-alive` comments begin; 0: never (./keep-alive.ts). */
  keepAliveAfterMs: number;
  /** Silence between two keep-alives once the head is out. */
  keepAliveIntervalMs: number;
}

export function callSettingsFromEnv(env: NodeJS.ProcessEnv = process.env): CallSettings {
  return {
    firstByteTimeoutMs: positive(env.GATEWAY_FIRST_BYTE_TIMEOUT_MS, 120_000),
    idleTimeoutMs: positive(env.GATEWAY_IDLE_TIMEOUT_MS, 60_000),
    maxRetries: positive(env.GATEWAY_MAX_RETRIES, 2, true),
    maxRetryWaitMs: positive(env.GATEWAY_MAX_RETRY_WAIT_MS, 10_000, true),
    baseBackoffMs: positive(env.GATEWAY_RETRY_BACKOFF_MS, 200, true),
    keepAliveAfterMs: positive(env.GATEWAY_KEEPALIVE_AFTER_MS, 15_000, true),
    keepAliveIntervalMs: positive(env.GATEWAY_KEEPALIVE_INTERVAL_MS, 15_000),
  };
}

function positive(value: string | undefined, fallback: number, allowZero = false): number {
  const parsed = Number(value);
  if (value === undefined || value === '' || !Number.isFinite(parsed)) return fallback;
  return parsed > 0 || (allowZero && parsed === 0) ? parsed : fallback;
}

/** The client went away: nothing is retried and nothing more is written. */
export class ClientClosedError extends Error {
  constructor() {
    super('client closed the connection');
    this.name = 'ClientClosedError';
  }
}

/**
 * One attempt's wiring: the provider, its context and an abort controller linked to the client's signal. `R` is
 * the request as the provider takes it: a chat request, or an embeddings request.
 */
export interface Attempt<R = ChatRequest> {
  route: Route;
  model: ChatModel;
  request: R;
  ctx: CallContext;
  controller: AbortController;
  ignored: Set<string>;
  /** The `provider:<name>` X-Ray subsegment; ended here on failure, else by `handleGatewayRequest` (outcome.span). */
  span: ProviderSpan;
  /** What the timeouts of this attempt count on. */
  clock: Clock;
}

export interface AttemptHooks {
  /** Resolves the ChatModel for a route (credential resolution); errors here are not retried. */
  modelFor(route: Route): Promise<ChatModel>;
  /**
   * Called before each model is tried (its retries share the call), so `x-gateway-provider` names the provider
   * being tried and a budget holds that model's worst case; an error here ends the request.
   */
  onAttempt(route: Route): void | Promise<void>;
  baseContext: Omit<CallContext, 'signal' | 'ignore' | 'catalogEntry'>;
  clientClosed: AbortSignal;
  /** Time for timeouts and backoff; the system clock unless a test drives it. */
  clock?: Clock;
}

/**
 * Runs `start` on each route in turn (with retries) until one succeeds. `start` does the part of the call that
 * happens before the first byte: the whole call for `complete`, opening the stream and reading its first chunk for
 * `stream`. It runs under the first-byte timeout.
 */
export async function withFallbacks<T, R = ChatRequest>(
  routes: readonly Route[],
  request: R,
  settings: CallSettings,
  hooks: AttemptHooks,
  start: (attempt: Attempt<R>) => Promise<T>,
  forModel: (request: R, route: Route, model: ChatModel) => R = chatRequestFor as never,
): Promise<{ value: T; attempt: Attempt<R> }> {
  let lastError: GatewayError | undefined;
  for (let index = 0; index < routes.length; index++) {
    const route = routes[index]!;
    let model: ChatModel;
    try {
      model = await hooks.modelFor(route);
    } catch (error) {
      // A fallback the project cannot use (no credential) is skipped; the caller gets the upstream error that
      // made the gateway fall back, which is the one they can act on. The primary's error is thrown as it is.
      if (!lastError) throw error;
      if (index === routes.length - 1) throw lastError;
      continue;
    }
    await hooks.onAttempt(route);
    for (let retry = 0; ; retry++) {
      if (hooks.clientClosed.aborted) throw new ClientClosedError();
      const attempt = newAttempt(route, model, forModel(request, route, model), hooks);
      try {
        const value = await underFirstByteTimeout(attempt, settings.firstByteTimeoutMs, () => start(attempt));
        return { value, attempt };
      } catch (raw) {
        attempt.controller.abort();
        if (hooks.clientClosed.aborted) {
          attempt.span.end({ status: 499 });
          throw new ClientClosedError();
        }
        const error = toGatewayError(raw);
        attempt.span.end({ status: error.status, error });
        lastError = error;
        const wait = error.retryAfterMs ?? settings.baseBackoffMs * 2 ** retry * (1 + Math.random() / 2);
        if (error.retryable && retry < settings.maxRetries && wait <= settings.maxRetryWaitMs) {
          await sleep(wait, hooks.clientClosed, hooks.clock);
          continue;
        }
        if (error.fallback && index < routes.length - 1) break;
        throw error;
      }
    }
  }
  throw lastError ?? new Error('no route to call');
}

function newAttempt<R>(route: Route, model: ChatModel, modelRequest: R, hooks: AttemptHooks): Attempt<R> {
  const controller = new AbortController();
  const ignored = new Set<string>();
  const ctx: CallContext = {
    ...hooks.baseContext,
    signal: AbortSignal.any([controller.signal, hooks.clientClosed]),
    ignore: (field) => ignored.add(field),
    catalogEntry: route.catalogEntry,
  };
  const span = startProviderSpan({
    provider: route.provider,
    model: route.model,
    projectId: hooks.baseContext.projectId,
  });
  return { route, model, request: modelRequest, ctx, controller, ignored, span, clock: hooks.clock ?? systemClock };
}

/**
 * The request for one model: the provider's own model name, and the caller's native body only for a model that
 * speaks its format. A body that could not be translated whole is a 400 for every other model.
 */
function chatRequestFor(request: ChatRequest, route: Route, model: ChatModel): ChatRequest {
  const native = request[NATIVE_BODY];
  const out: ChatRequest = { ...request, model: route.model };
  if (!native) return out;
  if (model.native?.(native.format, route.model)) return out;
  if (native.untranslatable) throw native.untranslatable;
  delete out[NATIVE_BODY];
  return out;
}

async function underFirstByteTimeout<T>(
  attempt: Pick<Attempt<unknown>, 'controller' | 'route' | 'clock'>,
  timeoutMs: number,
  run: () => Promise<T>,
): Promise<T> {
  const running = run();
  const outcome = await withTimeout(running, timeoutMs, attempt.clock);
  if (outcome !== TIMED_OUT) return outcome;
  attempt.controller.abort();
  running.catch(() => {}); // The abandoned call rejects once aborted; nobody awaits it any more.
  throw upstreamTimeout(attempt.route.provider);
}

/** `complete` under the contract's retries and fallbacks. */
export function completeWithFallbacks(
  routes: readonly Route[],
  request: ChatRequest,
  settings: CallSettings,
  hooks: AttemptHooks,
): Promise<{ value: ChatResult; attempt: Attempt }> {
  return withFallbacks(routes, request, settings, hooks, (attempt) =>
    attempt.model.complete(attempt.request, attempt.ctx),
  );
}

export interface OpenedStream {
  iterator: AsyncIterator<ChatChunk>;
  first: IteratorResult<ChatChunk>;
}

/** Opens a stream and reads its first chunk under the retries and fallbacks: nothing has reached the client yet. */
export function openStreamWithFallbacks(
  routes: readonly Route[],
  request: ChatRequest,
  settings: CallSettings,
  hooks: AttemptHooks,
): Promise<{ value: OpenedStream; attempt: Attempt }> {
  return withFallbacks(routes, request, settings, hooks, async (attempt) => {
    const iterator = attempt.model.stream(attempt.request, attempt.ctx)[Symbol.asyncIterator]();
    try {
      return { iterator, first: endUnlessAborted(await iterator.next(), attempt.ctx.signal) };
    } catch (error) {
      await iterator.return?.().catch(() => {});
      throw error;
    }
  });
}

/**
 * Aborts are the pipeline's, handled here once for every provider: once it aborted a call (the client left, a
 * timeout fired), what the provider throws next is not read (withFallbacks and pipeStream decide: 499 or the
 * timeout's 504), and a stream that its SDK ends quietly on the abort must not pass for a finished answer: its end
 * becomes the abort. Checked where the pipeline reads a chunk rather than in a wrapping generator, which would cost
 * every chunk a few more promise hops.
 */
function endUnlessAborted(result: IteratorResult<ChatChunk>, signal: AbortSignal): IteratorResult<ChatChunk> {
  if (result.done && signal.aborted) throw signal.reason;
  return result;
}

/** The next chunk, or an upstream timeout when the provider stays silent longer than the idle timeout. */
export async function nextWithIdleTimeout(
  stream: OpenedStream,
  attempt: Attempt,
  idleTimeoutMs: number,
): Promise<IteratorResult<ChatChunk>> {
  const next = stream.iterator.next();
  const outcome = await withTimeout(next, idleTimeoutMs, attempt.clock);
  if (outcome !== TIMED_OUT) return endUnlessAborted(outcome, attempt.ctx.signal);
  attempt.controller.abort();
  next.catch(() => {});
  throw upstreamTimeout(attempt.route.provider);
}
