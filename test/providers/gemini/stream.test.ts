import { describe, expect, it } from 'vitest';
import type { ChatChunk } from '../../../lib/core/types.js';
import { createStreamConverter } from '../../../lib/providers/gemini/stream.js';
import { fixture, sseFixture } from './helpers.js';

function convert(events: unknown[]): ChatChunk[] {
  const converter = createStreamConverter('gemini');
  return [...events.flatMap((event) => converter.push(event)), ...converter.end()];
}

describe('createStreamConverter', () => {
  it('streams text deltas, the finish reason, then usage once', () => {
    const chunks = convert(sseFixture('stream-text.sse.txt'));
    const id = 's3hnZ9mYNIuz7M8P0Z6-qQs';
    expect(chunks).toEqual([
      { id, choices: [{ index: 0, delta: { role: 'assistant', content: 'The' }, finish_reason: null }] },
      { id, choices: [{ index: 0, delta: { content: ' sky is blue because of Rayleigh' }, finish_reason: null }] },
      { id, choices: [{ index: 0, delta: { content: ' scattering.\n' }, finish_reason: 'stop' }] },
      { id, choices: [], usage: { inputTokens: 9, outputTokens: 10, cacheReadTokens: 4, cacheWriteTokens: 0 } },
    ]);
  });

  it('streams each function call as one complete tool-call delta with its index', () => {
    const chunks = convert(sseFixture('stream-tool-calls.sse.txt'));
    expect(chunks.map((chunk) => chunk.choices[0])).toEqual([
      { index: 0, delta: { role: 'assistant', content: 'Checking both cities.' }, finish_reason: null },
      {
        index: 0,
        delta: {
          tool_calls: [
            {
              index: 0,
              id: 'call_0',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
            },
            {
              index: 1,
              id: 'call_1',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Tokyo"}' },
            },
          ],
        },
        finish_reason: null,
      },
      { index: 0, delta: {}, finish_reason: 'tool_calls' },
      undefined,
    ]);
    expect(chunks.at(-1)?.usage).toEqual({
      inputTokens: 86,
      outputTokens: 85,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
      reasoningTokens: 54,
    });
  });

  it('ends a blocked prompt with content_filter', () => {
    const chunks = convert(sseFixture('stream-blocked.sse.txt'));
    expect(chunks[0]?.choices).toEqual([
      {
        index: 0,
        delta: { role: 'assistant', refusal: 'Gemini blocked the prompt (SAFETY).' },
        finish_reason: 'content_filter',
      },
    ]);
    expect(chunks).toHaveLength(2);
    expect(chunks[1]?.usage?.inputTokens).toBe(11);
  });

  it('keeps candidates apart by index', () => {
    const chunks = convert([fixture('response-two-candidates.json')]);
    expect(chunks[0]?.choices).toEqual([
      { index: 0, delta: { role: 'assistant', content: 'Ahoy!' }, finish_reason: 'stop' },
      { index: 1, delta: { role: 'assistant', content: 'Hello there, matey' }, finish_reason: 'length' },
    ]);
  });

  it('closes a choice the stream left without a finish reason', () => {
    const chunks = convert([{ candidates: [{ content: { parts: [{ text: 'partial' }], role: 'model' }, index: 0 }] }]);
    expect(chunks.map((chunk) => chunk.choices[0]?.finish_reason)).toEqual([null, 'stop', undefined]);
  });

  it('answers 502 to an event it cannot read', () => {
    const converter = createStreamConverter('gemini');
    expect(() => converter.push({ candidates: [{ finishReason: 42 }] })).toThrow(
      expect.objectContaining({ status: 502 }),
    );
  });
});
