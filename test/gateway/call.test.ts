import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../lib/core/errors.js';
import type { CallContext, ChatChunk, ChatModel, ChatRequest, ChatResult } from '../../lib/core/types.js';
import {
  type AttemptHooks,
  type CallSettings,
  ClientClosedError,
  completeWithFallbacks,
  nextWithIdleTimeout,
  openStreamWithFallbacks,
} from '../../lib/gateway/call.js';
import type { Route } from '../../lib/gateway/route.js';
import { mapUpstreamStatus } from '../../lib/providers/shared/http-errors.js';
import { ManualClock } from '../helpers/manual-clock.js';

const settings: CallSettings = {
  firstByteTimeoutMs: 200,
  idleTimeoutMs: 100,
  maxRetries: 2,
  maxRetryWaitMs: 1_000,
  baseBackoffMs: 1,
  keepAliveAfterMs: 0,
  keepAliveIntervalMs: 1_000,
};

const request: ChatRequest = { model: 'primary', messages: [{ role: 'user', content: 'hi' }] };

const route = (provider: string, model = provider): Route => ({ provider, model, requested: `${provider}/${model}` });

const result = (text: string): ChatResult => ({
  choices: [{ index: 0, message: { role: 'assistant', content: text }, finish_reason: 'stop' }],
  usage: { inputTokens: 1, outputTokens: 1, cacheReadTokens: 0, cacheWriteTokens: 0 },
});

/** A model whose calls follow a script: an error to throw, a delay to hang for, or an answer. */
function scriptedModel(script: (GatewayError | 'hang' | string)[], seen: ChatRequest[] = []): ChatModel {
  const next = () => script.shift() ?? 'ok';
  return {
    async complete(req: ChatRequest, ctx: CallContext) {
      seen.push(req);
      const step = next();
      if (step instanceof GatewayError) throw step;
      if (step === 'hang') {
        await new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)));
      }
      return result(step);
    },
    async *stream(req: ChatRequest, ctx: CallContext): AsyncGenerator<ChatChunk> {
      seen.push(req);
      const step = next();
      if (step instanceof GatewayError) throw step;
      if (step === 'hang') {
        await new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)));
      }
      yield { choices: [{ index: 0, delta: { role: 'assistant', content: step }, finish_reason: null }] };
      await new Promise((_, reject) => ctx.signal.addEventListener('abort', () => reject(ctx.signal.reason)));
    },
  };
}

function hooks(
  models: Record<string, ChatModel>,
  attempts: string[] = [],
  closed = new AbortController(),
  clock?: ManualClock,
): AttemptHooks {
  return {
    clock,
    modelFor: async (r) => {
      const model = models[r.provider];
      if (!model) throw new GatewayError({ status: 400, type: 'invalid_request_error', message: 'not configured' });
      return model;
    },
    onAttempt: (r) => {
      attempts.push(r.provider);
    },
    baseContext: { requestId: 'req_1', projectId: 'p' },
    clientClosed: closed.signal,
  };
}

const upstream = (status: number, retryAfter?: string) => mapUpstreamStatus({ provider: 'x', status, retryAfter });

describe('completeWithFallbacks', () => {
  it('retries a 429 on the same provider up to twice, then succeeds', async () => {
    const seen: ChatRequest[] = [];
    const model = scriptedModel([upstream(429), upstream(429), 'third time'], seen);
    const { value, attempt } = await completeWithFallbacks([route('a')], request, settings, hooks({ a: model }));
    expect(value.choices[0]?.message.content).toBe('third time');
    expect(seen).toHaveLength(3);
    expect(attempt.request.model).toBe('a');
  });

  it('gives up after two retries and moves to the next model', async () => {
    const attempts: string[] = [];
    const failing = scriptedModel([upstream(500), upstream(502), upstream(503)]);
    const backup = scriptedModel(['from backup']);
    const { value, attempt } = await completeWithFallbacks(
      [route('a'), route('b')],
      request,
      settings,
      hooks({ a: failing, b: backup }, attempts),
    );
    expect(value.choices[0]?.message.content).toBe('from backup');
    expect(attempt.route.provider).toBe('b');
    expect(attempts).toEqual(['a', 'b']);
  });

  it('does not retry or fall back on a 400', async () => {
    const seen: ChatRequest[] = [];
    const backup = scriptedModel(['never']);
    const error = await completeWithFallbacks(
      [route('a'), route('b')],
      request,
      settings,
      hooks({ a: scriptedModel([upstream(400)], seen), b: backup }),
    ).catch((e: unknown) => e);
    expect((error as GatewayError).status).toBe(400);
    expect(seen).toHaveLength(1);
  });

  it('does not wait out a retry-after longer than the limit: it falls back at once', async () => {
    const seen: ChatRequest[] = [];
    const { attempt } = await completeWithFallbacks(
      [route('a'), route('b')],
      request,
      settings,
      hooks({ a: scriptedModel([upstream(429, '30')], seen), b: scriptedModel(['ok']) }),
    );
    expect(seen).toHaveLength(1);
    expect(attempt.route.provider).toBe('b');
  });

  it('returns the 429 with its retry-after when no fallback is left', async () => {
    const error = (await completeWithFallbacks(
      [route('a')],
      request,
      settings,
      hooks({ a: scriptedModel([upstream(429, '30')]) }),
    ).catch((e: unknown) => e)) as GatewayError;
    expect(error.status).toBe(429);
    expect(error.retryAfterMs).toBe(30_000);
  });

  it('treats a first-byte timeout as no retry on the same provider but a move to the next', async () => {
    const seen: ChatRequest[] = [];
    const clock = new ManualClock();
    const calling = completeWithFallbacks(
      [route('slow'), route('b')],
      request,
      settings,
      hooks({ slow: scriptedModel(['hang', 'hang'], seen), b: scriptedModel(['ok']) }, [], undefined, clock),
    );
    await clock.waitForTimer(settings.firstByteTimeoutMs);
    clock.advance(settings.firstByteTimeoutMs);
    const { attempt } = await calling;
    expect(seen).toHaveLength(1);
    expect(attempt.route.provider).toBe('b');
  });

  it('answers 504 upstream_timeout when the only model times out', async () => {
    const clock = new ManualClock();
    const calling = completeWithFallbacks(
      [route('slow')],
      request,
      settings,
      hooks({ slow: scriptedModel(['hang']) }, [], undefined, clock),
    ).catch((e: unknown) => e);
    await clock.waitForTimer(settings.firstByteTimeoutMs);
    clock.advance(settings.firstByteTimeoutMs);
    const error = (await calling) as GatewayError;
    expect(error.status).toBe(504);
    expect(error.code).toBe('upstream_timeout');
  });

  it('skips a fallback without a credential and reports the upstream error', async () => {
    const error = (await completeWithFallbacks(
      [route('a'), route('unconfigured')],
      request,
      { ...settings, maxRetries: 0 },
      hooks({ a: scriptedModel([upstream(500)]) }),
    ).catch((e: unknown) => e)) as GatewayError;
    expect(error.status).toBe(502);
  });

  it('stops when the client has gone away', async () => {
    const closed = new AbortController();
    closed.abort();
    const error = await completeWithFallbacks(
      [route('a')],
      request,
      settings,
      hooks({ a: scriptedModel(['x']) }, [], closed),
    ).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(ClientClosedError);
  });

  it('reads nothing a provider says after the client left: no retry, a ClientClosedError', async () => {
    const closed = new AbortController();
    let calls = 0;
    // What a provider's mapper may make of its SDK's abort: a retryable 502, which must not be retried.
    const model: ChatModel = {
      complete: (_req, ctx) =>
        new Promise((_, reject) => {
          calls++;
          ctx.signal.addEventListener('abort', () => reject(upstream(502)));
          closed.abort();
        }),
      stream: () => {
        throw new Error('not streamed');
      },
    };
    const error = await completeWithFallbacks([route('a')], request, settings, hooks({ a: model }, [], closed)).catch(
      (e: unknown) => e,
    );
    expect(error).toBeInstanceOf(ClientClosedError);
    expect(calls).toBe(1);
  });
});

describe('openStreamWithFallbacks', () => {
  it('falls back when the first stream fails before its first chunk', async () => {
    const { value, attempt } = await openStreamWithFallbacks(
      [route('a'), route('b')],
      { ...request, stream: true },
      { ...settings, maxRetries: 0 },
      hooks({ a: scriptedModel([upstream(503)]), b: scriptedModel(['hello']) }),
    );
    expect(attempt.route.provider).toBe('b');
    expect(value.first.done).toBe(false);
    expect(value.first.value?.choices[0]?.delta.content).toBe('hello');
    attempt.controller.abort();
  });

  it('raises an idle timeout when the provider goes quiet mid-stream', async () => {
    const clock = new ManualClock();
    const { value, attempt } = await openStreamWithFallbacks(
      [route('a')],
      { ...request, stream: true },
      settings,
      hooks({ a: scriptedModel(['first']) }, [], undefined, clock),
    );
    const next = nextWithIdleTimeout(value, attempt, settings.idleTimeoutMs).catch((e: unknown) => e);
    clock.advance(settings.idleTimeoutMs);
    const error = (await next) as GatewayError;
    expect(error.code).toBe('upstream_timeout');
    expect(attempt.ctx.signal.aborted).toBe(true);
  });

  it('does not let a stream its SDK ends quietly on an abort pass for a finished answer', async () => {
    const closed = new AbortController();
    // Like the openai and Gemini SDKs: once the signal aborts, the iterator just ends.
    const quietOnAbort: ChatModel = {
      complete: () => Promise.reject(new Error('not completed')),
      async *stream(_req, ctx) {
        yield { choices: [{ index: 0, delta: { role: 'assistant', content: 'one' }, finish_reason: null }] };
        await new Promise((resolve) => ctx.signal.addEventListener('abort', resolve));
      },
    };
    const { value, attempt } = await openStreamWithFallbacks(
      [route('a')],
      { ...request, stream: true },
      settings,
      hooks({ a: quietOnAbort }, [], closed),
    );
    const next = nextWithIdleTimeout(value, attempt, settings.idleTimeoutMs);
    closed.abort(new Error('client left'));
    await expect(next).rejects.toThrow('client left');
  });

  it('does not open an empty answer from a stream that ended quietly on an abort before its first chunk', async () => {
    const closed = new AbortController();
    const endsOnAbort: ChatModel = {
      complete: () => Promise.reject(new Error('not completed')),
      // The client leaves before the first chunk, and the stream ends without one, as an SDK's does once aborted.
      // biome-ignore lint/correctness/useYield: that end without a chunk is the point
      async *stream() {
        closed.abort();
      },
    };
    const opening = openStreamWithFallbacks(
      [route('a')],
      { ...request, stream: true },
      settings,
      hooks({ a: endsOnAbort }, [], closed),
    );
    await expect(opening).rejects.toBeInstanceOf(ClientClosedError);
  });
});
