import { describe, expect, it } from 'vitest';
import { mapFinishReason } from '../../../lib/providers/gemini/finish-reason.js';
import { toChatResult } from '../../../lib/providers/gemini/response.js';
import { toUsage } from '../../../lib/providers/gemini/usage.js';
import { fixture } from './helpers.js';

describe('toChatResult', () => {
  it('joins text parts and normalises usage with cached and thinking tokens', () => {
    expect(toChatResult(fixture('response-text.json'), 'gemini')).toEqual({
      id: 'mG9nZ7XoE4ixz7IP7P2L8Qg',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content:
              'The sky looks blue because air molecules scatter short wavelengths of sunlight more than long ones.',
          },
          finish_reason: 'stop',
        },
      ],
      usage: { inputTokens: 1204, outputTokens: 86, cacheReadTokens: 1024, cacheWriteTokens: 0, reasoningTokens: 69 },
    });
  });

  it('leaves thought summaries out of the content', () => {
    const result = toChatResult(fixture('response-thought-summary.json'), 'gemini');
    expect(result.choices[0]?.message.content).toBe('2 + 2 = 4.');
  });

  it('turns functionCall parts into tool calls with generated ids and finish_reason tool_calls', () => {
    const result = toChatResult(fixture('response-tool-calls.json'), 'gemini');
    expect(result.choices).toEqual([
      {
        index: 0,
        message: {
          role: 'assistant',
          content: null,
          tool_calls: [
            {
              id: 'call_0',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Paris","unit":"celsius"}' },
            },
            {
              id: 'call_1',
              type: 'function',
              function: { name: 'get_weather', arguments: '{"city":"Tokyo","unit":"celsius"}' },
            },
          ],
        },
        finish_reason: 'tool_calls',
      },
    ]);
  });

  it("keeps Gemini's own call id and the text beside the call (Vertex shape, no index)", () => {
    const result = toChatResult(fixture('response-vertex-tool-call-with-id.json'), 'vertex-ai');
    expect(result.choices[0]).toEqual({
      index: 0,
      message: {
        role: 'assistant',
        content: 'Let me look that up.',
        tool_calls: [
          {
            id: 'fc_7f3a1c',
            type: 'function',
            function: { name: 'search_docs', arguments: '{"query":"rate limits"}' },
          },
        ],
      },
      finish_reason: 'tool_calls',
    });
    expect(result.usage).toEqual({ inputTokens: 40, outputTokens: 14, cacheReadTokens: 0, cacheWriteTokens: 0 });
  });

  it('answers a prompt blocked outright as content_filter, not an error', () => {
    const result = toChatResult(fixture('response-blocked-prompt.json'), 'gemini');
    expect(result.choices).toEqual([
      {
        index: 0,
        message: { role: 'assistant', content: null, refusal: 'Gemini blocked the prompt (PROHIBITED_CONTENT).' },
        finish_reason: 'content_filter',
      },
    ]);
    expect(result.usage.inputTokens).toBe(7);
  });

  it('maps a candidate stopped for safety to content_filter with no content', () => {
    const result = toChatResult(fixture('response-safety.json'), 'gemini');
    expect(result.choices[0]).toEqual({
      index: 0,
      message: { role: 'assistant', content: null },
      finish_reason: 'content_filter',
    });
  });

  it('makes one choice per candidate', () => {
    const result = toChatResult(fixture('response-two-candidates.json'), 'gemini');
    expect(result.choices.map((c) => [c.index, c.message.content, c.finish_reason])).toEqual([
      [0, 'Ahoy!', 'stop'],
      [1, 'Hello there, matey', 'length'],
    ]);
  });

  it('answers 502 to a response it cannot read', () => {
    expect(() => toChatResult({ candidates: 'nope' }, 'gemini')).toThrow(
      expect.objectContaining({ status: 502, code: 'upstream_error' }),
    );
  });
});

describe('mapFinishReason', () => {
  it.each([
    ['STOP', false, 'stop'],
    ['STOP', true, 'tool_calls'],
    ['MAX_TOKENS', false, 'length'],
    ['MAX_TOKENS', true, 'length'],
    ['SAFETY', false, 'content_filter'],
    ['RECITATION', false, 'content_filter'],
    ['BLOCKLIST', false, 'content_filter'],
    ['PROHIBITED_CONTENT', false, 'content_filter'],
    ['SPII', false, 'content_filter'],
    ['IMAGE_SAFETY', false, 'content_filter'],
    ['MALFORMED_FUNCTION_CALL', false, 'stop'],
    ['OTHER', false, 'stop'],
    ['LANGUAGE', false, 'stop'],
    ['SOMETHING_NEW', false, 'stop'],
    [undefined, false, 'stop'],
  ] as const)('maps %s (tool calls: %s) to %s', (reason, hasToolCalls, expected) => {
    expect(mapFinishReason(reason, hasToolCalls)).toBe(expected);
  });
});

describe('toUsage', () => {
  it('counts tool-use prompt tokens as input and thoughts as output', () => {
    expect(
      toUsage({
        promptTokenCount: 100,
        toolUsePromptTokenCount: 20,
        candidatesTokenCount: 10,
        thoughtsTokenCount: 5,
        cachedContentTokenCount: 64,
      }),
    ).toEqual({ inputTokens: 120, outputTokens: 15, cacheReadTokens: 64, cacheWriteTokens: 0, reasoningTokens: 5 });
  });

  it('answers zeros when Gemini sent no usage', () => {
    expect(toUsage(undefined)).toEqual({ inputTokens: 0, outputTokens: 0, cacheReadTokens: 0, cacheWriteTokens: 0 });
  });
});
