/**
 * Key scopes (CONTRACT.md §5) through the local server: a key with `models` patterns calls only those models, on
 * every endpoint and for every fallback (403 `model_not_allowed` naming the field), and `/v1/models` lists only them.
 */
import Anthropic from '@anthropic-ai/sdk';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { Simulator } from '../../simulators/base.js';
import { startOpenAISimulator, textReply } from '../../simulators/openai.js';
import { setEnv, startTestGateway, type TestGateway } from '../helpers/local-gateway.js';

let gateway: TestGateway;
let sim: Simulator;
let projectId: string;
let scoped: string;
let restoreEnv: () => void;

beforeAll(async () => {
  restoreEnv = setEnv({ OPENAI_API_KEY: undefined, VLLORA_OPENAI_API_KEY: undefined });
  sim = await startOpenAISimulator();
  gateway = await startTestGateway();
  ({ projectId } = await gateway.project('scopes'));
  await gateway.putProvider(projectId, 'acme', {
    type: 'openai-compatible',
    base_url: `${sim.url}/v1`,
    models: [{ id: 'acme-large' }, { id: 'acme-small' }],
  });
  await gateway.putProvider(projectId, 'openai', { api_key: 'sk-sim-0000', base_url: `${sim.url}/v1` });
  const created = await gateway.admin<{ key: string; models: string[] }>('POST', `/admin/projects/${projectId}/keys`, {
    name: 'scoped',
    models: ['acme/*', 'openai/gpt-4o-mini'],
  });
  expect(created.status).toBe(201);
  expect(created.body.models).toEqual(['acme/*', 'openai/gpt-4o-mini']);
  scoped = created.body.key;
});

afterAll(async () => {
  await gateway?.close();
  await sim?.close();
  restoreEnv?.();
});

describe('a key with a scope', () => {
  it('calls the models its patterns match, bare names checked as provider/model', async () => {
    const client = gateway.client(scoped);
    sim.script(textReply('in scope'), textReply('bare name in scope'));
    await expect(
      client.chat.completions.create({ model: 'acme/acme-large', messages: [{ role: 'user', content: 'x' }] }),
    ).resolves.toMatchObject({ choices: [{ message: { content: 'in scope' } }] });
    await expect(
      client.chat.completions.create({ model: 'gpt-4o-mini', messages: [{ role: 'user', content: 'x' }] }),
    ).resolves.toMatchObject({ choices: [{ message: { content: 'bare name in scope' } }] });
  });

  it('gets 403 model_not_allowed for a model or a fallback outside it, before any upstream call', async () => {
    sim.reset();
    const client = gateway.client(scoped);
    await expect(
      client.chat.completions.create({ model: 'openai/gpt-4o', messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toMatchObject({ status: 403, code: 'model_not_allowed', param: 'model' });
    const withFallback = {
      model: 'acme/acme-large',
      messages: [{ role: 'user' as const, content: 'x' }],
      models: ['acme/acme-small', 'openai/gpt-4o'],
    };
    await expect(client.chat.completions.create(withFallback)).rejects.toMatchObject({
      status: 403,
      code: 'model_not_allowed',
      param: 'models[1]',
    });
    expect(sim.requests).toHaveLength(0);
  });

  it('is enforced on /v1/messages and /v1/responses too', async () => {
    const anthropic = new Anthropic({ baseURL: gateway.url, apiKey: scoped, maxRetries: 0 });
    await expect(
      anthropic.messages.create({ model: 'openai/gpt-4o', max_tokens: 8, messages: [{ role: 'user', content: 'x' }] }),
    ).rejects.toBeInstanceOf(Anthropic.PermissionDeniedError);
    await expect(gateway.client(scoped).responses.create({ model: 'openai/o3', input: 'x' })).rejects.toMatchObject({
      status: 403,
      code: 'model_not_allowed',
    });
  });

  it('lists only the models it may use', async () => {
    const ids = (await gateway.client(scoped).models.list()).data.map((model) => model.id);
    expect(ids).toContain('acme/acme-large');
    expect(ids).toContain('openai/gpt-4o-mini');
    expect(ids.every((id) => id.startsWith('acme/') || id === 'openai/gpt-4o-mini')).toBe(true);
    await expect(gateway.client(scoped).models.retrieve('openai/gpt-4o')).rejects.toMatchObject({ status: 404 });
  });

  it('refuses a pattern that is not a model pattern', async () => {
    const refused = await gateway.admin('POST', `/admin/projects/${projectId}/keys`, { models: ['openai/(a|b)+'] });
    expect(refused.status).toBe(400);
    expect(refused.body).toMatchObject({ error: { param: expect.stringMatching(/^models/) } });
  });
});

describe('changing a key', () => {
  it('takes effect on the next request: a scope widened by PATCH', async () => {
    const created = await gateway.admin<{ id: string; key: string }>('POST', `/admin/projects/${projectId}/keys`, {
      models: ['acme/acme-small'],
    });
    const client = gateway.client(created.body.key);
    const ask = () =>
      client.chat.completions.create({ model: 'acme/acme-large', messages: [{ role: 'user', content: 'x' }] });
    await expect(ask()).rejects.toMatchObject({ status: 403, code: 'model_not_allowed' });
    const patched = await gateway.admin('PATCH', `/admin/projects/${projectId}/keys/${created.body.id}`, {
      models: ['acme/*'],
    });
    expect(patched.status).toBe(200);
    sim.script(textReply('now allowed'));
    await expect(ask()).resolves.toMatchObject({ choices: [{ message: { content: 'now allowed' } }] });
    const cleared = await gateway.admin('PATCH', `/admin/projects/${projectId}/keys/${created.body.id}`, {
      models: null,
    });
    expect(cleared.body).toMatchObject({ models: null });
  });
});
