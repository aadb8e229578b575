import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../lib/core/errors.js';
import type { ChatChunk } from '../../../lib/core/types.js';
import { createStreamConverter } from '../../../lib/providers/anthropic/stream.js';
import { sseFixture } from './helpers.js';

function run(events: unknown[], jsonMode = false): ChatChunk[] {
  const converter = createStreamConverter({ provider: 'anthropic', jsonMode });
  const chunks = events.flatMap((event) => converter.push(event));
  expect(converter.done).toBe(true);
  return chunks;
}

const data = (name: string) => sseFixture(name).map((event) => event.data);
const content = (chunks: ChatChunk[]) => chunks.map((c) => c.choices[0]?.delta.content ?? '').join('');

describe('createStreamConverter', () => {
  it('streams the documented text response as content deltas, finish reason and final usage last', () => {
    const chunks = run(data('stream-text.sse.txt'));
    expect(chunks[0]).toEqual({
      id: 'msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY',
      choices: [{ index: 0, delta: { role: 'assistant', content: '' }, finish_reason: null }],
      // What message_start knew, so a client that leaves mid-stream is still accounted for its prompt.
      usage: { inputTokens: 25, outputTokens: 1, cacheReadTokens: 0, cacheWriteTokens: 0 },
    });
    expect(chunks.slice(1, -1).map((c) => c.choices[0]?.delta)).toEqual([{ content: 'Hello' }, { content: '!' }]);
    expect(chunks.at(-1)).toEqual({
      id: 'msg_1nZdL29xx5MUA1yADyHTEsnR8uuvGzszyY',
      choices: [{ index: 0, delta: {}, finish_reason: 'stop' }],
      // message_start said output 1, message_delta says 15 in total: 15, not 16.
      usage: { inputTokens: 25, outputTokens: 15, cacheReadTokens: 0, cacheWriteTokens: 0 },
    });
    expect(chunks.slice(1, -1).every((c) => c.usage === undefined)).toBe(true);
  });

  it('streams the documented tool use as one OpenAI tool call: id, type and name first, then argument fragments', () => {
    const chunks = run(data('stream-tool-use.sse.txt'));
    expect(content(chunks)).toBe("Okay, let's check the weather for San Francisco, CA:");
    const calls = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    expect(calls[0]).toEqual({
      index: 0,
      id: 'toolu_01T1x1fJ34qAmk2tNTrN7Up6',
      type: 'function',
      function: { name: 'get_weather', arguments: '' },
    });
    expect(
      calls.slice(1).every((call) => call.index === 0 && call.id === undefined && call.function?.name === undefined),
    ).toBe(true);
    const args = calls.map((call) => call.function?.arguments ?? '').join('');
    expect(JSON.parse(args)).toEqual({ location: 'San Francisco, CA', unit: 'fahrenheit' });
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('tool_calls');
    expect(chunks.at(-1)?.usage).toMatchObject({ inputTokens: 472, outputTokens: 89 });
  });

  it('drops thinking and signature deltas and tolerates a stream that reports no usage', () => {
    const chunks = run(data('stream-thinking.sse.txt'));
    expect(content(chunks)).toBe('27 * 453 = 12,231');
    expect(chunks.at(-1)?.usage).toEqual({ inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 });
  });

  it('throws the documented mid-stream error event as an upstream_error with Anthropic’s code', () => {
    const converter = createStreamConverter({ provider: 'anthropic', jsonMode: false });
    const events = data('stream-error.sse.txt');
    const chunks = events.slice(0, -1).flatMap((event) => converter.push(event));
    expect(content(chunks)).toBe('Hello');
    let thrown: unknown;
    try {
      converter.push(events.at(-1));
    } catch (error) {
      thrown = error;
    }
    expect(thrown).toBeInstanceOf(GatewayError);
    expect(thrown).toMatchObject({ type: 'upstream_error', code: 'overloaded_error', status: 503, retryable: true });
    expect(converter.done).toBe(false);
  });

  it('numbers tool calls by their own order, not by Anthropic’s block index', () => {
    const events = [
      { type: 'message_start', message: { id: 'msg_p', usage: { input_tokens: 10, output_tokens: 1 } } },
      { type: 'content_block_start', index: 0, content_block: { type: 'thinking', thinking: '' } },
      { type: 'content_block_stop', index: 0 },
      {
        type: 'content_block_start',
        index: 1,
        content_block: { type: 'tool_use', id: 'toolu_a', name: 'get_weather', input: {} },
      },
      { type: 'content_block_delta', index: 1, delta: { type: 'input_json_delta', partial_json: '{"location":"SF"}' } },
      { type: 'content_block_stop', index: 1 },
      {
        type: 'content_block_start',
        index: 2,
        content_block: { type: 'tool_use', id: 'toolu_b', name: 'get_time', input: {} },
      },
      { type: 'content_block_delta', index: 2, delta: { type: 'input_json_delta', partial_json: '' } },
      { type: 'content_block_stop', index: 2 },
      { type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 40 } },
      { type: 'message_stop' },
    ];
    const calls = run(events).flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    expect(calls).toEqual([
      { index: 0, id: 'toolu_a', type: 'function', function: { name: 'get_weather', arguments: '' } },
      { index: 0, function: { arguments: '{"location":"SF"}' } },
      { index: 1, id: 'toolu_b', type: 'function', function: { name: 'get_time', arguments: '' } },
      // No input was streamed: `{}` keeps the arguments parseable.
      { index: 1, function: { arguments: '{}' } },
    ]);
  });

  it('streams the json_response tool input as content and finishes with stop in JSON mode', () => {
    const events = [
      { type: 'message_start', message: { id: 'msg_j', usage: { input_tokens: 50, output_tokens: 1 } } },
      {
        type: 'content_block_start',
        index: 0,
        content_block: { type: 'tool_use', id: 'toolu_j', name: 'json_response', input: {} },
      },
      { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: '{"city": "Par' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'input_json_delta', partial_json: 'is"}' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'message_delta', delta: { stop_reason: 'tool_use' }, usage: { output_tokens: 12 } },
      { type: 'message_stop' },
    ];
    const chunks = run(events, true);
    expect(content(chunks)).toBe('{"city": "Paris"}');
    expect(chunks.some((c) => c.choices[0]?.delta.tool_calls)).toBe(false);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop');
  });

  it('takes cumulative usage from every message_delta without adding it up', () => {
    const events = [
      {
        type: 'message_start',
        message: { id: 'm', usage: { input_tokens: 30, cache_creation_input_tokens: 1000, output_tokens: 1 } },
      },
      { type: 'content_block_start', index: 0, content_block: { type: 'text', text: '' } },
      { type: 'content_block_delta', index: 0, delta: { type: 'text_delta', text: 'Hi' } },
      { type: 'content_block_stop', index: 0 },
      { type: 'message_delta', delta: { stop_reason: null }, usage: { output_tokens: 5 } },
      {
        type: 'message_delta',
        delta: { stop_reason: 'max_tokens' },
        usage: { input_tokens: 30, cache_creation_input_tokens: 1000, cache_read_input_tokens: 0, output_tokens: 9 },
      },
      { type: 'message_stop' },
    ];
    const last = run(events).at(-1);
    expect(last?.choices[0]?.finish_reason).toBe('length');
    expect(last?.usage).toEqual({ inputTokens: 1030, outputTokens: 9, cacheReadTokens: 0, cacheWriteTokens: 1000 });
  });

  it('ignores pings and event types it does not know', () => {
    const events = data('stream-text.sse.txt');
    events.splice(2, 0, { type: 'ping' }, { type: 'a_future_event', payload: 1 });
    expect(content(run(events))).toBe('Hello!');
  });

  it('rejects a malformed known event', () => {
    const converter = createStreamConverter({ provider: 'anthropic', jsonMode: false });
    expect(() => converter.push({ type: 'content_block_delta', delta: { type: 'text_delta', text: 'x' } })).toThrow();
  });
});
