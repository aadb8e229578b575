import type { ChatChunk } from '../../core/types.js';

/**
 * What every provider's `stream.ts` builds with `createStreamConverter(…)`: one per stream, its state (open blocks,
 * tool indexes, usage so far) in a few variables beside `push`.
 */
export interface StreamConverter {
  /** The chunks one upstream event yields (often none); throws a GatewayError for an error event or a bad one. */
  push(event: unknown): ChatChunk[];
  /**
   * After the last event: the chunks still owed (finish reasons, usage), or a throw (shared `streamCutOff`) when the
   * stream ended before its final event.
   */
  end(): ChatChunk[];
  /**
   * True once the final event arrived and nothing useful can follow, so the caller stops reading (Anthropic's
   * `message_stop`). False throughout where usage follows the finish reason (OpenAI, Converse) or no event is final
   * (Gemini).
   */
  readonly done: boolean;
}

/** Reads a provider's event stream through its converter: `push` each event until `done`, then `end`. */
export async function* convertStream(
  events: AsyncIterable<unknown>,
  converter: StreamConverter,
): AsyncGenerator<ChatChunk> {
  for await (const event of events) {
    yield* converter.push(event);
    if (converter.done) break;
  }
  yield* converter.end();
}
