/**
 * CONTRACT.md, point by point, as an outside client sees it: raw HTTP for status codes, headers, the error envelope
 * and SSE framing; the official openai SDK where the contract names it (fallbacks via extra body, mid-stream errors).
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { errorReply as anthropicError, startAnthropicSimulator } from '../../simulators/anthropic.js';
import type { Simulator } from '../../simulators/base.js';
import { errorReply, startOpenAISimulator, streamErrorReply } from '../../simulators/openai.js';
import { setEnv, startTestGateway, type TestGateway } from '../helpers/local-gateway.js';

let gateway: TestGateway;
let openaiSim: Simulator;
let anthropicSim: Simulator;
let projectId: string;
let key: string;
let restoreEnv: () => void;

beforeAll(async () => {
  restoreEnv = setEnv({
    OPENAI_API_KEY: undefined,
    VLLORA_OPENAI_API_KEY: undefined,
    ANTHROPIC_API_KEY: undefined,
    VLLORA_ANTHROPIC_API_KEY: undefined,
    GEMINI_API_KEY: undefined,
    GOOGLE_API_KEY: undefined,
    VLLORA_GEMINI_API_KEY: undefined,
    GATEWAY_RETRY_BACKOFF_MS: '1',
  });
  openaiSim = await startOpenAISimulator();
  anthropicSim = await startAnthropicSimulator();
  gateway = await startTestGateway();
  ({ projectId, key } = await gateway.project('contract'));
});

afterAll(async () => {
  await gateway?.close();
  await openaiSim?.close();
  await anthropicSim?.close();
  restoreEnv?.();
});

const user = [{ role: 'user', content: 'hi' }];
const chat = (body: unknown, bearer = key) =>
  fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${bearer}`, 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
type Envelope = { error: { message: string; type: string; param: string | null; code: string | null } };
const envelope = async (response: Response) => (await response.json()) as Envelope;

describe('data plane before any provider is configured', () => {
  it('answers 401 without a key, 400 invalid_json, 404 model_not_found, all in the envelope with x-request-id', async () => {
    const missing = await fetch(`${gateway.url}/v1/chat/completions`, { method: 'POST', body: '{}' });
    expect(missing.status).toBe(401);
    expect(missing.headers.get('x-request-id')).toBeTruthy();
    expect(Object.keys((await envelope(missing)).error).sort()).toEqual(['code', 'message', 'param', 'type']);

    const notJson = await chat('{nope');
    expect(notJson.status).toBe(400);
    expect((await envelope(notJson)).error.code).toBe('invalid_json');

    const unknown = await chat({ model: 'no-such-model', messages: user });
    expect(unknown.status).toBe(404);
    expect(unknown.headers.get('x-request-id')).toBeTruthy();
    expect((await envelope(unknown)).error).toMatchObject({ code: 'model_not_found', param: 'model' });

    const invalid = await chat({ model: 'openai/gpt-4o-mini', messages: user, temperature: 'hot' });
    expect(invalid.status).toBe(400);
    expect((await envelope(invalid)).error.param).toBe('temperature');
  });

  it('answers 400 provider_not_configured naming the provider, for provider/model and bare names', async () => {
    for (const [model, provider] of [
      ['openai/gpt-4o-mini', 'openai'],
      ['claude-haiku-4-5', 'anthropic'],
      ['gemini-2.0-flash', 'gemini'],
    ]) {
      const response = await chat({ model, messages: user });
      expect(response.status).toBe(400);
      expect(response.headers.get('x-gateway-provider')).toBe(provider);
      const { error } = await envelope(response);
      expect(error.code).toBe('provider_not_configured');
      expect(error.message).toContain(provider);
    }
  });
});

describe('admin API', () => {
  it('validates bodies naming the field and answers 404 for unknown projects, keys and providers', async () => {
    expect((await gateway.admin('POST', '/admin/projects', {})).body).toMatchObject({ error: { param: 'name' } });
    expect((await gateway.admin('GET', '/admin/projects/proj_none')).status).toBe(404);
    expect((await gateway.admin('GET', '/admin/projects/proj_none/keys')).status).toBe(404);
    expect((await gateway.admin('DELETE', `/admin/projects/${projectId}/keys/key_none`)).status).toBe(404);
    expect((await gateway.admin('DELETE', `/admin/projects/${projectId}/providers/none`)).status).toBe(404);
    const bad = await gateway.admin('POST', `/admin/projects/${projectId}/keys`, { expires_at: 'tomorrow' });
    expect(bad.body).toMatchObject({ error: { param: 'expires_at' } });
    for (const [provider, body, field] of [
      ['openai', {}, 'api_key'],
      ['azure', { api_key: 'a' }, 'endpoint'],
      ['vertex-ai', { project_id: 'p' }, 'location'],
      ['bedrock', {}, 'region'],
      ['acme', { type: 'openai-compatible' }, 'base_url'],
    ] as const) {
      const response = await gateway.admin('PUT', `/admin/projects/${projectId}/providers/${provider}`, body);
      expect(response.status).toBe(400);
      expect(response.body).toMatchObject({ error: { param: field } });
    }
    const limit = await gateway.admin('GET', `/admin/projects/${projectId}/requests?limit=1001`);
    expect(limit.body).toMatchObject({ error: { param: 'limit' } });
    const groupBy = await gateway.admin('GET', `/admin/projects/${projectId}/usage?group_by=color`);
    expect(groupBy.body).toMatchObject({ error: { param: 'group_by' } });
  });

  it('makes projects and keys with the contract fields; lists use {data} and never hold the secret', async () => {
    const project = await gateway.admin('POST', '/admin/projects', { name: 'fields' });
    expect(project.status).toBe(201);
    expect(Object.keys(project.body).sort()).toEqual(['created_at', 'id', 'name']);
    const listed = await gateway.admin<{ data: { id: string }[] }>('GET', '/admin/projects');
    expect(listed.body.data.map((p) => p.id)).toContain(project.body.id);
    const made = await gateway.admin<Record<string, unknown> & { key: string }>(
      'POST',
      `/admin/projects/${project.body.id}/keys`,
      { name: 'k', rpm: 60, budget_usd: 5, expires_at: '2099-01-01T00:00:00Z' },
    );
    expect(made.status).toBe(201);
    for (const field of ['id', 'key', 'prefix', 'name', 'created_at', 'expires_at', 'budget_usd', 'rpm'])
      expect(made.body).toHaveProperty(field);
    expect(made.body.prefix).toBe(made.body.key.slice(0, 8));
    const keys = await gateway.admin<{ data: Record<string, unknown>[] }>(
      'GET',
      `/admin/projects/${project.body.id}/keys`,
    );
    expect(keys.text).not.toContain(made.body.key);
    expect(keys.body.data[0]).toHaveProperty('last_used_at');
    expect(keys.body.data[0]?.prefix).toBe(made.body.prefix);
  });

  it('stores credentials without ever echoing them', async () => {
    const put = await gateway.admin('PUT', `/admin/projects/${projectId}/providers/openai`, {
      api_key: 'sk-SECRET-openai',
      base_url: `${openaiSim.url}/v1`,
    });
    expect(put.status).toBe(200);
    expect(put.body).toMatchObject({ provider: 'openai', configured: true });
    expect(put.body).toHaveProperty('updated_at');
    await gateway.putProvider(projectId, 'anthropic', { api_key: 'SECRET-anthropic', base_url: anthropicSim.url });
    await gateway.putProvider(projectId, 'acme', {
      type: 'openai-compatible',
      base_url: `${openaiSim.url}/v1`,
      api_key: 'SECRET-acme',
      models: [{ id: 'llama-3', input_per_million: 1, output_per_million: 2 }, { id: 'free' }],
    });
    const list = await gateway.admin<{ data: { provider: string; type: string }[] }>(
      'GET',
      `/admin/projects/${projectId}/providers`,
    );
    expect(list.text).not.toContain('SECRET');
    expect(list.body.data.find((p) => p.provider === 'acme')).toMatchObject({ type: 'openai-compatible' });
  });
});

describe('chat responses', () => {
  it('echoes the model as written, with x-request-id, x-gateway-provider and a decimal x-gateway-cost-usd', async () => {
    for (const model of ['openai/gpt-4o-mini', 'gpt-4o-mini']) {
      const response = await chat({ model, messages: user });
      expect(response.status).toBe(200);
      expect(response.headers.get('x-request-id')).toBeTruthy();
      expect(response.headers.get('x-gateway-provider')).toBe('openai');
      expect(response.headers.get('x-gateway-cost-usd')).toMatch(/^\d+(\.\d+)?$/);
      const body = (await response.json()) as { object: string; model: string; usage: Record<string, unknown> };
      expect(body).toMatchObject({ object: 'chat.completion', model });
      expect(body.usage).toHaveProperty('total_tokens');
      expect(openaiSim.lastRequest?.body).toMatchObject({ model: 'gpt-4o-mini' });
    }
  });

  it('routes custom providers, omits the cost header when unpriced, and lists their models in /v1/models', async () => {
    const priced = await chat({ model: 'acme/llama-3', messages: user });
    expect(priced.headers.get('x-gateway-provider')).toBe('acme');
    expect(priced.headers.get('x-gateway-cost-usd')).toBeTruthy();
    expect(openaiSim.lastRequest?.headers.authorization).toBe('Bearer SECRET-acme');
    const free = await chat({ model: 'acme/free', messages: user });
    expect(free.status).toBe(200);
    expect(free.headers.get('x-gateway-cost-usd')).toBeNull();
    const models = await gateway.client(key).models.list();
    const ids = models.data.map((m) => m.id);
    expect(ids).toEqual(expect.arrayContaining(['acme/llama-3', 'acme/free', 'openai/gpt-4o-mini']));
    expect(models.data[0]).toMatchObject({ object: 'model' });
  });

  it('streams data: lines ending in [DONE], with the empty-choices usage chunk only when asked', async () => {
    const plain = await (await chat({ model: 'openai/gpt-4o-mini', messages: user, stream: true })).text();
    const plainEvents = plain.split('\n\n').filter(Boolean);
    expect(plainEvents.every((e) => e.startsWith('data: '))).toBe(true);
    expect(plainEvents.at(-1)).toBe('data: [DONE]');
    expect(plain).not.toContain('"choices":[]');
    const withUsage = await chat({
      model: 'openai/gpt-4o-mini',
      messages: user,
      stream: true,
      stream_options: { include_usage: true },
    });
    const events = (await withUsage.text()).split('\n\n').filter(Boolean);
    expect(events.at(-1)).toBe('data: [DONE]');
    const last = JSON.parse(events.at(-2)!.slice(6)) as { choices: unknown[]; usage: unknown; model: string };
    expect(last).toMatchObject({ choices: [], model: 'openai/gpt-4o-mini' });
    expect(last.usage).toHaveProperty('prompt_tokens');
  });

  it('ends a stream that fails after it started with an error event and no [DONE]; the SDK raises it', async () => {
    openaiSim.script(streamErrorReply({ code: 'server_error' }));
    const text = await (await chat({ model: 'openai/gpt-4o-mini', messages: user, stream: true })).text();
    const events = text.split('\n\n').filter(Boolean);
    expect(text).not.toContain('[DONE]');
    expect(JSON.parse(events.at(-1)!.slice(6))).toMatchObject({ error: { type: 'upstream_error' } });

    openaiSim.script(streamErrorReply());
    const stream = await gateway.client(key).chat.completions.create({
      model: 'openai/gpt-4o-mini',
      messages: [{ role: 'user', content: 'x' }],
      stream: true,
    });
    const consume = async () => {
      for await (const _ of stream) void _;
    };
    await expect(consume()).rejects.toBeInstanceOf(OpenAI.APIError);
  });
});

describe('upstream failures', () => {
  it('retries a 429 twice, then answers 429 passing retry-after on', async () => {
    const before = openaiSim.requests.length;
    openaiSim.script(
      errorReply(429, {}, { retryAfter: 0 }),
      errorReply(429, {}, { retryAfter: 0 }),
      errorReply(429, {}, { retryAfter: 7 }),
    );
    const response = await chat({ model: 'openai/gpt-4o-mini', messages: user });
    expect(response.status).toBe(429);
    expect(response.headers.get('retry-after')).toBe('7');
    expect(response.headers.get('x-gateway-provider')).toBe('openai');
    expect(openaiSim.requests.length - before).toBe(3);
  });

  it('maps 400, 401, 404 and Anthropic 529 to 400, 502 provider_auth_failed, 404 and 503', async () => {
    openaiSim.script(errorReply(400, { message: 'upstream says no' }));
    const bad = await chat({ model: 'openai/gpt-4o-mini', messages: user });
    expect(bad.status).toBe(400);
    expect((await envelope(bad)).error.message).toContain('upstream says no');

    openaiSim.script(errorReply(401, { message: 'Incorrect API key provided: sk-SECRET-openai' }));
    const auth = await chat({ model: 'openai/gpt-4o-mini', messages: user });
    expect(auth.status).toBe(502);
    const authText = await auth.text();
    expect(JSON.parse(authText)).toMatchObject({ error: { code: 'provider_auth_failed' } });
    expect(authText).not.toContain('SECRET');

    openaiSim.script(errorReply(404, { code: 'model_not_found' }));
    const missing = await chat({ model: 'openai/gpt-4o-mini', messages: user });
    expect(missing.status).toBe(404);
    expect((await envelope(missing)).error.code).toBe('model_not_found');

    const overloaded = anthropicError(529, 'overloaded_error', 'Overloaded');
    (anthropicSim as Simulator).script(overloaded, overloaded, overloaded);
    const busy = await chat({ model: 'anthropic/claude-haiku-4-5', messages: user });
    expect(busy.status).toBe(503);
    expect(busy.headers.get('x-gateway-provider')).toBe('anthropic');
  });

  it('falls back through `models` (extra body) and names the provider that answered', async () => {
    openaiSim.script(errorReply(503), errorReply(503), errorReply(503));
    const { data, response } = await gateway
      .client(key)
      .chat.completions.create({
        model: 'openai/gpt-4o-mini',
        messages: [{ role: 'user', content: 'x' }],
        // @ts-expect-error the gateway's `models` extension, sent as extra body
        models: ['anthropic/claude-haiku-4-5'],
      })
      .withResponse();
    expect(data.model).toBe('anthropic/claude-haiku-4-5');
    expect(response.headers.get('x-gateway-provider')).toBe('anthropic');
  });
});

describe('key limits and revocation', () => {
  it('answers 429 rate_limit_exceeded with retry-after past rpm, and 401 once the key is revoked', async () => {
    const made = await gateway.admin<{ id: string; key: string }>('POST', `/admin/projects/${projectId}/keys`, {
      rpm: 1,
    });
    expect((await chat({ model: 'acme/free', messages: user }, made.body.key)).status).toBe(200);
    // Three more, so a minute boundary between two of them still leaves one over the limit.
    const answers = [];
    for (let i = 0; i < 3; i++) answers.push(await chat({ model: 'acme/free', messages: user }, made.body.key));
    const limited = answers.find((answer) => answer.status === 429);
    if (!limited) throw new Error(`no 429 in ${answers.map((a) => a.status)}`);
    expect(limited.headers.get('retry-after')).toMatch(/^\d+$/);
    expect((await envelope(limited)).error.code).toBe('rate_limit_exceeded');
    await gateway.admin('DELETE', `/admin/projects/${projectId}/keys/${made.body.id}`);
    expect((await chat({ model: 'acme/free', messages: user }, made.body.key)).status).toBe(401);
  });
});
