import { describe, expect, it } from 'vitest';
import { mapFinishReason } from '../../../lib/providers/bedrock/finish-reason.js';
import { toChatResult } from '../../../lib/providers/bedrock/response.js';
import { toUsage } from '../../../lib/providers/bedrock/usage.js';
import { fixture } from './helpers.js';

describe('toChatResult', () => {
  it('turns text blocks into content, end_turn into stop, and camelCase usage into normalised usage', () => {
    const result = toChatResult(fixture('converse-response-text.json'));
    expect(result).toEqual({
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: 'Elemental Hotel by 8 Storey Hike is the most popular song on WZPZ right now.',
          },
          finish_reason: 'stop',
        },
      ],
      usage: { inputTokens: 30, outputTokens: 21, cacheReadTokens: 0, cacheWriteTokens: 0 },
    });
  });

  it('turns toolUse blocks into tool_calls with JSON arguments and tool_use into tool_calls', () => {
    const [choice] = toChatResult(fixture('converse-response-tool-use.json')).choices;
    expect(choice?.finish_reason).toBe('tool_calls');
    expect(choice?.message.content).toBe("I'll look up the most popular song on both stations.");
    expect(choice?.message.tool_calls).toEqual([
      {
        id: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q',
        type: 'function',
        function: { name: 'top_song', arguments: '{"sign":"WZPZ"}' },
      },
      {
        id: 'tooluse_rW2Dp9eVQ0yQy1Yhq4wT8A',
        type: 'function',
        function: { name: 'top_song', arguments: '{"sign":"WKRP"}' },
      },
    ]);
  });

  it('counts cache reads and writes into prompt tokens and keeps them apart', () => {
    const { usage } = toChatResult(fixture('converse-response-cache-usage.json'));
    expect(usage).toEqual({
      inputTokens: 14 + 1536 + 528,
      outputTokens: 4,
      cacheReadTokens: 1536,
      cacheWriteTokens: 528,
    });
  });

  it('answers with null content when the model only calls tools', () => {
    const [choice] = toChatResult({
      output: { message: { role: 'assistant', content: [{ toolUse: { toolUseId: 't1', name: 'now', input: {} } }] } },
      stopReason: 'tool_use',
      usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 },
    }).choices;
    expect(choice?.message).toEqual({
      role: 'assistant',
      content: null,
      tool_calls: [{ id: 't1', type: 'function', function: { name: 'now', arguments: '{}' } }],
    });
  });

  it('returns the forced JSON tool’s input as content with finish reason stop', () => {
    const [choice] = toChatResult({
      output: {
        message: {
          role: 'assistant',
          content: [{ toolUse: { toolUseId: 't1', name: 'json_response', input: { city: 'Paris' } } }],
        },
      },
      stopReason: 'tool_use',
      usage: { inputTokens: 1, outputTokens: 1, totalTokens: 2 },
    }).choices;
    expect(choice?.message).toEqual({ role: 'assistant', content: '{"city":"Paris"}' });
    expect(choice?.finish_reason).toBe('stop');
  });

  it('answers 502 for a body that is not a Converse response', () => {
    expect(() => toChatResult({ output: { message: { content: 'not a list' } } })).toThrow(
      expect.objectContaining({ status: 502, code: 'upstream_error' }),
    );
  });
});

describe('mapFinishReason', () => {
  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['model_context_window_exceeded', 'length'],
    ['tool_use', 'tool_calls'],
    ['guardrail_intervened', 'content_filter'],
    ['content_filtered', 'content_filter'],
    ['malformed_model_output', 'stop'],
    ['a_reason_added_later', 'stop'],
  ])('maps %s to %s', (stopReason, finishReason) => {
    expect(mapFinishReason(stopReason)).toBe(finishReason);
  });
});

describe('toUsage', () => {
  it('reads missing fields as zero', () => {
    expect(toUsage({ inputTokens: 5 })).toEqual({
      inputTokens: 5,
      outputTokens: 0,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
    });
    expect(toUsage(undefined)).toEqual({
      inputTokens: 0,
      outputTokens: 0,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
    });
  });
});
