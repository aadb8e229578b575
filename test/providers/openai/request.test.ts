import { describe, expect, it } from 'vitest';
import type { ChatRequest } from '../../../lib/core/types.js';
import { toRequest, toStreamRequest } from '../../../lib/providers/openai/request.js';

const request: ChatRequest = {
  model: 'gpt-4o-mini',
  messages: [
    { role: 'system', content: 'Be brief.' },
    {
      role: 'user',
      content: [
        { type: 'text', text: 'Hi' },
        { type: 'image_url', image_url: { url: 'https://x/y.png' } },
      ],
    },
  ],
  tools: [{ type: 'function', function: { name: 'get_weather', parameters: { type: 'object' } } }],
  tool_choice: 'auto',
  parallel_tool_calls: false,
  response_format: { type: 'json_object' },
  temperature: 0.2,
  top_p: 0.9,
  max_completion_tokens: 100,
  stop: ['END'],
  seed: 7,
  user: 'u-1',
  metadata: { team: 'a' },
  logprobs: true,
  top_logprobs: 2,
  service_tier: 'flex',
  reasoning_effort: 'low',
  // Not modelled by the gateway: must still reach OpenAI-compatible upstreams.
  prediction: { type: 'content', content: 'x' },
};

describe('toRequest', () => {
  it('passes every request field through unchanged', () => {
    expect(toRequest(request)).toEqual(request);
  });

  it('takes out the gateway-only models list', () => {
    const body = toRequest({ ...request, models: ['openai/gpt-4o'] });
    expect(body).not.toHaveProperty('models');
  });

  it('drops stream and stream_options when not streaming', () => {
    const body = toRequest({ ...request, stream: true, stream_options: { include_usage: true } });
    expect(body).not.toHaveProperty('stream');
    expect(body).not.toHaveProperty('stream_options');
  });

  it('does not change the caller’s request', () => {
    const original: ChatRequest = { ...request, stream: true, models: ['a'] };
    toRequest(original);
    toStreamRequest(original);
    expect(original.stream).toBe(true);
    expect(original.models).toEqual(['a']);
    expect(original.stream_options).toBeUndefined();
  });
});

describe('toStreamRequest', () => {
  it('forces stream_options.include_usage even when the caller asked for none', () => {
    expect(toStreamRequest(request)).toMatchObject({ stream: true, stream_options: { include_usage: true } });
    const refused = toStreamRequest({ ...request, stream_options: { include_usage: false } });
    expect(refused.stream_options).toEqual({ include_usage: true });
  });

  it('keeps the caller’s other stream options', () => {
    const streamOptions = { include_usage: false, include_obfuscation: false };
    const body = toStreamRequest({ ...request, stream_options: streamOptions });
    expect(body.stream_options).toEqual({ include_obfuscation: false, include_usage: true });
  });

  it('passes the other fields through and drops models', () => {
    const { stream, stream_options, ...rest } = toStreamRequest({ ...request, models: ['x'] });
    expect(stream).toBe(true);
    expect(stream_options).toBeDefined();
    expect(rest).toEqual(request);
  });
});
