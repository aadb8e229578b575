import { describe, expect, it } from 'vitest';
import { findModel } from '../../../lib/catalog.js';
import type { ChatRequest } from '../../../lib/core/types.js';
import { takesPenalties, toRequest } from '../../../lib/providers/gemini/request.js';
import { testContext } from './helpers.js';

const base: ChatRequest = { model: 'gemini-2.0-flash', messages: [{ role: 'user', content: 'Hi' }] };

describe('toRequest', () => {
  it('maps the generation settings', async () => {
    const ctx = testContext();
    const request = await toRequest(
      { ...base, temperature: 0.2, top_p: 0.9, max_tokens: 100, stop: 'END', seed: 7, n: 2 },
      ctx,
    );
    expect(request).toEqual({
      model: 'gemini-2.0-flash',
      contents: [{ role: 'user', parts: [{ text: 'Hi' }] }],
      config: { temperature: 0.2, topP: 0.9, maxOutputTokens: 100, stopSequences: ['END'], seed: 7, candidateCount: 2 },
    });
    expect(ctx.ignored).toEqual([]);
  });

  it('prefers max_completion_tokens over max_tokens and keeps a stop list as it is', async () => {
    const request = await toRequest(
      { ...base, max_tokens: 100, max_completion_tokens: 50, stop: ['a', 'b'], n: 1 },
      testContext(),
    );
    expect(request.config).toEqual({ maxOutputTokens: 50, stopSequences: ['a', 'b'] });
  });

  it('drops hints Gemini has no field for and reports each', async () => {
    const ctx = testContext();
    const request = await toRequest(
      {
        ...base,
        user: 'u-1',
        metadata: { team: 'a' },
        parallel_tool_calls: false,
        service_tier: 'auto',
        store: true,
        logit_bias: { '50256': -100 },
        top_logprobs: 2,
      },
      ctx,
    );
    expect(request.config).toEqual({});
    expect(ctx.ignored.sort()).toEqual(
      ['logit_bias', 'metadata', 'parallel_tool_calls', 'service_tier', 'store', 'top_logprobs', 'user'].sort(),
    );
  });

  it('refuses logprobs, naming it', async () => {
    await expect(toRequest({ ...base, logprobs: true }, testContext())).rejects.toMatchObject({
      status: 400,
      param: 'logprobs',
    });
  });

  it('refuses audio output, naming the field', async () => {
    await expect(toRequest({ ...base, modalities: ['text', 'audio'] }, testContext())).rejects.toMatchObject({
      status: 400,
      param: 'modalities',
    });
  });

  it('sends penalties to models that take them and drops them elsewhere', async () => {
    const penalties = { presence_penalty: 0.5, frequency_penalty: 0.25 };
    const old = await toRequest({ ...base, ...penalties }, testContext());
    expect(old.config).toEqual({ presencePenalty: 0.5, frequencyPenalty: 0.25 });
    const ctx = testContext();
    const current = await toRequest({ ...base, model: 'gemini-2.5-flash', ...penalties }, ctx);
    expect(current.config).toEqual({});
    expect(ctx.ignored).toEqual(['presence_penalty', 'frequency_penalty']);
    expect(takesPenalties('gemini-1.5-pro-002')).toBe(true);
    expect(takesPenalties('gemini-3-pro-preview')).toBe(false);
  });

  it('maps reasoning_effort to a thinking budget (2.5) or level (3), and drops it for other models', async () => {
    const budget = await toRequest({ ...base, model: 'gemini-2.5-flash', reasoning_effort: 'none' }, testContext());
    expect(budget.config.thinkingConfig).toEqual({ thinkingBudget: 0 });
    const level = await toRequest({ ...base, model: 'gemini-3-pro-preview', reasoning_effort: 'high' }, testContext());
    expect(level.config.thinkingConfig).toEqual({ thinkingLevel: 'HIGH' });
    const ctx = testContext();
    const none = await toRequest({ ...base, reasoning_effort: 'low' }, ctx);
    expect(none.config.thinkingConfig).toBeUndefined();
    expect(ctx.ignored).toEqual(['reasoning_effort']);
  });

  it('maps json_object to JSON output and json_schema to a converted responseSchema', async () => {
    const object = await toRequest({ ...base, response_format: { type: 'json_object' } }, testContext());
    expect(object.config).toEqual({ responseMimeType: 'application/json' });
    const schema = await toRequest(
      {
        ...base,
        response_format: {
          type: 'json_schema',
          json_schema: {
            name: 'answer',
            strict: true,
            schema: {
              type: 'object',
              properties: { answer: { type: 'string' } },
              required: ['answer'],
              additionalProperties: false,
            },
          },
        },
      },
      testContext(),
    );
    expect(schema.config).toEqual({
      responseMimeType: 'application/json',
      responseSchema: { type: 'OBJECT', properties: { answer: { type: 'STRING' } }, required: ['answer'] },
    });
    const text = await toRequest({ ...base, response_format: { type: 'text' } }, testContext());
    expect(text.config).toEqual({});
  });

  it('maps tools and every tool_choice form', async () => {
    const tools: ChatRequest['tools'] = [
      {
        type: 'function',
        function: {
          name: 'get_weather',
          description: 'Weather for a city',
          parameters: { type: 'object', properties: { city: { type: 'string' } }, required: ['city'] },
          strict: true,
        },
      },
      { type: 'function', function: { name: 'now', parameters: { type: 'object', properties: {} } } },
    ];
    const auto = await toRequest({ ...base, tools, tool_choice: 'auto' }, testContext());
    expect(auto.config).toEqual({
      tools: [
        {
          functionDeclarations: [
            {
              name: 'get_weather',
              description: 'Weather for a city',
              parameters: { type: 'OBJECT', properties: { city: { type: 'STRING' } }, required: ['city'] },
            },
            { name: 'now' },
          ],
        },
      ],
      toolConfig: { functionCallingConfig: { mode: 'AUTO' } },
    });
    const modes = await Promise.all(
      (['none', 'required', { type: 'function', function: { name: 'now' } }] as const).map(async (choice) => {
        const request = await toRequest({ ...base, tools, tool_choice: choice }, testContext());
        return request.config.toolConfig;
      }),
    );
    expect(modes).toEqual([
      { functionCallingConfig: { mode: 'NONE' } },
      { functionCallingConfig: { mode: 'ANY' } },
      { functionCallingConfig: { mode: 'ANY', allowedFunctionNames: ['now'] } },
    ]);
  });

  it('refuses a tool_choice naming a function that is not in tools', async () => {
    const tools: ChatRequest['tools'] = [{ type: 'function', function: { name: 'a' } }];
    await expect(
      toRequest({ ...base, tools, tool_choice: { type: 'function', function: { name: 'b' } } }, testContext()),
    ).rejects.toMatchObject({ status: 400, param: 'tool_choice' });
  });

  it('refuses tools on a model the catalog says cannot use them', async () => {
    const entry = findModel('gemini', 'gemini-2.0-flash');
    expect(entry).toBeDefined();
    const ctx = testContext({ catalogEntry: { ...entry!, capabilities: [] } });
    await expect(
      toRequest({ ...base, tools: [{ type: 'function', function: { name: 'a' } }] }, ctx),
    ).rejects.toMatchObject({ status: 400, param: 'tools' });
    const withTools = testContext({ catalogEntry: entry });
    const converted = await toRequest({ ...base, tools: [{ type: 'function', function: { name: 'a' } }] }, withTools);
    expect(converted.config?.tools).toEqual([{ functionDeclarations: [expect.objectContaining({ name: 'a' })] }]);
  });
});
