/**
 * Bedrock end to end: the official openai SDK through the local gateway, against the Bedrock simulator registered as
 * the project's `bedrock` credential (the SDK's own HTTP/2 client, SigV4 or Bearer): non-streaming calls and
 * credentials. Streaming and errors: bedrock-stream.test.ts.
 */
import { describe, expect, it } from 'vitest';
import { bedrockError, converse, converseText, parseAuthorization, routeOf } from '../../simulators/bedrock.js';
import { setEnv } from '../helpers/local-gateway.js';
import { fixture } from '../providers/bedrock/helpers.js';
import { AKID, API_KEY, CLAUDE, failure, MODEL, SECRET, topSong, useBedrockGateway, user } from './bedrock-setup.js';

const e2e = useBedrockGateway();

describe('non-streaming', () => {
  it('answers a system prompt and a multi-turn conversation, signed with the project’s keys', async () => {
    const { data, response } = await e2e.client.chat.completions
      .create({
        model: MODEL,
        messages: [
          { role: 'system', content: 'You are terse.' },
          { role: 'user', content: 'Hi' },
          { role: 'assistant', content: 'Hello.' },
          { role: 'user', content: 'Name a colour.' },
        ],
        max_tokens: 64,
        temperature: 0.3,
        seed: 7,
        user: 'u-1',
      })
      .withResponse();
    expect(data).toMatchObject({
      object: 'chat.completion',
      model: MODEL,
      choices: [{ index: 0, message: { role: 'assistant', content: 'Hello from Bedrock.' }, finish_reason: 'stop' }],
      usage: { prompt_tokens: 12, completion_tokens: 7, total_tokens: 19 },
    });
    expect(response.headers.get('x-gateway-provider')).toBe('bedrock');
    expect(response.headers.get('x-gateway-ignored')?.split(',').sort()).toEqual(['seed', 'user']);
    expect(response.headers.get('x-gateway-cost-usd')).toMatch(/^\d+(\.\d+)?$/);
    const received = e2e.sim.lastRequest!;
    expect(routeOf(received)).toEqual({ modelId: CLAUDE, operation: 'converse' });
    expect(parseAuthorization(received.headers.authorization)).toMatchObject({ scheme: 'sigv4', accessKeyId: AKID });
    expect(received.body).toEqual({
      system: [{ text: 'You are terse.' }],
      messages: [
        { role: 'user', content: [{ text: 'Hi' }] },
        { role: 'assistant', content: [{ text: 'Hello.' }] },
        { role: 'user', content: [{ text: 'Name a colour.' }] },
      ],
      inferenceConfig: { maxTokens: 64, temperature: 0.3 },
    });
  });

  it('round-trips tool calls and their results', async () => {
    e2e.sim.script(converse(fixture('converse-response-tool-use.json')));
    const first = await e2e.client.chat.completions.create({
      model: MODEL,
      messages: user('Top songs?'),
      tools: [topSong],
    });
    const message = first.choices[0]!.message;
    expect(first.choices[0]?.finish_reason).toBe('tool_calls');
    expect(message.tool_calls?.map((call) => call.type === 'function' && call.function)).toEqual([
      { name: 'top_song', arguments: '{"sign":"WZPZ"}' },
      { name: 'top_song', arguments: '{"sign":"WKRP"}' },
    ]);

    e2e.sim.script(converseText('WZPZ plays Elemental Hotel; WKRP plays Sky Pilot.'));
    const second = await e2e.client.chat.completions.create({
      model: MODEL,
      tools: [topSong],
      messages: [
        ...user('Top songs?'),
        message,
        { role: 'tool', tool_call_id: message.tool_calls![0]!.id, content: 'Elemental Hotel' },
        { role: 'tool', tool_call_id: message.tool_calls![1]!.id, content: 'Sky Pilot' },
      ],
    });
    expect(second.choices[0]?.message.content).toContain('Elemental Hotel');
    expect(e2e.sim.lastRequest?.body).toMatchObject({
      messages: [
        { role: 'user', content: [{ text: 'Top songs?' }] },
        {
          role: 'assistant',
          content: [
            { text: "I'll look up the most popular song on both stations." },
            { toolUse: { toolUseId: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', name: 'top_song', input: { sign: 'WZPZ' } } },
            { toolUse: { toolUseId: 'tooluse_rW2Dp9eVQ0yQy1Yhq4wT8A', name: 'top_song', input: { sign: 'WKRP' } } },
          ],
        },
        {
          role: 'user',
          content: [
            { toolResult: { toolUseId: 'tooluse_kZJMlvQmRJ6eAyJE5GIl7Q', content: [{ text: 'Elemental Hotel' }] } },
            { toolResult: { toolUseId: 'tooluse_rW2Dp9eVQ0yQy1Yhq4wT8A', content: [{ text: 'Sky Pilot' }] } },
          ],
        },
      ],
      toolConfig: { tools: [{ toolSpec: { name: 'top_song' } }] },
    });
  });

  it('sends images as bytes with their format', async () => {
    const png = Buffer.from('89504e470d0a1a0a0000000d49484452', 'hex');
    await e2e.client.chat.completions.create({
      model: MODEL,
      messages: [
        {
          role: 'user',
          content: [
            { type: 'text', text: 'What is in this image?' },
            { type: 'image_url', image_url: { url: `data:image/png;base64,${png.toString('base64')}` } },
          ],
        },
      ],
    });
    expect(e2e.sim.lastRequest?.body).toMatchObject({
      messages: [
        {
          content: [
            { text: 'What is in this image?' },
            { image: { format: 'png', source: { bytes: png.toString('base64') } } },
          ],
        },
      ],
    });
  });

  it('answers json_schema through a forced tool, as JSON content with finish reason stop', async () => {
    e2e.sim.script(
      converse({
        output: {
          message: {
            role: 'assistant',
            content: [{ toolUse: { toolUseId: 'tooluse_json', name: 'json_response', input: { colour: 'teal' } } }],
          },
        },
        stopReason: 'tool_use',
        usage: { inputTokens: 50, outputTokens: 12, totalTokens: 62 },
      }),
    );
    const data = await e2e.client.chat.completions.create({
      model: MODEL,
      messages: user('Pick a colour.'),
      response_format: {
        type: 'json_schema',
        json_schema: { name: 'colour', schema: { type: 'object', properties: { colour: { type: 'string' } } } },
      },
    });
    expect(JSON.parse(data.choices[0]?.message.content ?? '')).toEqual({ colour: 'teal' });
    expect(data.choices[0]?.finish_reason).toBe('stop');
    expect(e2e.sim.lastRequest?.body).toMatchObject({
      toolConfig: { toolChoice: { tool: { name: 'json_response' } } },
    });
  });

  it.each([
    ['end_turn', 'stop'],
    ['stop_sequence', 'stop'],
    ['max_tokens', 'length'],
    ['tool_use', 'tool_calls'],
    ['guardrail_intervened', 'content_filter'],
    ['content_filtered', 'content_filter'],
  ])('maps stop reason %s to finish_reason %s', async (stopReason, finishReason) => {
    e2e.sim.script(converseText('x', { stopReason }));
    const data = await e2e.client.chat.completions.create({ model: MODEL, messages: user('hi') });
    expect(data.choices[0]?.finish_reason).toBe(finishReason);
  });

  it('answers 400 naming the field for what the model family cannot take, without calling Bedrock', async () => {
    const error = await failure(
      e2e.client.chat.completions.create({
        model: 'bedrock/amazon.titan-text-express-v1',
        messages: user('hi'),
        tools: [topSong],
      }),
    );
    expect(error).toMatchObject({ status: 400, param: 'tools' });
    expect(e2e.sim.requests).toHaveLength(0);
  });
});

describe('credentials', () => {
  it('sends a Bedrock API key as a bearer token', async () => {
    const other = await e2e.gateway.project('bedrock-api-key');
    await e2e.gateway.putProvider(other.projectId, 'bedrock', {
      region: 'us-west-2',
      api_key: API_KEY,
      endpoint: e2e.sim.url,
    });
    e2e.sim.expectAuth = 'bearer';
    await e2e.gateway.client(other.key).chat.completions.create({ model: MODEL, messages: user('hi') });
    expect(e2e.sim.lastRequest?.headers.authorization).toBe(`Bearer ${API_KEY}`);
  });

  it('uses the default AWS credential chain when the credential has no keys', async () => {
    const other = await e2e.gateway.project('bedrock-role');
    await e2e.gateway.putProvider(other.projectId, 'bedrock', { region: 'eu-central-1', endpoint: e2e.sim.url });
    e2e.sim.expectAuth = 'sigv4';
    const restore = setEnv({
      AWS_ACCESS_KEY_ID: 'AKIDFROMTHEROLE00001',
      AWS_SECRET_ACCESS_KEY: 'role-secret',
      AWS_SESSION_TOKEN: 'role-session-token',
      AWS_PROFILE: undefined,
    });
    try {
      await e2e.gateway.client(other.key).chat.completions.create({ model: MODEL, messages: user('hi') });
    } finally {
      restore();
    }
    expect(parseAuthorization(e2e.sim.lastRequest?.headers.authorization)).toMatchObject({
      scheme: 'sigv4',
      accessKeyId: 'AKIDFROMTHEROLE00001',
      region: 'eu-central-1',
    });
    expect(e2e.sim.lastRequest?.headers['x-amz-security-token']).toBe('role-session-token');
  });

  it('answers 400 naming the missing half of a key pair when the credential is stored', async () => {
    const response = await e2e.gateway.admin('PUT', `/admin/projects/${e2e.projectId}/providers/bedrock`, {
      region: 'us-east-1',
      access_key_id: AKID,
    });
    expect(response.status).toBe(400);
    expect(response.body).toMatchObject({ error: { param: 'secret_access_key' } });
  });

  it('never shows the keys in responses or logs', async () => {
    e2e.sim.script(
      bedrockError(403, 'UnrecognizedClientException', 'The security token included in the request is invalid.'),
    );
    const error = await failure(e2e.client.chat.completions.create({ model: MODEL, messages: user('hi') }));
    expect(error).toMatchObject({ status: 502, code: 'provider_auth_failed' });
    const listed = await e2e.gateway.admin('GET', `/admin/projects/${e2e.projectId}/providers`);
    const seen = [JSON.stringify(error.error), error.message, listed.text, e2e.logged.join('')].join('\n');
    expect(e2e.logged.length).toBeGreaterThan(0);
    for (const secret of [AKID, SECRET, API_KEY]) expect(seen).not.toContain(secret);
  });
});
