/**
 * The streaming half of step 6: provider chunks written as the ingress format's SSE events as they arrive. After the
 * head is sent, an error can no longer change the status: it becomes the format's final error event (for chat, a
 * `data: {"error": …}` event and no `[DONE]`, CONTRACT.md §2).
 */

import { toGatewayError } from '../core/errors.js';
import type { StreamedOutput } from '../usage/estimate.js';
import { type Attempt, ClientClosedError, nextWithIdleTimeout, type OpenedStream } from './call.js';
import type { ResponseSink } from './http.js';
import type { StreamRenderer } from './ingress/types.js';
import type { KeepAlive } from './keep-alive.js';
import { log } from './log.js';
import type { RequestOutcome } from './outcome.js';

export interface StreamState {
  /** The ingress format's events for each chunk, the end and an error. */
  renderer: StreamRenderer;
  outcome: RequestOutcome;
  started: number;
  /** What was streamed so far: the basis of the estimate when the stream ends without the provider's usage. */
  output: StreamedOutput;
  /**
   * Set once the provider's final usage arrived: usage on or after the chunk with the finish reason, or any usage of
   * a stream that ended normally. Usage sent earlier (Anthropic's `message_start`) is partial.
   */
  usageFinal: boolean;
}

/**
 * Writes provider chunks as SSE events as they arrive; after the head is sent, errors become a final SSE event.
 * Writes go through `keepAlive`, which fills the provider's silences with comments.
 */
export async function pipeStream(
  stream: OpenedStream,
  attempt: Attempt,
  sink: ResponseSink,
  keepAlive: KeepAlive,
  idleTimeoutMs: number,
  state: StreamState,
): Promise<void> {
  const { renderer, outcome } = state;
  let result = stream.first;
  let finished = false;
  try {
    while (!result.done) {
      const chunk = result.value;
      if (chunk.choices.some((choice) => choice.finish_reason)) finished = true;
      if (chunk.usage) {
        outcome.usage = chunk.usage;
        if (finished) state.usageFinal = true;
      }
      state.output.add(chunk);
      if (chunk.choices.length > 0) {
        if (outcome.ttftMs === undefined && chunk.choices.some((c) => c.delta.content || c.delta.tool_calls)) {
          outcome.ttftMs = Math.round(performance.now() - state.started);
        }
        for (const choice of chunk.choices) if (choice.finish_reason) outcome.finishReason = choice.finish_reason;
        if (sink.closed.aborted) throw new ClientClosedError();
      }
      const events = renderer.chunk(chunk);
      if (events) await keepAlive.write(events);
      result = await nextWithIdleTimeout(stream, attempt, idleTimeoutMs);
    }
    if (outcome.usage) state.usageFinal = true;
    keepAlive.stop();
    await sink.write(renderer.end(outcome.usage));
    await sink.end();
  } catch (raw) {
    keepAlive.stop();
    attempt.controller.abort();
    if (raw instanceof ClientClosedError || sink.closed.aborted) throw new ClientClosedError();
    const error = toGatewayError(raw);
    log.warn('stream failed after it started', { requestId: outcome.requestId, code: error.code, error });
    outcome.status = error.status;
    outcome.errorCode = error.code ?? 'upstream_error';
    await sink.write(renderer.error(error)).catch(() => {});
    await sink.end().catch(() => {});
  } finally {
    keepAlive.stop();
    // Not awaited: a generator still parked in a `next` that ignored the abort would never settle its `return`.
    stream.iterator.return?.().catch(() => {});
  }
}
