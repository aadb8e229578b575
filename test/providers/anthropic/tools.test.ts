import { describe, expect, it } from 'vitest';
import type { ChatRequest, FunctionTool } from '../../../lib/core/types.js';
import { mapToolChoice, prepareTools, toAnthropicTool } from '../../../lib/providers/anthropic/tools.js';

const weather: FunctionTool = {
  type: 'function',
  function: {
    name: 'get_weather',
    description: 'Get the current weather in a given location',
    parameters: { type: 'object', properties: { location: { type: 'string' } }, required: ['location'] },
  },
};
const format: ChatRequest['response_format'] = {
  type: 'json_schema',
  json_schema: { name: 'answer', schema: { type: 'object', properties: { value: { type: 'string' } } } },
};
const req = (extra: Partial<ChatRequest>): ChatRequest => ({ model: 'claude', messages: [], ...extra });

describe('toAnthropicTool', () => {
  it('maps a function to name, description and input_schema', () => {
    expect(toAnthropicTool(weather)).toEqual({
      name: 'get_weather',
      description: 'Get the current weather in a given location',
      input_schema: weather.function.parameters,
    });
  });

  it('gives a function without parameters an empty object schema', () => {
    expect(toAnthropicTool({ type: 'function', function: { name: 'now' } })).toEqual({
      name: 'now',
      input_schema: { type: 'object', properties: {} },
    });
  });
});

describe('mapToolChoice', () => {
  it.each([
    ['auto', { type: 'auto' }],
    ['none', { type: 'none' }],
    ['required', { type: 'any' }],
  ] as const)('maps %s', (choice, expected) => {
    expect(mapToolChoice(choice)).toEqual(expected);
  });

  it('maps a named function to a tool choice', () => {
    expect(mapToolChoice({ type: 'function', function: { name: 'get_weather' } })).toEqual({
      type: 'tool',
      name: 'get_weather',
    });
  });
});

describe('prepareTools', () => {
  it('sends nothing without tools or a response format', () => {
    expect(prepareTools(req({ parallel_tool_calls: false }))).toEqual({ jsonMode: false });
  });

  it('maps parallel_tool_calls false to disable_parallel_tool_use, on an explicit auto when no choice was given', () => {
    expect(prepareTools(req({ tools: [weather], parallel_tool_calls: false })).tool_choice).toEqual({
      type: 'auto',
      disable_parallel_tool_use: true,
    });
    expect(
      prepareTools(req({ tools: [weather], tool_choice: 'required', parallel_tool_calls: false })).tool_choice,
    ).toEqual({ type: 'any', disable_parallel_tool_use: true });
    expect(
      prepareTools(req({ tools: [weather], tool_choice: 'none', parallel_tool_calls: false })).tool_choice,
    ).toEqual({
      type: 'none',
    });
  });

  it('leaves tool_choice out when the caller gave none', () => {
    expect(prepareTools(req({ tools: [weather] }))).toEqual({ tools: [toAnthropicTool(weather)], jsonMode: false });
  });

  it('forces the json_response tool when there are no tools', () => {
    const prepared = prepareTools(req({ response_format: format }));
    expect(prepared.jsonMode).toBe(true);
    expect(prepared.tools?.map((t) => t.name)).toEqual(['json_response']);
    expect(prepared.tools?.[0]?.input_schema).toEqual({ type: 'object', properties: { value: { type: 'string' } } });
    expect(prepared.tool_choice).toEqual({ type: 'tool', name: 'json_response', disable_parallel_tool_use: true });
  });

  it('adds the json_response tool beside the caller tools and requires some tool when tool_choice is auto', () => {
    const prepared = prepareTools(req({ tools: [weather], tool_choice: 'auto', response_format: format }));
    expect(prepared.tools?.map((t) => t.name)).toEqual(['get_weather', 'json_response']);
    expect(prepared.tool_choice).toEqual({ type: 'any' });
    expect(prepared.jsonMode).toBe(true);
  });

  it('forces the json_response tool when tool_choice is none, keeping the caller tools listed', () => {
    const prepared = prepareTools(
      req({ tools: [weather], tool_choice: 'none', response_format: { type: 'json_object' } }),
    );
    expect(prepared.tools?.map((t) => t.name)).toEqual(['get_weather', 'json_response']);
    expect(prepared.tool_choice).toEqual({ type: 'tool', name: 'json_response', disable_parallel_tool_use: true });
  });

  it('leaves the json_response tool out when the caller requires or names a tool', () => {
    const required = prepareTools(req({ tools: [weather], tool_choice: 'required', response_format: format }));
    expect(required).toEqual({ tools: [toAnthropicTool(weather)], tool_choice: { type: 'any' }, jsonMode: false });
    const named = prepareTools(
      req({
        tools: [weather],
        tool_choice: { type: 'function', function: { name: 'get_weather' } },
        response_format: format,
      }),
    );
    expect(named.tool_choice).toEqual({ type: 'tool', name: 'get_weather' });
    expect(named.jsonMode).toBe(false);
  });
});
