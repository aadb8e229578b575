import { describe, expect, it } from 'vitest';
import type { ChatRequest, JsonSchema } from '../../../lib/core/types.js';
import { strictSchema } from '../../../lib/providers/anthropic/client.js';
import { toRequest } from '../../../lib/providers/anthropic/request.js';
import { takesStructuredOutputs } from '../../../lib/providers/anthropic/structured-output.js';
import { testContext } from './helpers.js';

const schema: JsonSchema = {
  type: 'object',
  properties: { answer: { type: 'integer', minimum: 0 } },
  required: ['answer'],
};
const asking = (model: string, extra: Partial<ChatRequest> = {}): ChatRequest => ({
  model,
  messages: [{ role: 'user', content: '6 × 7?' }],
  response_format: { type: 'json_schema', json_schema: { name: 'product', schema } },
  ...extra,
});

describe('takesStructuredOutputs', () => {
  it('is true from Claude 4.5 on, whatever the family, with or without a date', () => {
    for (const model of [
      'claude-sonnet-4-5',
      'claude-sonnet-4-5-20250929',
      'claude-haiku-4-5-20251001',
      'claude-opus-4-6',
      'claude-sonnet-5',
      'claude-opus-5-5',
      'claude-fable-5-1',
      'Claude-Opus-4-5',
    ]) {
      expect(takesStructuredOutputs(model), model).toBe(true);
    }
  });

  it('is false before Claude 4.5 and for names it cannot read', () => {
    for (const model of [
      'claude-sonnet-4-20250514',
      'claude-opus-4-1-20250805',
      'claude-opus-4-0',
      'claude-3-7-sonnet-20250219',
      'claude-3-5-haiku-latest',
      'claude-3-haiku-20240307',
      'my-proxy-model',
    ]) {
      expect(takesStructuredOutputs(model), model).toBe(false);
    }
  });
});

describe('toRequest with structured outputs', () => {
  it('sends json_schema as output_config.format, in the form structured outputs accept, and no JSON tool', () => {
    const prepared = toRequest(asking('claude-opus-5-5'), testContext(), { strictSchema });
    expect(prepared.jsonMode).toBe(false);
    expect(prepared.body.tools).toBeUndefined();
    expect(prepared.body.tool_choice).toBeUndefined();
    expect(prepared.body.output_config).toEqual({
      format: {
        type: 'json_schema',
        schema: {
          type: 'object',
          properties: { answer: { type: 'integer', description: '{minimum: 0}' } },
          additionalProperties: false,
          required: ['answer'],
        },
      },
    });
  });

  it("keeps the caller's tools and tool choice as asked beside the format", () => {
    const tool = { type: 'function' as const, function: { name: 'calc', parameters: { type: 'object' } } };
    const body = toRequest(asking('claude-sonnet-4-5', { tools: [tool], tool_choice: 'auto' }), testContext(), {
      strictSchema,
    }).body;
    expect(body.tools?.map((t) => t.name)).toEqual(['calc']);
    expect(body.tool_choice).toEqual({ type: 'auto' });
    expect(body.output_config?.format.type).toBe('json_schema');
  });

  it('keeps the forced JSON tool for models before Claude 4.5, and for json_object', () => {
    const older = toRequest(asking('claude-3-5-haiku-20241022'), testContext(), { strictSchema });
    expect(older.jsonMode).toBe(true);
    expect(older.body.output_config).toBeUndefined();
    expect(older.body.tool_choice).toMatchObject({ type: 'tool', name: 'json_response' });
    const object = toRequest(asking('claude-sonnet-4-5', { response_format: { type: 'json_object' } }), testContext(), {
      strictSchema,
    });
    expect(object.jsonMode).toBe(true);
    expect(object.body.output_config).toBeUndefined();
  });

  it('answers a 400 naming the schema when structured outputs cannot express it', () => {
    const untyped = asking('claude-sonnet-4-5', {
      response_format: { type: 'json_schema', json_schema: { name: 'x', schema: { properties: {} } } },
    });
    expect(() => toRequest(untyped, testContext(), { strictSchema })).toThrow(
      expect.objectContaining({ status: 400, param: 'response_format.json_schema.schema' }),
    );
  });
});
