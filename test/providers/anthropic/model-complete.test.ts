/**
 * The Anthropic ChatModel against the Anthropic simulator (complete): what the simulator received (the converted
 * request) and what came back.
 */
import { describe, expect, it } from 'vitest';
import type { CatalogEntry } from '../../../lib/catalog.js';
import { anthropicFactory } from '../../../lib/providers/anthropic/index.js';
import { messageReply, textReply, toolUseReply } from '../../../simulators/anthropic.js';
import { API_KEY, ask, collect, PNG, streamedText, testContext, useAnthropic, weatherTool } from './helpers.js';

const h = useAnthropic();

describe('anthropicFactory', () => {
  it('validates the credential shape', () => {
    expect(anthropicFactory.type).toBe('anthropic');
    expect(
      anthropicFactory.credentialSchema.safeParse({ api_key: 'k', base_url: 'https://api.anthropic.com' }).success,
    ).toBe(true);
    expect(anthropicFactory.credentialSchema.safeParse({ base_url: 'https://api.anthropic.com' }).success).toBe(false);
    expect(anthropicFactory.credentialSchema.safeParse({ api_key: 'k', base_url: 'not a url' }).success).toBe(false);
  });
});

describe('complete', () => {
  it('sends the key, the pinned API version and the converted conversation to /v1/messages', async () => {
    const result = await h.model.complete(
      {
        model: 'claude-haiku-4-5',
        messages: [
          { role: 'system', content: 'You are terse.' },
          { role: 'developer', content: 'Answer in English.' },
          { role: 'user', content: 'Hi' },
          { role: 'user', content: 'Say pong' },
          { role: 'assistant', content: 'pong' },
          { role: 'user', content: 'Again' },
        ],
      },
      testContext(),
    );
    const request = h.sim.lastRequest!;
    expect(request.method).toBe('POST');
    expect(request.path).toBe('/v1/messages');
    expect(request.headers['x-api-key']).toBe(API_KEY);
    expect(request.headers.authorization).toBeUndefined();
    expect(request.headers['anthropic-version']).toBe('2023-06-01');
    expect(h.sim.lastBody).toEqual({
      model: 'claude-haiku-4-5',
      max_tokens: 4096,
      stream: false,
      system: [
        { type: 'text', text: 'You are terse.' },
        { type: 'text', text: 'Answer in English.' },
      ],
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'Hi' },
            { type: 'text', text: 'Say pong' },
          ],
        },
        { role: 'assistant', content: [{ type: 'text', text: 'pong' }] },
        { role: 'user', content: [{ type: 'text', text: 'Again' }] },
      ],
    });
    expect(result.choices[0]).toEqual({
      index: 0,
      message: { role: 'assistant', content: 'Again' },
      finish_reason: 'stop',
    });
    expect(result.id).toMatch(/^msg_/);
  });

  it('defaults max_tokens to the catalog limit, even one too large for the SDK’s non-streaming guess', async () => {
    const sonnet: CatalogEntry = {
      model: 'claude-sonnet-4-5',
      model_provider: 'anthropic',
      inference_provider: { provider: 'anthropic', model_name: 'claude-sonnet-4-5-20250929' },
      type: 'completions',
      limits: { max_output_tokens: 64000 },
    };
    await h.model.complete(ask('Hi', { model: 'claude-sonnet-4-5-20250929' }), testContext(sonnet));
    expect(h.sim.lastBody.max_tokens).toBe(64000);
  });

  it('round-trips parallel tool calls and their results', async () => {
    h.sim.script(
      toolUseReply(
        [
          { id: 'toolu_sf', name: 'get_weather', input: { location: 'San Francisco' } },
          { id: 'toolu_ny', name: 'get_weather', input: { location: 'New York' } },
        ],
        { text: 'Checking both.' },
      ),
    );
    const first = await h.model.complete(
      ask('Weather in SF and NYC?', { tools: [weatherTool], tool_choice: 'auto', parallel_tool_calls: false }),
      testContext(),
    );
    expect(h.sim.lastBody.tool_choice).toEqual({ type: 'auto', disable_parallel_tool_use: true });
    expect(h.sim.lastBody.tools).toEqual([{ name: 'get_weather', input_schema: weatherTool.function.parameters }]);
    const choice = first.choices[0]!;
    expect(choice.finish_reason).toBe('tool_calls');
    expect(choice.message.tool_calls).toEqual([
      {
        id: 'toolu_sf',
        type: 'function',
        function: { name: 'get_weather', arguments: '{"location":"San Francisco"}' },
      },
      { id: 'toolu_ny', type: 'function', function: { name: 'get_weather', arguments: '{"location":"New York"}' } },
    ]);

    h.sim.script(textReply('Sunny in SF, snowing in NYC.'));
    const second = await h.model.complete(
      {
        model: 'claude-haiku-4-5',
        tools: [weatherTool],
        messages: [
          { role: 'user', content: 'Weather in SF and NYC?' },
          { role: 'assistant', content: choice.message.content, tool_calls: choice.message.tool_calls },
          { role: 'tool', tool_call_id: 'toolu_sf', content: 'Sunny, 21°C' },
          { role: 'tool', tool_call_id: 'toolu_ny', content: 'Snow, -2°C' },
        ],
      },
      testContext(),
    );
    expect(h.sim.lastBody.messages).toEqual([
      { role: 'user', content: [{ type: 'text', text: 'Weather in SF and NYC?' }] },
      {
        role: 'assistant',
        content: [
          { type: 'text', text: 'Checking both.' },
          { type: 'tool_use', id: 'toolu_sf', name: 'get_weather', input: { location: 'San Francisco' } },
          { type: 'tool_use', id: 'toolu_ny', name: 'get_weather', input: { location: 'New York' } },
        ],
      },
      {
        role: 'user',
        content: [
          { type: 'tool_result', tool_use_id: 'toolu_sf', content: 'Sunny, 21°C' },
          { type: 'tool_result', tool_use_id: 'toolu_ny', content: 'Snow, -2°C' },
        ],
      },
    ]);
    expect(second.choices[0]?.message.content).toBe('Sunny in SF, snowing in NYC.');
  });

  it('maps tool_choice required and a named tool', async () => {
    await h.model.complete(ask('x', { tools: [weatherTool], tool_choice: 'required' }), testContext());
    expect(h.sim.lastBody.tool_choice).toEqual({ type: 'any' });
    await h.model.complete(
      ask('x', { tools: [weatherTool], tool_choice: { type: 'function', function: { name: 'get_weather' } } }),
      testContext(),
    );
    expect(h.sim.lastBody.tool_choice).toEqual({ type: 'tool', name: 'get_weather' });
  });

  it('sends data: images as base64 and https: images as url sources', async () => {
    await h.model.complete(
      {
        model: 'claude-haiku-4-5',
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'What is in these images?' },
              { type: 'image_url', image_url: { url: `data:image/png;base64,${PNG}` } },
              { type: 'image_url', image_url: { url: 'https://example.com/cat.jpg' } },
            ],
          },
        ],
      },
      testContext(),
    );
    expect(h.sim.lastBody.messages).toEqual([
      {
        role: 'user',
        content: [
          { type: 'text', text: 'What is in these images?' },
          { type: 'image', source: { type: 'base64', media_type: 'image/png', data: PNG } },
          { type: 'image', source: { type: 'url', url: 'https://example.com/cat.jpg' } },
        ],
      },
    ]);
  });

  it('answers json_schema on Claude 4.5 and later through structured outputs (output_config.format)', async () => {
    const schema = {
      type: 'object',
      properties: { city: { type: 'string' }, temperature_c: { type: 'number' } },
      required: ['city', 'temperature_c'],
    };
    h.sim.script(textReply('{"city":"Paris","temperature_c":18}'));
    const result = await h.model.complete(
      ask('Weather in Paris as JSON', {
        response_format: { type: 'json_schema', json_schema: { name: 'weather', schema } },
      }),
      testContext(),
    );
    expect(h.sim.lastBody.tools).toBeUndefined();
    expect(h.sim.lastBody.output_config).toEqual({
      format: { type: 'json_schema', schema: { ...schema, additionalProperties: false } },
    });
    expect(result.choices[0]?.message.content).toBe('{"city":"Paris","temperature_c":18}');
    expect(result.choices[0]?.finish_reason).toBe('stop');
  });

  it('answers json_schema before Claude 4.5 through a forced tool and returns its input as the content', async () => {
    const schema = {
      type: 'object',
      properties: { city: { type: 'string' }, temperature_c: { type: 'number' } },
      required: ['city', 'temperature_c'],
    };
    h.sim.script(toolUseReply([{ name: 'json_response', input: { city: 'Paris', temperature_c: 18 } }]));
    const result = await h.model.complete(
      ask('Weather in Paris as JSON', {
        model: 'claude-3-5-haiku-20241022',
        response_format: { type: 'json_schema', json_schema: { name: 'weather', schema } },
      }),
      testContext(),
    );
    expect(h.sim.lastBody.tools).toEqual([
      { name: 'json_response', description: expect.stringContaining('"weather"'), input_schema: schema },
    ]);
    expect(h.sim.lastBody.tool_choice).toEqual({
      type: 'tool',
      name: 'json_response',
      disable_parallel_tool_use: true,
    });
    expect(result.choices[0]).toEqual({
      index: 0,
      message: { role: 'assistant', content: '{"city":"Paris","temperature_c":18}' },
      finish_reason: 'stop',
    });
  });

  it('maps stop, temperature, top_p and user, and reports the hints it dropped', async () => {
    h.sim.script(textReply('1, 2, 3', { stop_reason: 'stop_sequence', stop_sequence: '4' }));
    const ctx = testContext();
    const result = await h.model.complete(
      ask('Count', {
        stop: ['4', 'five'],
        temperature: 0,
        top_p: 0.5,
        user: 'end-user-7',
        seed: 42,
        presence_penalty: 0.3,
      }),
      ctx,
    );
    expect(h.sim.lastBody).toMatchObject({
      stop_sequences: ['4', 'five'],
      temperature: 0,
      top_p: 0.5,
      metadata: { user_id: 'end-user-7' },
    });
    expect(h.sim.lastBody).not.toHaveProperty('seed');
    expect(h.sim.lastBody).not.toHaveProperty('presence_penalty');
    expect(ctx.ignored.sort()).toEqual(['presence_penalty', 'seed']);
    expect(result.choices[0]?.finish_reason).toBe('stop');
  });

  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['refusal', 'content_filter'],
  ] as const)('maps stop_reason %s to finish_reason %s', async (stopReason, finish) => {
    h.sim.script(textReply('…', { stop_reason: stopReason }));
    const result = await h.model.complete(ask('x'), testContext());
    expect(result.choices[0]?.finish_reason).toBe(finish);
  });

  it('drops thinking blocks from the content, answering or streaming', async () => {
    const reply = messageReply({
      content: [
        { type: 'thinking', thinking: 'The user wants a number.', signature: 'EqQBCgIYAhIM' },
        { type: 'text', text: '42' },
      ],
    });
    h.sim.script(reply, reply);
    const result = await h.model.complete(ask('x'), testContext());
    expect(result.choices[0]?.message).toEqual({ role: 'assistant', content: '42' });
    expect(streamedText(await collect(h.model.stream(ask('x'), testContext())))).toBe('42');
  });

  it('reports cache reads and writes inside the prompt tokens', async () => {
    h.sim.script(
      textReply('ok', {
        usage: { input_tokens: 21, cache_creation_input_tokens: 1800, cache_read_input_tokens: 900, output_tokens: 3 },
      }),
    );
    const result = await h.model.complete(ask('x'), testContext());
    expect(result.usage).toEqual({ inputTokens: 2721, outputTokens: 3, cacheReadTokens: 900, cacheWriteTokens: 1800 });
  });
});
