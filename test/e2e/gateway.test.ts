/**
 * The data plane's own behaviour end to end: auth, validation, routing, Azure and custom providers, fallbacks,
 * timeouts, `/v1/models`, key limits and the usage rows, through the local server with the official openai SDK.
 */
import OpenAI from 'openai';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { Gate, type Simulator } from '../../simulators/base.js';
import { errorReply, startOpenAISimulator, textReply } from '../../simulators/openai.js';
import { type ApiError, failure, setEnv, startTestGateway, type TestGateway, user } from '../helpers/local-gateway.js';
import { ManualClock } from '../helpers/manual-clock.js';

// Timeouts run on a clock the tests move by hand: a 1.5 s first-byte timeout takes no 1.5 s.
const FIRST_BYTE_TIMEOUT_MS = 1_500;
const IDLE_TIMEOUT_MS = 1_000;
const clock = new ManualClock();
let gateway: TestGateway;
let sim: Simulator;
let client: OpenAI;
let key: string;
let projectId: string;
let restoreEnv: () => void;

beforeAll(async () => {
  restoreEnv = setEnv({
    OPENAI_API_KEY: undefined,
    VLLORA_OPENAI_API_KEY: undefined,
    ANTHROPIC_API_KEY: undefined,
    GATEWAY_FIRST_BYTE_TIMEOUT_MS: String(FIRST_BYTE_TIMEOUT_MS),
    GATEWAY_IDLE_TIMEOUT_MS: String(IDLE_TIMEOUT_MS),
    // No backoff: retries would otherwise wait on the hand-moved clock.
    GATEWAY_RETRY_BACKOFF_MS: '0',
  });
  sim = await startOpenAISimulator();
  gateway = await startTestGateway({ clock });
  ({ projectId, key } = await gateway.project('gateway-e2e'));
  await gateway.putProvider(projectId, 'acme', {
    type: 'openai-compatible',
    base_url: `${sim.url}/v1`,
    models: [{ id: 'llama-3', input_per_million: 1, output_per_million: 2 }],
  });
  await gateway.putProvider(projectId, 'azure', {
    api_key: 'azure-secret',
    endpoint: sim.url,
    api_version: '2024-10-21',
    deployments: { 'my-gpt4o': 'gpt-4o' },
  });
  client = gateway.client(key);
});

afterAll(async () => {
  await gateway?.close();
  await sim?.close();
  restoreEnv?.();
});

async function raw(path: string, init: RequestInit = {}): Promise<Response> {
  return fetch(`${gateway.url}${path}`, {
    ...init,
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json', ...init.headers },
  });
}

describe('authentication', () => {
  it('answers 401 in the envelope without a key, with a wrong key, and after a revoke', async () => {
    const missing = await fetch(`${gateway.url}/v1/models`);
    expect(missing.status).toBe(401);
    expect(missing.headers.get('x-request-id')).toMatch(/^req_/);
    expect(((await missing.json()) as { error: unknown }).error).toMatchObject({ type: 'authentication_error' });

    const wrong = await failure(gateway.client('gw-not-a-real-key').models.list());
    expect(wrong?.status).toBe(401);

    const made = await gateway.admin<{ id: string; key: string }>('POST', `/admin/projects/${projectId}/keys`, {});
    const temporary = gateway.client(made.body.key);
    expect((await temporary.models.list()).data.length).toBeGreaterThan(0);
    await gateway.admin('DELETE', `/admin/projects/${projectId}/keys/${made.body.id}`);
    expect((await failure(temporary.models.list()))?.status).toBe(401);
  });
});

describe('validation and routing', () => {
  it('answers invalid_json for a body that is not JSON', async () => {
    const response = await raw('/v1/chat/completions', { method: 'POST', body: '{"model":' });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('invalid_json');
  });

  it('names the field that is wrong', async () => {
    const error = await failure(
      client.chat.completions.create({
        model: 'acme/llama-3',
        messages: [{ role: 'user', content: 7 as unknown as string }],
      }),
    );
    expect(error?.status).toBe(400);
    expect(error?.param).toMatch(/^messages\[0\]\.content/);
  });

  it('refuses a body over 6 MiB with 413', async () => {
    const body = JSON.stringify({ model: 'acme/llama-3', messages: user('x'.repeat(6 * 1024 * 1024)) });
    const response = await raw('/v1/chat/completions', { method: 'POST', body });
    expect(response.status).toBe(413);
    expect(response.headers.get('x-request-id')).toMatch(/^req_/);
    expect(((await response.json()) as { error: { code: string } }).error.code).toBe('request_too_large');
  });

  it('answers 404 model_not_found for a model that resolves nowhere', async () => {
    const error = await failure(client.chat.completions.create({ model: 'nobody/knows', messages: user('x') }));
    expect(error?.status).toBe(404);
    expect(error?.code).toBe('model_not_found');
  });

  it('answers 400 provider_not_configured naming the provider', async () => {
    const error = await failure(client.chat.completions.create({ model: 'openai/gpt-4o-mini', messages: user('x') }));
    expect(error?.status).toBe(400);
    expect(error?.code).toBe('provider_not_configured');
    expect(error?.message).toContain('openai');
    expect(error?.headers?.get('x-gateway-provider')).toBe('openai');
  });

  it('lists catalog models and the project custom models as provider/model', async () => {
    const ids = (await client.models.list()).data.map((model) => model.id);
    expect(ids).toContain('openai/gpt-4o-mini');
    expect(ids).toContain('acme/llama-3');
  });
});

describe('providers', () => {
  it('serves a custom provider as name/model, without an Authorization header when it has no key', async () => {
    sim.script(textReply('from acme', { usage: { prompt_tokens: 1000, completion_tokens: 500 } }));
    const { data, response } = await client.chat.completions
      .create({ model: 'acme/llama-3', messages: user('hi') })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe('from acme');
    expect(response.headers.get('x-gateway-provider')).toBe('acme');
    expect(response.headers.get('x-gateway-cost-usd')).toBe('0.002');
    expect(sim.lastRequest!.body).toMatchObject({ model: 'llama-3' });
    expect(sim.lastRequest!.headers.authorization).toBeUndefined();
  });

  it('serves azure/<deployment> on the deployment path with the api-key header', async () => {
    sim.script(textReply('from azure', { usage: { prompt_tokens: 1000, completion_tokens: 100 } }));
    const { data, response } = await client.chat.completions
      .create({ model: 'azure/my-gpt4o', messages: user('hi') })
      .withResponse();
    expect(data.choices[0]?.message.content).toBe('from azure');
    // Priced as the gpt-4o it deploys: 1000 × 2.5 + 100 × 10 per million.
    expect(response.headers.get('x-gateway-cost-usd')).toBe('0.0035');
    expect(sim.lastRequest!.path).toBe('/openai/deployments/my-gpt4o/chat/completions');
    expect(sim.lastRequest!.query.get('api-version')).toBe('2024-10-21');
    expect(sim.lastRequest!.headers['api-key']).toBe('azure-secret');
  });
});

describe('fallbacks and timeouts', () => {
  it('falls back to the next of models on a 5xx, naming the one that answered', async () => {
    sim.script(...Array.from({ length: 3 }, () => errorReply(500, { message: 'down' })), textReply('from backup'));
    const { data, response } = await client.chat.completions
      .create({ model: 'azure/primary', messages: user('x'), models: ['acme/llama-3'] } as never)
      .withResponse();
    expect((data as OpenAI.ChatCompletion).choices[0]?.message.content).toBe('from backup');
    expect((data as OpenAI.ChatCompletion).model).toBe('acme/llama-3');
    expect(response.headers.get('x-gateway-provider')).toBe('acme');
  });

  it('moves on after a first-byte timeout without retrying the slow provider', async () => {
    const before = sim.requests.length;
    const held = new Gate();
    sim.script(textReply('too late', { beforeHead: () => held.wait() }), textReply('in time'));
    const opening = client.chat.completions.create({
      model: 'azure/slow',
      messages: user('x'),
      stream: true,
      models: ['acme/llama-3'],
    } as never);
    await clock.waitForTimer(FIRST_BYTE_TIMEOUT_MS);
    clock.advance(FIRST_BYTE_TIMEOUT_MS);
    let text = '';
    for await (const chunk of (await opening) as unknown as AsyncIterable<OpenAI.ChatCompletionChunk>) {
      text += chunk.choices[0]?.delta.content ?? '';
    }
    held.open();
    expect(text).toBe('in time');
    expect(sim.requests.length - before).toBe(2);
  });

  it('ends a stream whose provider goes quiet with an upstream_timeout error event', async () => {
    const gate = new Gate();
    gate.open(); // lets 'first ' through; the simulator then holds the rest back until the end of the test
    sim.script(textReply(['first ', 'late'], { gate }));
    const stream = await client.chat.completions.create({ model: 'acme/llama-3', messages: user('x'), stream: true });
    let text = '';
    let sawFirst: () => void = () => {};
    const first = new Promise<void>((resolve) => {
      sawFirst = resolve;
    });
    const reading = (async () => {
      for await (const chunk of stream) {
        text += chunk.choices[0]?.delta.content ?? '';
        if (text) sawFirst();
      }
    })().then(
      () => undefined,
      (e: unknown) => e as ApiError,
    );
    await first;
    await clock.waitForTimer(IDLE_TIMEOUT_MS);
    clock.advance(IDLE_TIMEOUT_MS);
    const error = await reading;
    for (let i = 0; i < 5; i++) gate.open();
    expect(text).toBe('first ');
    expect(error).toBeInstanceOf(OpenAI.APIError);
    expect((error?.error as { code?: string } | undefined)?.code).toBe('upstream_timeout');
  });

  it('answers 504 when the only model does not answer in time', async () => {
    const held = new Gate();
    sim.script(textReply('too late', { beforeHead: () => held.wait() }));
    const answer = failure(client.chat.completions.create({ model: 'acme/llama-3', messages: user('x') }));
    await clock.waitForTimer(FIRST_BYTE_TIMEOUT_MS);
    clock.advance(FIRST_BYTE_TIMEOUT_MS);
    const error = await answer;
    held.open();
    expect(error?.status).toBe(504);
    expect(error?.code).toBe('upstream_timeout');
  });
});

describe('accounting seen right after the answer', () => {
  it('lists the row of a request as soon as its answer has ended', async () => {
    sim.script(textReply('counted'));
    const { response } = await client.chat.completions
      .create({ model: 'acme/llama-3', messages: user('x') })
      .withResponse();
    const id = response.headers.get('x-request-id');
    const listing = await gateway.admin<{ data: { id: string }[] }>(
      'GET',
      `/admin/projects/${projectId}/requests?limit=5`,
    );
    expect(listing.body.data.map((row) => row.id)).toContain(id);
  });

  it('refuses the very next request once the budget is spent, without waiting', async () => {
    const made = await gateway.admin<{ key: string }>('POST', `/admin/projects/${projectId}/keys`, {
      budget_usd: 0.00005,
    });
    const budgeted = gateway.client(made.body.key);
    // Each request reserves its worst case, a few input tokens and 10 output tokens (~25 µUSD), and costs 30 µUSD:
    // the first fits the 50 µUSD budget, and after it the second's reservation no longer does.
    sim.script(textReply('first', { usage: { prompt_tokens: 10, completion_tokens: 10 } }));
    await budgeted.chat.completions.create({ model: 'acme/llama-3', messages: user('x'), max_tokens: 10 });
    const error = await failure(
      budgeted.chat.completions.create({ model: 'acme/llama-3', messages: user('x'), max_tokens: 10 }),
    );
    expect(error?.status).toBe(403);
    expect(error?.code).toBe('budget_exceeded');
  });
});
