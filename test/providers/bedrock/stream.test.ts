import { describe, expect, it } from 'vitest';
import type { ChatChunk } from '../../../lib/core/types.js';
import { createStreamConverter, resultToChunks } from '../../../lib/providers/bedrock/stream.js';
import { convertStream } from '../../../lib/providers/shared/stream-converter.js';
import { frames, iterate, sdkEvents } from './helpers.js';

async function collect(events: readonly unknown[]): Promise<ChatChunk[]> {
  const chunks: ChatChunk[] = [];
  for await (const chunk of convertStream(iterate(events), createStreamConverter())) chunks.push(chunk);
  return chunks;
}

const deltas = (chunks: ChatChunk[]) => chunks.flatMap((chunk) => chunk.choices.map((choice) => choice.delta));

describe('createStreamConverter', () => {
  it('streams text deltas, the finish reason at messageStop, and usage only from the final metadata event', async () => {
    const chunks = await collect(sdkEvents(frames('stream-text.eventstream.json')));
    expect(chunks).toEqual([
      { choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }] },
      { choices: [{ index: 0, delta: { content: 'Elemental Hotel' }, finish_reason: null }] },
      { choices: [{ index: 0, delta: { content: ' by 8 Storey Hike.' }, finish_reason: null }] },
      { choices: [{ index: 0, delta: {}, finish_reason: 'stop' }] },
      {
        choices: [],
        usage: { inputTokens: 30 + 1536 + 528, outputTokens: 9, cacheReadTokens: 1536, cacheWriteTokens: 528 },
      },
    ]);
    expect(chunks.slice(0, -1).every((chunk) => chunk.usage === undefined)).toBe(true);
  });

  it('gives tool calls OpenAI indices in start order, with id, type and name on the first delta', async () => {
    const chunks = await collect(sdkEvents(frames('stream-tool-use.eventstream.json')));
    const toolDeltas = deltas(chunks).flatMap((delta) => delta.tool_calls ?? []);
    expect(toolDeltas).toEqual([
      {
        index: 0,
        id: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q',
        type: 'function',
        function: { name: 'top_song', arguments: '' },
      },
      { index: 0, function: { arguments: '{"sign": ' } },
      { index: 0, function: { arguments: '"WZPZ"}' } },
      {
        index: 1,
        id: 'tooluse_rW2Dp9eVQ0yQy1Yhq4wT8A',
        type: 'function',
        function: { name: 'top_song', arguments: '' },
      },
      { index: 1, function: { arguments: '{"sign": "WKRP"}' } },
    ]);
    expect(deltas(chunks).some((delta) => delta.content === 'Let me check both stations.')).toBe(true);
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('tool_calls');
    expect(chunks.at(-1)?.usage).toEqual({
      inputTokens: 385,
      outputTokens: 112,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
    });
  });

  it('streams the forced JSON tool’s input as content and finishes with stop', async () => {
    const chunks = await collect([
      { messageStart: { role: 'assistant' } },
      { contentBlockStart: { contentBlockIndex: 0, start: { toolUse: { toolUseId: 't', name: 'json_response' } } } },
      { contentBlockDelta: { contentBlockIndex: 0, delta: { toolUse: { input: '{"city":' } } } },
      { contentBlockDelta: { contentBlockIndex: 0, delta: { toolUse: { input: '"Paris"}' } } } },
      { contentBlockStop: { contentBlockIndex: 0 } },
      { messageStop: { stopReason: 'tool_use' } },
      { metadata: { usage: { inputTokens: 3, outputTokens: 4, totalTokens: 7 } } },
    ]);
    expect(deltas(chunks).some((delta) => delta.tool_calls)).toBe(false);
    expect(
      deltas(chunks)
        .map((delta) => delta.content ?? '')
        .join(''),
    ).toBe('{"city":"Paris"}');
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('stop');
  });

  it.each([
    ['max_tokens', 'length'],
    ['stop_sequence', 'stop'],
    ['guardrail_intervened', 'content_filter'],
    ['content_filtered', 'content_filter'],
  ])('finishes a stream stopped by %s with %s', async (stopReason, finishReason) => {
    const chunks = await collect([
      { messageStart: { role: 'assistant' } },
      { messageStop: { stopReason } },
      { metadata: { usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 } } },
    ]);
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe(finishReason);
  });

  it('fails a stream that ends before messageStop instead of passing it off as a short answer', async () => {
    await expect(collect(sdkEvents(frames('stream-text.eventstream.json')).slice(0, 2))).rejects.toMatchObject({
      status: 502,
      code: 'upstream_error',
    });
  });

  it('fails on an event that does not have ConverseStream’s shape', async () => {
    await expect(collect([{ contentBlockDelta: { contentBlockIndex: 'zero' } }])).rejects.toMatchObject({
      status: 502,
    });
  });
});

describe('resultToChunks', () => {
  it('replays a complete answer with tool calls as chunks, usage last', () => {
    const chunks = resultToChunks({
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'Checking.',
            tool_calls: [{ id: 't1', type: 'function', function: { name: 'top_song', arguments: '{"sign":"WZPZ"}' } }],
          },
          finish_reason: 'tool_calls',
        },
      ],
      usage: { inputTokens: 5, outputTokens: 6, cacheReadTokens: 0, cacheWriteTokens: 0 },
    });
    expect(deltas(chunks)).toEqual([
      { role: 'assistant', content: '' },
      { content: 'Checking.' },
      {
        tool_calls: [
          { index: 0, id: 't1', type: 'function', function: { name: 'top_song', arguments: '{"sign":"WZPZ"}' } },
        ],
      },
      {},
    ]);
    expect(chunks.at(-2)?.choices[0]?.finish_reason).toBe('tool_calls');
    expect(chunks.at(-1)).toEqual({
      choices: [],
      usage: { inputTokens: 5, outputTokens: 6, cacheReadTokens: 0, cacheWriteTokens: 0 },
    });
  });
});
