import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../lib/core/errors.js';
import { toChatResult } from '../../../lib/providers/openai/response.js';
import { fixtureJson } from './helpers.js';

describe('toChatResult', () => {
  it('converts a text completion with cached prompt tokens', () => {
    const result = toChatResult(fixtureJson('chat-completion-text.json'), 'openai');
    expect(result).toEqual({
      id: 'chatcmpl-B9MHDbslfkBeAs8l4bebGdFOJ6PeG',
      choices: [
        {
          index: 0,
          message: { role: 'assistant', content: 'The capital of France is Paris.', refusal: null, annotations: [] },
          finish_reason: 'stop',
        },
      ],
      usage: { inputTokens: 1117, outputTokens: 8, cacheReadTokens: 1024, cacheWriteTokens: 0, reasoningTokens: 0 },
      system_fingerprint: 'fp_06737a9306',
      service_tier: 'default',
    });
  });

  it('keeps parallel tool calls in order', () => {
    const result = toChatResult(fixtureJson('chat-completion-tool-calls.json'), 'openai');
    const choice = result.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.content).toBeNull();
    expect(choice.message.tool_calls).toEqual([
      {
        id: 'call_KjzAbhiZC6nk81tQzL7pwlpc',
        type: 'function',
        function: { name: 'get_weather', arguments: '{"city":"Paris"}' },
      },
      {
        id: 'call_r0Yb1m6lK3eZ8dJ2QqWnXy4s',
        type: 'function',
        function: { name: 'get_weather', arguments: '{"city":"Tokyo"}' },
      },
    ]);
  });

  it('reads DeepSeek cache hits and keeps its reasoning_content', () => {
    const result = toChatResult(fixtureJson('chat-completion-deepseek-reasoner.json'), 'deepseek');
    expect(result.usage).toEqual({
      inputTokens: 18,
      outputTokens: 64,
      cacheReadTokens: 12,
      cacheWriteTokens: 0,
      reasoningTokens: 41,
    });
    expect(result.choices[0]!.message).toMatchObject({
      content: '9.11 is smaller than 9.8.',
      reasoning_content: expect.stringContaining('tenths'),
    });
  });

  it('joins the text parts of a content list', () => {
    const raw = {
      id: 'x',
      choices: [
        {
          index: 0,
          message: {
            role: 'assistant',
            content: [
              { type: 'thinking', thinking: [{ type: 'text', text: 'hmm' }] },
              { type: 'text', text: 'Bonjour' },
              { type: 'text', text: ' !' },
            ],
          },
          finish_reason: 'stop',
        },
      ],
      usage: { prompt_tokens: 3, completion_tokens: 2, total_tokens: 5 },
    };
    expect(toChatResult(raw, 'mistral').choices[0]!.message.content).toBe('Bonjour !');
  });

  it('stringifies tool-call arguments a server sent as an object', () => {
    const raw = {
      choices: [
        {
          message: { role: 'assistant', tool_calls: [{ id: 'c1', function: { name: 'f', arguments: { a: 1 } } }] },
          finish_reason: 'tool_calls',
        },
      ],
    };
    const call = toChatResult(raw, 'acme').choices[0]!.message.tool_calls![0]!;
    expect(call).toEqual({ id: 'c1', type: 'function', function: { name: 'f', arguments: '{"a":1}' } });
  });

  it('maps engine finish reasons into OpenAI’s vocabulary', () => {
    const raw = (reason: string) => ({ choices: [{ index: 0, message: { content: 'x' }, finish_reason: reason }] });
    expect(toChatResult(raw('eos'), 'acme').choices[0]!.finish_reason).toBe('stop');
    expect(toChatResult(raw('model_length'), 'mistral').choices[0]!.finish_reason).toBe('length');
    expect(toChatResult(raw('content_filter'), 'azure').choices[0]!.finish_reason).toBe('content_filter');
  });

  it('reports zero usage when the upstream sends none', () => {
    const raw = { choices: [{ index: 0, message: { content: 'x' }, finish_reason: 'stop' }] };
    expect(toChatResult(raw, 'acme').usage).toEqual({
      inputTokens: 0,
      outputTokens: 0,
      cacheReadTokens: 0,
      cacheWriteTokens: 0,
    });
  });

  it('turns an unreadable body into a 502 naming the provider', () => {
    for (const raw of ['<html>Bad gateway</html>', { id: 'x' }, { choices: [{ message: { content: 5 } }] }]) {
      const error = catchError(() => toChatResult(raw, 'acme'));
      expect(error).toBeInstanceOf(GatewayError);
      expect(error).toMatchObject({ status: 502, type: 'upstream_error', code: 'upstream_error', retryable: true });
      expect((error as GatewayError).message).toContain('acme');
    }
  });
});

function catchError(fn: () => unknown): unknown {
  try {
    fn();
  } catch (error) {
    return error;
  }
  throw new Error('expected an error');
}
