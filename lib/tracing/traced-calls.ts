/**
 * Provider calls wrapped in their `provider:<name>` span (./provider-span.ts): a one-shot call, and a stream whose
 * span stays open until the stream ends, fails or is abandoned.
 */
import type { ChatChunk, Usage } from '../core/types.js';
import {
  type ProviderCallInfo,
  type ProviderSpan,
  type ProviderSpanResult,
  type SpanOptions,
  startProviderSpan,
  statusOfError,
} from './provider-span.js';

/** What a successful call adds to its span (usage, cost, TTFT), read from its result. */
export type Describe<T> = (value: T) => Omit<ProviderSpanResult, 'status' | 'error'>;

/**
 * Runs a one-shot provider call (e.g. `model.complete`) inside its span: status 200 and `describe(result)` on
 * success, the error's status and kind on failure. `run` may end the span itself with more detail; the first end wins.
 */
export async function traceProviderCall<T>(
  info: ProviderCallInfo,
  run: (span: ProviderSpan) => Promise<T>,
  describe?: Describe<T>,
  options?: SpanOptions,
): Promise<T> {
  const span = startProviderSpan(info, options);
  let result: ProviderSpanResult = { status: 500 };
  try {
    const value = await run(span);
    result = { status: 200, ...safely(() => describe?.(value)) };
    return value;
  } catch (error) {
    result = { status: statusOfError(error), error };
    throw error;
  } finally {
    span.end(result);
  }
}

export interface StreamSpanOptions extends SpanOptions {
  /** The cost of the usage the stream reported, for the span's metadata. */
  costUsd?: (usage: Usage) => number | null;
}

/**
 * A provider stream (e.g. `model.stream`) inside its span. The span opens when iteration starts and closes when the
 * stream is done (200), throws (the error's status), or is stopped early through `return()` (499: the consumer went
 * away). It records the last `usage` the chunks carried, its cost, and the time to the first content chunk.
 */
export function traceProviderStream(
  info: ProviderCallInfo,
  open: (span: ProviderSpan) => AsyncIterable<ChatChunk>,
  options: StreamSpanOptions = {},
): AsyncIterable<ChatChunk> {
  return {
    [Symbol.asyncIterator](): AsyncIterator<ChatChunk> {
      const span = startProviderSpan(info, options);
      const started = performance.now();
      let usage: Usage | undefined;
      let ttftMs: number | undefined;
      const finish = (result: ProviderSpanResult) => {
        const costUsd = usage && options.costUsd ? safely(() => options.costUsd?.(usage as Usage)) : undefined;
        span.end({ ...result, usage, ttftMs, ...(costUsd !== undefined ? { costUsd } : {}) });
      };
      let inner: AsyncIterator<ChatChunk>;
      try {
        inner = open(span)[Symbol.asyncIterator]();
      } catch (error) {
        finish({ status: statusOfError(error), error });
        throw error;
      }
      return {
        async next() {
          try {
            const step = await inner.next();
            if (step.done) {
              finish({ status: 200 });
              return step;
            }
            if (step.value.usage) usage = step.value.usage;
            if (ttftMs === undefined && step.value.choices.some((c) => c.delta.content || c.delta.tool_calls)) {
              ttftMs = Math.round(performance.now() - started);
            }
            return step;
          } catch (error) {
            finish({ status: statusOfError(error), error });
            throw error;
          }
        },
        async return(value?: unknown) {
          finish({ status: 499 });
          if (inner.return) return inner.return(value);
          return { done: true, value: undefined };
        },
      };
    },
  };
}

/** A describe or cost callback that throws costs the span its detail, not the request its answer. */
function safely<T>(run: () => T): T | undefined {
  try {
    return run();
  } catch {
    return undefined;
  }
}
