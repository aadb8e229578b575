import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../lib/core/errors.js';
import type { ChatChunk } from '../../../lib/core/types.js';
import { createStreamConverter } from '../../../lib/providers/openai/stream.js';
import { convertStream } from '../../../lib/providers/shared/stream-converter.js';
import { collect, fromArray, sseEvents } from './helpers.js';

const convert = (events: readonly unknown[], provider = 'openai') =>
  collect(convertStream(fromArray(events), createStreamConverter(provider)));

const text = (chunks: ChatChunk[]) => chunks.map((chunk) => chunk.choices[0]?.delta.content ?? '').join('');

describe('createStreamConverter', () => {
  it('streams text and normalises the final usage chunk', async () => {
    const chunks = await convert(sseEvents('stream-text.sse.txt'));
    expect(text(chunks)).toBe('The capital is Paris.');
    expect(chunks[0]).toMatchObject({
      id: 'chatcmpl-BwoiPTGRbKkY5rncfaM0s9KtWrq5N',
      system_fingerprint: 'fp_51e1070cf2',
      choices: [{ index: 0, delta: { role: 'assistant', content: '', refusal: null }, finish_reason: null }],
    });
    expect(chunks.filter((chunk) => chunk.usage)).toHaveLength(1);
    const last = chunks.at(-1)!;
    expect(last.choices).toEqual([]);
    expect(last.usage).toEqual({
      inputTokens: 1117,
      outputTokens: 5,
      cacheReadTokens: 1024,
      cacheWriteTokens: 0,
      reasoningTokens: 0,
    });
    expect(chunks.at(-2)!.choices[0]!.finish_reason).toBe('stop');
  });

  it('passes parallel tool-call deltas through with index, id, type, name and argument fragments', async () => {
    const chunks = await convert(sseEvents('stream-tool-calls.sse.txt'));
    const deltas = chunks.flatMap((chunk) => chunk.choices.flatMap((choice) => choice.delta.tool_calls ?? []));
    expect(deltas[0]).toEqual({
      index: 0,
      id: 'call_HjeqP7YeRkoNj0de9e3U4X4B',
      type: 'function',
      function: { name: 'get_weather', arguments: '' },
    });
    expect(deltas[1]).toEqual({ index: 0, function: { arguments: '{"ci' } });
    expect(deltas[3]).toMatchObject({ index: 1, id: 'call_r0Yb1m6lK3eZ8dJ2QqWnXy4s', type: 'function' });
    const args = (index: number) =>
      deltas
        .filter((delta) => delta.index === index)
        .map((delta) => delta.function?.arguments ?? '')
        .join('');
    expect(JSON.parse(args(0))).toEqual({ city: 'Paris' });
    expect(JSON.parse(args(1))).toEqual({ city: 'Tokyo' });
    expect(chunks.some((chunk) => chunk.choices[0]?.finish_reason === 'tool_calls')).toBe(true);
    expect(chunks.at(-1)!.usage).toMatchObject({ inputTokens: 82, outputTokens: 46 });
  });

  it('reads usage a compatible server attaches to the last choice chunk', async () => {
    const chunks = await convert(sseEvents('stream-usage-on-last-choice.sse.txt'), 'togetherai');
    expect(text(chunks)).toBe('Hello there!');
    const last = chunks.at(-1)!;
    expect(last.choices[0]!.finish_reason).toBe('stop');
    expect(last.usage).toEqual({ inputTokens: 41, outputTokens: 3, cacheReadTokens: 0, cacheWriteTokens: 0 });
    expect(chunks.filter((chunk) => chunk.usage)).toHaveLength(1);
  });

  it('reads Groq’s usage from x_groq', async () => {
    const chunks = await convert(sseEvents('stream-groq-x-groq-usage.sse.txt'), 'groq');
    expect(text(chunks)).toBe('Hi!');
    expect(chunks.at(-1)!.usage).toMatchObject({ inputTokens: 36, outputTokens: 3 });
    expect(chunks.filter((chunk) => chunk.usage)).toHaveLength(1);
  });

  it('accepts a usage-only chunk whose choices are null (vLLM)', async () => {
    const events = [
      { id: 'c', choices: [{ index: 0, delta: { role: 'assistant', content: 'ok' }, finish_reason: 'stop' }] },
      { id: 'c', choices: null, usage: { prompt_tokens: 4, completion_tokens: 1, total_tokens: 5 } },
    ];
    const chunks = await convert(events, 'acme');
    expect(chunks[1]).toEqual({
      id: 'c',
      choices: [],
      usage: { inputTokens: 4, outputTokens: 1, cacheReadTokens: 0, cacheWriteTokens: 0 },
    });
  });

  it('keeps extra delta fields such as reasoning_content', async () => {
    const events = [
      { choices: [{ index: 0, delta: { reasoning_content: 'Think' }, finish_reason: null }] },
      { choices: [{ index: 0, delta: { content: 'Done' }, finish_reason: 'stop' }] },
    ];
    const chunks = await convert(events, 'deepseek');
    expect(chunks[0]!.choices[0]!.delta).toEqual({ reasoning_content: 'Think' });
  });

  it('fails a stream that ends before any choice finished', async () => {
    const events = sseEvents('stream-text.sse.txt').slice(0, 3);
    const seen: ChatChunk[] = [];
    const error = await collect(
      (async function* () {
        for await (const chunk of convertStream(fromArray(events), createStreamConverter('acme'))) {
          seen.push(chunk);
          yield chunk;
        }
      })(),
    ).catch((caught: unknown) => caught);
    expect(seen).toHaveLength(3);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ status: 502, code: 'upstream_error', retryable: true });
    expect((error as Error).message).toContain('acme');
  });

  it('turns a chunk it cannot read into a 502, not a crash', async () => {
    const error = await convert([{ choices: 'nope' }], 'acme').catch((caught: unknown) => caught);
    expect(error).toBeInstanceOf(GatewayError);
    expect(error).toMatchObject({ status: 502, type: 'upstream_error' });
  });
});
