import { describe, expect, it } from 'vitest';
import type { ChatChunk } from '../../../lib/core/types.js';
import { convertStream, type StreamConverter } from '../../../lib/providers/shared/stream-converter.js';

/** A converter that turns each event into one content chunk and is done at `'stop'`. */
function converter(): StreamConverter & { pushed: unknown[] } {
  const pushed: unknown[] = [];
  let done = false;
  return {
    pushed,
    get done() {
      return done;
    },
    push(event) {
      pushed.push(event);
      if (event === 'stop') done = true;
      return [{ choices: [{ index: 0, delta: { content: String(event) }, finish_reason: null }] }];
    },
    end: () => [{ choices: [], usage: { inputTokens: 1, outputTokens: 2, cacheReadTokens: 0, cacheWriteTokens: 0 } }],
  };
}

async function* events(...values: string[]): AsyncGenerator<string> {
  yield* values;
}

async function collect(source: AsyncIterable<ChatChunk>): Promise<ChatChunk[]> {
  const chunks: ChatChunk[] = [];
  for await (const chunk of source) chunks.push(chunk);
  return chunks;
}

describe('convertStream', () => {
  it('pushes every event, then yields what end() still owes', async () => {
    const chunks = await collect(convertStream(events('a', 'b'), converter()));
    expect(chunks.map((chunk) => chunk.choices[0]?.delta.content ?? 'usage')).toEqual(['a', 'b', 'usage']);
  });

  it('stops reading once the converter is done', async () => {
    const conv = converter();
    const chunks = await collect(convertStream(events('a', 'stop', 'late'), conv));
    expect(conv.pushed).toEqual(['a', 'stop']);
    expect(chunks).toHaveLength(3);
  });

  it('lets end() fail the stream', async () => {
    const failing = {
      ...converter(),
      done: false,
      end: () => {
        throw new Error('cut off');
      },
    };
    await expect(collect(convertStream(events('a'), failing))).rejects.toThrow('cut off');
  });
});
