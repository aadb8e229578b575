/** The Bedrock ChatModel's `complete` and its authentication, against the Bedrock simulator. */
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import { describe, expect, it } from 'vitest';
import type { ChatRequest } from '../../../lib/core/types.js';
import { converse, converseText, parseAuthorization, routeOf } from '../../../simulators/bedrock.js';
import { fixture, testContext } from './helpers.js';
import { AKID, ask, CLAUDE, useBedrockSimulator } from './model-setup.js';

const bedrock = useBedrockSimulator();

describe('complete', () => {
  it('sends a system prompt and a multi-turn conversation over HTTP/2, signed with SigV4', async () => {
    const { ctx } = testContext();
    const result = await bedrock.model.complete(
      {
        model: CLAUDE,
        messages: [
          { role: 'system', content: 'You are terse.' },
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'Hello.' },
          { role: 'user', content: 'Name a colour.' },
        ],
        max_tokens: 50,
      },
      ctx,
    );
    const received = bedrock.sim.lastRequest!;
    expect(received.path).toBe('/model/anthropic.claude-3-haiku-20240307-v1%3A0/converse');
    expect(routeOf(received)).toEqual({ modelId: CLAUDE, operation: 'converse' });
    expect(received.headers[':method']).toBe('POST');
    expect(parseAuthorization(received.headers.authorization)).toMatchObject({
      scheme: 'sigv4',
      accessKeyId: AKID,
      region: 'us-east-1',
      service: 'bedrock',
    });
    expect(received.body).toEqual({
      system: [{ text: 'You are terse.' }],
      messages: [
        { role: 'user', content: [{ text: 'Hi' }] },
        { role: 'assistant', content: [{ text: 'Hello.' }] },
        { role: 'user', content: [{ text: 'Name a colour.' }] },
      ],
      inferenceConfig: { maxTokens: 50 },
    });
    expect(result.choices[0]?.message.content).toBe('Hello from the Bedrock simulator.');
    expect(result.usage).toEqual({ inputTokens: 12, outputTokens: 7, cacheReadTokens: 0, cacheWriteTokens: 0 });
  });

  it('signs with the session token of temporary keys', async () => {
    const temporary = await bedrock.modelFor({ session_token: 'session-token-value' });
    await temporary.complete(ask('Hi'), testContext().ctx);
    expect(bedrock.sim.lastRequest?.headers['x-amz-security-token']).toBe('session-token-value');
  });

  it('calls a cross-region inference profile by its id', async () => {
    await bedrock.model.complete(
      ask('Hi', { model: 'us.anthropic.claude-3-5-sonnet-20241022-v2:0' }),
      testContext().ctx,
    );
    expect(routeOf(bedrock.sim.lastRequest!).modelId).toBe('us.anthropic.claude-3-5-sonnet-20241022-v2:0');
  });

  it('round-trips tool calls and results', async () => {
    const { openai, bedrock: wire } = fixture<{ openai: ChatRequest; bedrock: unknown }>(
      'converse-request-tool-round-trip.json',
    );
    bedrock.sim.script(converse(fixture('converse-response-tool-use.json')));
    const result = await bedrock.model.complete(openai, testContext().ctx);
    expect(bedrock.sim.lastRequest?.body).toEqual(wire);
    expect(result.choices[0]?.finish_reason).toBe('tool_calls');
    expect(result.choices[0]?.message.tool_calls?.map((call) => call.function.arguments)).toEqual([
      '{"sign":"WZPZ"}',
      '{"sign":"WKRP"}',
    ]);
  });

  it('sends a data URL image as base64 bytes with its format', async () => {
    const jpeg = Buffer.from('ffd8ffe000104a464946', 'hex');
    await bedrock.model.complete(
      {
        model: CLAUDE,
        messages: [
          {
            role: 'user',
            content: [
              { type: 'text', text: 'Describe it.' },
              { type: 'image_url', image_url: { url: `data:image/jpeg;base64,${jpeg.toString('base64')}` } },
            ],
          },
        ],
      },
      testContext().ctx,
    );
    expect(bedrock.sim.lastRequest?.body).toMatchObject({
      messages: [
        {
          role: 'user',
          content: [
            { text: 'Describe it.' },
            { image: { format: 'jpeg', source: { bytes: jpeg.toString('base64') } } },
          ],
        },
      ],
    });
  });

  it('fetches an image URL through the shared image fetcher and sends its bytes', async () => {
    const gif = Buffer.from(
      '47494638396101000100800000ffffff00000021f90401000000002c00000000010001000002024401003b',
      'hex',
    );
    const images = createServer((_req, res) => {
      res.writeHead(200, { 'content-type': 'image/gif', 'content-length': gif.length });
      res.end(gif);
    });
    await new Promise<void>((resolve) => images.listen(0, '127.0.0.1', resolve));
    // Loopback URLs are refused unless private URLs are allowed, as in tests and private deployments.
    const saved = process.env.GATEWAY_ALLOW_PRIVATE_URLS;
    process.env.GATEWAY_ALLOW_PRIVATE_URLS = 'true';
    try {
      const url = `http://127.0.0.1:${(images.address() as AddressInfo).port}/pixel.gif`;
      await bedrock.model.complete(
        { model: CLAUDE, messages: [{ role: 'user', content: [{ type: 'image_url', image_url: { url } }] }] },
        testContext().ctx,
      );
    } finally {
      if (saved === undefined) delete process.env.GATEWAY_ALLOW_PRIVATE_URLS;
      else process.env.GATEWAY_ALLOW_PRIVATE_URLS = saved;
      await new Promise<void>((resolve) => images.close(() => resolve()));
    }
    expect(bedrock.sim.lastRequest?.body).toMatchObject({
      messages: [{ role: 'user', content: [{ image: { format: 'gif', source: { bytes: gif.toString('base64') } } }] }],
    });
  });

  it('refuses an image URL on a private address without calling Bedrock', async () => {
    const saved = process.env.GATEWAY_ALLOW_PRIVATE_URLS;
    delete process.env.GATEWAY_ALLOW_PRIVATE_URLS;
    try {
      await expect(
        bedrock.model.complete(
          {
            model: CLAUDE,
            messages: [
              { role: 'user', content: [{ type: 'image_url', image_url: { url: 'https://127.0.0.1/x.png' } }] },
            ],
          },
          testContext().ctx,
        ),
      ).rejects.toMatchObject({ status: 400, param: 'messages[0].content[0].image_url.url' });
    } finally {
      if (saved !== undefined) process.env.GATEWAY_ALLOW_PRIVATE_URLS = saved;
    }
    expect(bedrock.sim.requests).toHaveLength(0);
  });

  it('answers response_format json_schema through the forced JSON tool', async () => {
    bedrock.sim.script(
      converse({
        output: {
          message: {
            role: 'assistant',
            content: [{ toolUse: { toolUseId: 'tooluse_1', name: 'json_response', input: { colour: 'blue' } } }],
          },
        },
        stopReason: 'tool_use',
        usage: { inputTokens: 40, outputTokens: 9, totalTokens: 49 },
      }),
    );
    const schema = { type: 'object', properties: { colour: { type: 'string' } }, required: ['colour'] };
    const result = await bedrock.model.complete(
      ask('Name a colour.', { response_format: { type: 'json_schema', json_schema: { name: 'colour', schema } } }),
      testContext().ctx,
    );
    expect(bedrock.sim.lastRequest?.body).toMatchObject({
      toolConfig: { toolChoice: { tool: { name: 'json_response' } } },
    });
    expect(result.choices[0]).toMatchObject({ message: { content: '{"colour":"blue"}' }, finish_reason: 'stop' });
  });

  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['tool_use', 'tool_calls'],
    ['guardrail_intervened', 'content_filter'],
    ['content_filtered', 'content_filter'],
  ])('maps stop reason %s to finish_reason %s', async (stopReason, finishReason) => {
    bedrock.sim.script(converseText('x', { stopReason }));
    const result = await bedrock.model.complete(ask('Hi'), testContext().ctx);
    expect(result.choices[0]?.finish_reason).toBe(finishReason);
  });

  it('lists the hints it dropped', async () => {
    const { ctx, ignored } = testContext();
    await bedrock.model.complete(ask('Hi', { seed: 1, user: 'u', parallel_tool_calls: true }), ctx);
    expect(ignored).toEqual(['seed', 'user', 'parallel_tool_calls']);
    expect(bedrock.sim.lastRequest?.body).toEqual({ messages: [{ role: 'user', content: [{ text: 'Hi' }] }] });
  });

  it('answers 400 for what the model family cannot take without calling Bedrock', async () => {
    const tools = [{ type: 'function' as const, function: { name: 'now' } }];
    await expect(
      bedrock.model.complete(ask('Hi', { model: 'amazon.titan-text-express-v1', tools }), testContext().ctx),
    ).rejects.toMatchObject({ status: 400, param: 'tools' });
    expect(bedrock.sim.requests).toHaveLength(0);
  });
});

describe('authentication', () => {
  it('sends a Bedrock API key as a bearer token instead of signing', async () => {
    bedrock.sim.expectAuth = 'bearer';
    const apiKeyModel = await bedrock.modelFor({
      access_key_id: undefined,
      secret_access_key: undefined,
      api_key: 'ABSK-key-1',
    });
    await apiKeyModel.complete(ask('Hi'), testContext().ctx);
    expect(bedrock.sim.lastRequest?.headers.authorization).toBe('Bearer ABSK-key-1');
  });

  it('uses the default credential chain when the credential has no keys', async () => {
    bedrock.sim.expectAuth = 'sigv4';
    const saved = { ...process.env };
    process.env.AWS_ACCESS_KEY_ID = 'AKIDFROMENVIRONMENT1';
    process.env.AWS_SECRET_ACCESS_KEY = 'environment-secret';
    delete process.env.AWS_SESSION_TOKEN;
    delete process.env.AWS_PROFILE;
    try {
      const roleModel = await bedrock.modelFor({
        access_key_id: undefined,
        secret_access_key: undefined,
        region: 'eu-west-1',
      });
      await roleModel.complete(ask('Hi'), testContext().ctx);
    } finally {
      for (const key of Object.keys(process.env)) if (!(key in saved)) delete process.env[key];
      Object.assign(process.env, saved);
    }
    expect(parseAuthorization(bedrock.sim.lastRequest?.headers.authorization)).toMatchObject({
      scheme: 'sigv4',
      accessKeyId: 'AKIDFROMENVIRONMENT1',
      region: 'eu-west-1',
    });
  });
});
