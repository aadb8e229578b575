import { describe, expect, it, vi } from 'vitest';
import type { ChatModel } from '../../lib/core/types.js';
import { type AttemptHooks, completeWithFallbacks } from '../../lib/gateway/call.js';
import type { Route } from '../../lib/gateway/route.js';
import { mapUpstreamStatus } from '../../lib/providers/shared/http-errors.js';
import type { ProviderCallInfo, ProviderSpanResult } from '../../lib/tracing/index.js';

const spans: { info: ProviderCallInfo; ended: ProviderSpanResult[] }[] = [];

vi.mock('../../lib/tracing/index.js', () => ({
  startProviderSpan(info: ProviderCallInfo) {
    const span = { info, ended: [] as ProviderSpanResult[] };
    spans.push(span);
    return { recording: true, end: (result: ProviderSpanResult) => span.ended.push(result) };
  },
}));

const route = (provider: string): Route => ({ provider, model: `${provider}-model`, requested: provider });

describe('provider spans around attempts', () => {
  it('opens one span per attempt and ends each failed one with its status', async () => {
    let calls = 0;
    const model: ChatModel = {
      async complete() {
        calls += 1;
        if (calls === 1) throw mapUpstreamStatus({ provider: 'a', status: 503 });
        return {
          choices: [{ index: 0, message: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }],
          usage: { inputTokens: 1, outputTokens: 1, cacheReadTokens: 0, cacheWriteTokens: 0 },
        };
      },
      stream: () => ({ [Symbol.asyncIterator]: () => ({ next: async () => ({ done: true, value: undefined }) }) }),
    };
    const hooks: AttemptHooks = {
      modelFor: async () => model,
      onAttempt: () => {},
      baseContext: { requestId: 'req_1', projectId: 'proj_1' },
      clientClosed: new AbortController().signal,
    };
    const settings = {
      firstByteTimeoutMs: 1000,
      idleTimeoutMs: 1000,
      maxRetries: 2,
      maxRetryWaitMs: 100,
      baseBackoffMs: 1,
      keepAliveAfterMs: 0,
      keepAliveIntervalMs: 1_000,
    };
    const { attempt } = await completeWithFallbacks(
      [route('a')],
      { model: 'a', messages: [{ role: 'user', content: 'hi' }] },
      settings,
      hooks,
    );
    expect(spans).toHaveLength(2);
    expect(spans[0]?.info).toEqual({ provider: 'a', model: 'a-model', projectId: 'proj_1' });
    expect(spans[0]?.ended).toEqual([expect.objectContaining({ status: 503 })]);
    // The successful attempt's span is left open for the pipeline to end once the answer is delivered.
    expect(spans[1]?.ended).toEqual([]);
    attempt.span.end({ status: 200 });
    expect(spans[1]?.ended).toEqual([{ status: 200 }]);
  });
});
