import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../lib/core/errors.js';
import { formatPath, MAX_BODY_BYTES, parseChatRequest } from '../../lib/gateway/validate.js';

function rejection(body: string | undefined): GatewayError {
  try {
    parseChatRequest(body);
  } catch (error) {
    if (error instanceof GatewayError) return error;
    throw error;
  }
  throw new Error('expected a rejection');
}

const valid = { model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'hi' }] };

describe('parseChatRequest', () => {
  it('accepts a minimal request and keeps unknown fields for compatible upstreams', () => {
    const { request, fallbackModels } = parseChatRequest(JSON.stringify({ ...valid, reasoning_effort: 'low', foo: 1 }));
    expect(request.model).toBe('gpt-4o-mini');
    expect(request.foo).toBe(1);
    expect(fallbackModels).toEqual([]);
  });

  it('takes the models extension out of the request as the fallback list', () => {
    const { request, fallbackModels } = parseChatRequest(JSON.stringify({ ...valid, models: ['a/b', 'c'] }));
    expect(fallbackModels).toEqual(['a/b', 'c']);
    expect('models' in request).toBe(false);
  });

  it('answers invalid_json for a body that is not JSON', () => {
    const error = rejection('{"model": ');
    expect(error.status).toBe(400);
    expect(error.code).toBe('invalid_json');
  });

  it('rejects a JSON array body as invalid_json', () => {
    expect(rejection('[1]').code).toBe('invalid_json');
  });

  it('names a missing model', () => {
    const error = rejection(JSON.stringify({ messages: valid.messages }));
    expect(error.param).toBe('model');
  });

  it('names the message field that is wrong', () => {
    const error = rejection(
      JSON.stringify({
        model: 'x',
        messages: [
          { role: 'user', content: 'a' },
          { role: 'user', content: 5 },
        ],
      }),
    );
    expect(error.status).toBe(400);
    expect(error.param).toMatch(/^messages\[1\]\.content/);
  });

  it('names an unknown role', () => {
    const error = rejection(JSON.stringify({ model: 'x', messages: [{ role: 'robot', content: 'a' }] }));
    expect(error.param).toBe('messages[0].role');
  });

  it('names an out-of-range temperature', () => {
    expect(rejection(JSON.stringify({ ...valid, temperature: 3 })).param).toBe('temperature');
  });

  it('names a bad content part inside an array', () => {
    const body = { model: 'x', messages: [{ role: 'user', content: [{ type: 'image_url', image_url: {} }] }] };
    expect(rejection(JSON.stringify(body)).param).toBe('messages[0].content[0].image_url.url');
  });

  it('rejects an empty messages list', () => {
    expect(rejection(JSON.stringify({ model: 'x', messages: [] })).param).toBe('messages');
  });

  it('refuses a body over 6 MiB with 413', () => {
    const error = rejection(JSON.stringify({ ...valid, pad: 'x'.repeat(MAX_BODY_BYTES) }));
    expect(error.status).toBe(413);
  });

  it('refuses an empty body', () => {
    expect(rejection('').status).toBe(400);
  });
});

describe('formatPath', () => {
  it('renders array indices in brackets', () => {
    expect(formatPath(['messages', 2, 'tool_calls', 0, 'function'])).toBe('messages[2].tool_calls[0].function');
  });
});
