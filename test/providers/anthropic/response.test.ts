import { describe, expect, it } from 'vitest';
import { mapFinishReason } from '../../../lib/providers/anthropic/finish-reason.js';
import { toChatResult } from '../../../lib/providers/anthropic/response.js';
import { jsonFixture } from './helpers.js';

describe('toChatResult', () => {
  it('converts the documented text response', () => {
    expect(toChatResult(jsonFixture('message-text.json'), false)).toEqual({
      id: 'msg_013Zva2CMHLNnXjNJJKqJ2EF',
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hi! My name is Claude.' }, finish_reason: 'stop' }],
      usage: { inputTokens: 2095, outputTokens: 503, cacheReadTokens: 0, cacheWriteTokens: 0 },
    });
  });

  it('converts tool_use blocks to tool_calls with JSON-string arguments and kept ids', () => {
    const result = toChatResult(jsonFixture('message-tool-use.json'), false);
    expect(result.choices[0]).toEqual({
      index: 0,
      message: {
        role: 'assistant',
        content: "I'll check the current weather in San Francisco for you.",
        tool_calls: [
          {
            id: 'toolu_01A09q90qw90lq917835lq9',
            type: 'function',
            function: { name: 'get_weather', arguments: '{"location":"San Francisco, CA","unit":"celsius"}' },
          },
        ],
      },
      finish_reason: 'tool_calls',
    });
  });

  it('drops thinking and redacted thinking blocks from the content', () => {
    const result = toChatResult(jsonFixture('message-thinking.json'), false);
    expect(result.choices[0]?.message).toEqual({ role: 'assistant', content: 'Based on my analysis...' });
  });

  it('gives a message with only tool calls null content', () => {
    const raw = {
      id: 'msg_1',
      content: [{ type: 'tool_use', id: 'toolu_1', name: 'now', input: {} }],
      stop_reason: 'tool_use',
    };
    const message = toChatResult(raw, false).choices[0]?.message;
    expect(message?.content).toBeNull();
    expect(message?.tool_calls?.[0]?.function.arguments).toBe('{}');
  });

  it('returns the json_response tool input as the content, finished with stop', () => {
    const raw = {
      id: 'msg_2',
      content: [
        { type: 'tool_use', id: 'toolu_2', name: 'json_response', input: { city: 'Paris', temperature_c: 18 } },
      ],
      stop_reason: 'tool_use',
      usage: { input_tokens: 300, output_tokens: 20 },
    };
    const choice = toChatResult(raw, true).choices[0];
    expect(choice?.message).toEqual({ role: 'assistant', content: '{"city":"Paris","temperature_c":18}' });
    expect(choice?.finish_reason).toBe('stop');
  });

  it('keeps caller tool calls beside the JSON answer in JSON mode', () => {
    const raw = {
      id: 'msg_3',
      content: [{ type: 'tool_use', id: 'toolu_3', name: 'get_weather', input: { location: 'Paris' } }],
      stop_reason: 'tool_use',
    };
    const choice = toChatResult(raw, true).choices[0];
    expect(choice?.finish_reason).toBe('tool_calls');
    expect(choice?.message.tool_calls?.[0]?.function.name).toBe('get_weather');
  });

  it('counts cache reads and writes into the prompt tokens', () => {
    const usage = jsonFixture('usage-cache-write.json');
    const result = toChatResult({ id: 'm', content: [{ type: 'text', text: 'x' }], usage }, false);
    expect(result.usage).toEqual({
      inputTokens: 188107,
      outputTokens: 393,
      cacheReadTokens: 0,
      cacheWriteTokens: 188086,
    });
  });

  it('throws on a body that is not a Message', () => {
    expect(() => toChatResult({ type: 'error' }, false)).toThrow();
    expect(() => toChatResult({ id: 'm', content: [{ type: 'text' }] }, false)).toThrow();
  });
});

describe('mapFinishReason', () => {
  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['pause_turn', 'stop'],
    ['max_tokens', 'length'],
    ['model_context_window_exceeded', 'length'],
    ['tool_use', 'tool_calls'],
    ['refusal', 'content_filter'],
    ['a_reason_added_later', 'stop'],
    [null, 'stop'],
  ] as const)('maps %s to %s', (stopReason, finish) => {
    expect(mapFinishReason(stopReason)).toBe(finish);
  });
});
