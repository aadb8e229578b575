import { describe, expect, it } from 'vitest';
import { GatewayError } from '../../../lib/core/errors.js';
import {
  isJsonResponseToolCall,
  JSON_RESPONSE_TOOL_NAME,
  jsonResponseTool,
} from '../../../lib/providers/shared/json-response-tool.js';

const weatherSchema = {
  type: 'object',
  properties: { city: { type: 'string' }, temperature_c: { type: 'number' } },
  required: ['city', 'temperature_c'],
  additionalProperties: false,
};

describe('jsonResponseTool', () => {
  it('needs no tool without a response_format or for text', () => {
    expect(jsonResponseTool(undefined)).toBeUndefined();
    expect(jsonResponseTool({ type: 'text' })).toBeUndefined();
  });

  it('carries a json_schema format as the input schema of the json_response tool', () => {
    const tool = jsonResponseTool({
      type: 'json_schema',
      json_schema: { name: 'weather', description: 'Today in one city.', schema: weatherSchema, strict: true },
    });
    expect(tool?.name).toBe(JSON_RESPONSE_TOOL_NAME);
    expect(tool?.inputSchema).toEqual(weatherSchema);
    expect(tool?.description).toContain('"weather"');
    expect(tool?.description).toContain('Today in one city.');
  });

  it('gives json_object an open object schema', () => {
    expect(jsonResponseTool({ type: 'json_object' })?.inputSchema).toEqual({
      type: 'object',
      additionalProperties: true,
    });
  });

  it('treats a schema without a root type as an object and a missing schema as an open object', () => {
    const noType = jsonResponseTool({ type: 'json_schema', json_schema: { name: 'x', schema: { properties: {} } } });
    expect(noType?.inputSchema).toEqual({ type: 'object', properties: {} });
    const noSchema = jsonResponseTool({ type: 'json_schema', json_schema: { name: 'x' } });
    expect(noSchema?.inputSchema).toEqual({ type: 'object', additionalProperties: true });
  });

  it('rejects a schema whose root is not an object with a 400 naming the schema', () => {
    const call = () =>
      jsonResponseTool({ type: 'json_schema', json_schema: { name: 'list', schema: { type: 'array', items: {} } } });
    expect(call).toThrow(GatewayError);
    expect(call).toThrow(expect.objectContaining({ status: 400, param: 'response_format.json_schema.schema' }));
  });
});

describe('isJsonResponseToolCall', () => {
  it('recognises only the json_response tool', () => {
    expect(isJsonResponseToolCall('json_response')).toBe(true);
    expect(isJsonResponseToolCall('get_weather')).toBe(false);
  });
});
