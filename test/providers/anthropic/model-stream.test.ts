/**
 * The Anthropic ChatModel against the Anthropic simulator (stream): what the simulator received (the converted
 * request) and what came back.
 */
import { describe, expect, it } from 'vitest';
import type { ChatChunk } from '../../../lib/core/types.js';
import { errorReply, textReply, toolUseReply } from '../../../simulators/anthropic.js';
import { Gate } from '../../../simulators/base.js';
import { ask, collect, failure, streamedText, testContext, useAnthropic, weatherTool } from './helpers.js';

const h = useAnthropic();

describe('stream', () => {
  it('streams text deltas and ends with the finish reason and cumulative usage', async () => {
    h.sim.script(
      textReply('The quick brown fox', {
        usage: { input_tokens: 20, cache_read_input_tokens: 100, cache_creation_input_tokens: 50, output_tokens: 7 },
      }),
    );
    const chunks = await collect(h.model.stream(ask('Tell me about foxes'), testContext()));
    expect(h.sim.lastBody.stream).toBe(true);
    expect(chunks[0]?.choices[0]?.delta).toEqual({ role: 'assistant', content: '' });
    expect(streamedText(chunks)).toBe('The quick brown fox');
    expect(chunks.slice(1, -1).length).toBe(4);
    const last = chunks.at(-1)!;
    expect(last.choices[0]?.finish_reason).toBe('stop');
    // message_start reported output 1 and message_delta 7 in total: taken, not added.
    expect(last.usage).toEqual({ inputTokens: 170, outputTokens: 7, cacheReadTokens: 100, cacheWriteTokens: 50 });
  });

  it('streams parallel tool calls with their own indices', async () => {
    h.sim.script(
      toolUseReply(
        [
          { id: 'toolu_1', name: 'get_weather', input: { location: 'Paris' } },
          { id: 'toolu_2', name: 'get_weather', input: { location: 'Lyon, France' } },
        ],
        { text: 'Looking.' },
      ),
    );
    const chunks = await collect(h.model.stream(ask('Paris and Lyon?', { tools: [weatherTool] }), testContext()));
    const calls = chunks.flatMap((c) => c.choices[0]?.delta.tool_calls ?? []);
    const heads = calls.filter((call) => call.id);
    expect(heads).toEqual([
      { index: 0, id: 'toolu_1', type: 'function', function: { name: 'get_weather', arguments: '' } },
      { index: 1, id: 'toolu_2', type: 'function', function: { name: 'get_weather', arguments: '' } },
    ]);
    const args = (index: number) =>
      calls
        .filter((call) => call.index === index)
        .map((call) => call.function?.arguments ?? '')
        .join('');
    expect(JSON.parse(args(0))).toEqual({ location: 'Paris' });
    expect(JSON.parse(args(1))).toEqual({ location: 'Lyon, France' });
    expect(streamedText(chunks)).toBe('Looking.');
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('tool_calls');
  });

  it('streams the forced JSON tool input as content', async () => {
    h.sim.script(toolUseReply([{ name: 'json_response', input: { answer: 42, unit: 'none' } }]));
    const chunks = await collect(
      h.model.stream(ask('JSON please', { response_format: { type: 'json_object' } }), testContext()),
    );
    expect(h.sim.lastBody.tool_choice).toEqual({
      type: 'tool',
      name: 'json_response',
      disable_parallel_tool_use: true,
    });
    expect(JSON.parse(streamedText(chunks))).toEqual({ answer: 42, unit: 'none' });
    expect(chunks.some((c) => c.choices[0]?.delta.tool_calls)).toBe(false);
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe('stop');
  });

  it.each([
    ['max_tokens', 'length'],
    ['refusal', 'content_filter'],
    ['stop_sequence', 'stop'],
  ] as const)('ends a %s stream with finish_reason %s', async (stopReason, finish) => {
    h.sim.script(textReply('partial', { stop_reason: stopReason }));
    const chunks = await collect(h.model.stream(ask('x'), testContext()));
    expect(chunks.at(-1)?.choices[0]?.finish_reason).toBe(finish);
  });

  it('delivers each event as it arrives, before the next one is sent', async () => {
    const gate = new Gate();
    h.sim.script(textReply('one two three', {}, { beforeEach: () => gate.wait() }));
    const iterator = h.model.stream(ask('x'), testContext())[Symbol.asyncIterator]();
    // Only message_start has been sent: the first chunk must not wait for the rest.
    const first = await iterator.next();
    expect(first.value?.choices[0]?.delta.role).toBe('assistant');
    expect(h.sim.lastRequest?.aborted).toBe(false);
    const received: string[] = [];
    for (let i = 0; i < 20; i++) gate.open();
    for (let next = await iterator.next(); !next.done; next = await iterator.next()) {
      received.push(next.value.choices[0]?.delta.content ?? '');
    }
    expect(received.join('')).toBe('one two three');
  });

  it('throws a mid-stream error event as upstream_error with Anthropic’s code, after the chunks before it', async () => {
    h.sim.script(
      textReply('a b c d', {}, { errorAfter: 5, error: { type: 'overloaded_error', message: 'Overloaded' } }),
    );
    const received: ChatChunk[] = [];
    const error = await failure(async () => {
      for await (const chunk of h.model.stream(ask('x'), testContext())) received.push(chunk);
    });
    expect(streamedText(received)).toBe('a b');
    expect(error).toMatchObject({ type: 'upstream_error', code: 'overloaded_error' });
  });

  it('throws when the connection drops mid-stream', async () => {
    h.sim.script(textReply('a b c d e f', {}, { dropAfter: 5, delayMs: 5 }));
    const error = await failure(() => collect(h.model.stream(ask('x'), testContext())));
    expect(error).toMatchObject({ status: 502, type: 'upstream_error', retryable: true });
  });

  it('throws upstream HTTP errors from the iterator before any chunk', async () => {
    h.sim.script(errorReply(529, 'overloaded_error', 'Overloaded'));
    const error = await failure(() => collect(h.model.stream(ask('x'), testContext())));
    expect(error).toMatchObject({ status: 503, code: 'overloaded_error', retryable: true });
  });

  it('aborts the upstream request when the signal fires', async () => {
    const gate = new Gate();
    h.sim.script(textReply('one two three four', {}, { beforeEach: () => gate.wait() }));
    const ctx = testContext();
    const iterator = h.model.stream(ask('x'), ctx)[Symbol.asyncIterator]();
    gate.open();
    await iterator.next();
    // The simulator holds the next event back; the abort must end the wait and close the connection.
    ctx.controller.abort();
    // What it throws is the pipeline's to decide (lib/gateway/call.ts): the wait must end.
    await expect(iterator.next()).rejects.toThrow();
    await expect.poll(() => h.sim.lastRequest?.aborted).toBe(true);
    for (let i = 0; i < 10; i++) gate.open();
  });
});
