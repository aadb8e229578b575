import { readdir, readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStorage, type TestStorage } from '../storage/helpers.js';
import { adminClient, expectError } from './helpers.js';

let storage: TestStorage;
let api: ReturnType<typeof adminClient>;
let project: string;

/** Every secret value PUT in this file; no admin answer may ever contain one. */
const SECRETS = {
  openai: 'sk-openai-4b1d9e77',
  azure: 'azure-key-c0ffee42',
  groq: 'gsk_groq_5eed1e55',
  acme: 'acme-key-0dd5a1e7',
  acmeHeader: 'hdr-secret-7a11c0de',
  acmeUser: 'basic-user-pw-31337',
  bedrockSecret: 'bedrock-secret-ACCESS-9f8e7d',
  bedrockSession: 'bedrock-session-1a2b3c',
  anthropic: 'sk-ant-api03-feedface',
  gemini: 'AIza-gemini-0badc0de',
  vertexKey: '-----BEGIN PRIVATE KEY-----\nvertex-pk-5ca1ab1e\n-----END PRIVATE KEY-----\n',
} as const;

beforeAll(async () => {
  storage = await startTestStorage();
  api = adminClient(storage.stores);
  project = (await api.call('POST', '/admin/projects', { name: 'providers' })).json.id;
});

afterAll(async () => {
  await storage.close();
});

const providerPath = (name: string) => `/admin/projects/${project}/providers/${name}`;

describe('PUT a provider credential', () => {
  it.each([
    ['openai', { api_key: SECRETS.openai, organization: 'org-1' }],
    ['azure', { api_key: SECRETS.azure, endpoint: 'https://my-resource.openai.azure.com' }],
    ['groq', { api_key: SECRETS.groq }],
    ['anthropic', { api_key: SECRETS.anthropic, base_url: 'https://api.anthropic.com' }],
    [
      'acme',
      {
        type: 'openai-compatible',
        base_url: `https://u:${SECRETS.acmeUser}@llm.acme.test/v1?token=${SECRETS.acme}#frag`,
        api_key: SECRETS.acme,
        headers: { 'x-acme-token': SECRETS.acmeHeader },
        models: [{ id: 'acme-large', input_per_million: 1, output_per_million: 2 }],
      },
    ],
    ['gemini', { api_key: SECRETS.gemini }],
    [
      'vertex-ai',
      {
        project_id: 'my-gcp-project',
        location: 'us-central1',
        service_account_json: {
          client_email: 'sa@my-gcp-project.iam.gserviceaccount.com',
          private_key: SECRETS.vertexKey,
        },
      },
    ],
    [
      'bedrock',
      {
        region: 'us-east-1',
        access_key_id: 'AKIATESTKEY',
        secret_access_key: SECRETS.bedrockSecret,
        session_token: SECRETS.bedrockSession,
      },
    ],
  ])('stores %s and answers {provider, configured, updated_at}', async (name, body) => {
    const reply = await api.call('PUT', providerPath(name), body);
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ provider: name, configured: true, updated_at: expect.any(String) });
    const stored = (await storage.stores.credentials.get(project))[name];
    expect(stored?.updated_at).toBe(reply.json.updated_at);
    expect(stored?.credential).toMatchObject(body);
  });

  it('replaces a credential on a second PUT', async () => {
    await api.call('PUT', providerPath('mistral'), { api_key: 'first-mistral-key' });
    await api.call('PUT', providerPath('mistral'), { api_key: 'second-mistral-key' });
    const stored = (await storage.stores.credentials.get(project)).mistral;
    expect(stored?.credential.api_key).toBe('second-mistral-key');
  });

  it.each([
    ['openai', {}, 'api_key'],
    ['openai', { api_key: 'k', base_url: 'not a url' }, 'base_url'],
    ['azure', { api_key: 'k' }, 'endpoint'],
    ['groq', { api_key: '' }, 'api_key'],
    ['acme', { type: 'openai-compatible', api_key: 'k' }, 'base_url'],
    ['acme', { base_url: 'https://llm.acme.test/v1' }, 'type'],
    [
      'acme',
      { type: 'openai-compatible', base_url: 'https://x.test/v1', models: [{ input_per_million: 1 }] },
      'models[0].id',
    ],
    ['bedrock', { region: 'us-east-1', access_key_id: 'AKIA' }, 'secret_access_key'],
    ['vertex-ai', { project_id: 'p', location: 'us-central1' }, 'service_account_json'],
    ['vertex-ai', { location: 'us-central1', access_token: 't' }, 'project_id'],
  ])('rejects a bad %s credential %j naming %s', async (name, body, param) => {
    const error = expectError(await api.call('PUT', providerPath(name), body), 400);
    expect(error.param).toBe(param);
    expect(error.type).toBe('invalid_request_error');
  });

  it('rejects a provider name outside [a-z0-9_-], naming provider', async () => {
    for (const name of ['Acme', 'a%20b', '-acme', 'x'.repeat(64), 'a.b']) {
      const error = expectError(await api.call('PUT', providerPath(name), { api_key: 'k' }), 400);
      expect(error.param).toBe('provider');
    }
  });

  it('answers 400 invalid_json for a body that is not JSON', async () => {
    const error = expectError(await api.call('PUT', providerPath('openai'), 'api_key=sk'), 400);
    expect(error.code).toBe('invalid_json');
  });

  it('answers 404 for an unknown project', async () => {
    const reply = await api.call('PUT', '/admin/projects/proj_000000000000000000000000/providers/openai', {
      api_key: 'k',
    });
    expect(expectError(reply, 404).code).toBe('project_not_found');
  });
});

describe('GET providers', () => {
  it('lists type, updated_at and a secret-free base_url, sorted by name', async () => {
    const reply = await api.call('GET', `/admin/projects/${project}/providers`);
    expect(reply.status).toBe(200);
    const byName = Object.fromEntries(reply.json.data.map((p: { provider: string }) => [p.provider, p]));
    expect(Object.keys(byName)).toEqual([
      'acme',
      'anthropic',
      'azure',
      'bedrock',
      'gemini',
      'groq',
      'mistral',
      'openai',
      'vertex-ai',
    ]);
    expect(byName.acme).toEqual({
      provider: 'acme',
      type: 'openai-compatible',
      updated_at: expect.any(String),
      base_url: 'https://llm.acme.test/v1',
    });
    expect(byName.azure.base_url).toBe('https://my-resource.openai.azure.com');
    expect(byName.anthropic.base_url).toBe('https://api.anthropic.com');
    expect(byName.openai).toEqual({ provider: 'openai', type: expect.any(String), updated_at: expect.any(String) });
    for (const entry of reply.json.data)
      expect(Object.keys(entry).sort()).toEqual(
        Object.keys(entry)
          .filter((k) => ['provider', 'type', 'updated_at', 'base_url'].includes(k))
          .sort(),
      );
  });

  it('lists nothing for a project without credentials, 404 for an unknown one', async () => {
    const empty = (await api.call('POST', '/admin/projects', { name: 'empty' })).json.id;
    expect((await api.call('GET', `/admin/projects/${empty}/providers`)).json).toEqual({ data: [] });
    expectError(await api.call('GET', '/admin/projects/proj_000000000000000000000000/providers'), 404);
  });
});

describe('DELETE a provider', () => {
  it('removes it with 200 {provider, deleted}, then 404 provider_not_found', async () => {
    const reply = await api.call('DELETE', providerPath('mistral'));
    expect(reply.status).toBe(200);
    expect(reply.json).toEqual({ provider: 'mistral', deleted: true });
    expect((await storage.stores.credentials.get(project)).mistral).toBeUndefined();

    const again = expectError(await api.call('DELETE', providerPath('mistral')), 404);
    expect(again.code).toBe('provider_not_found');
  });

  it('checks the name and the project', async () => {
    expect(expectError(await api.call('DELETE', providerPath('Bad!')), 400).param).toBe('provider');
    expectError(await api.call('DELETE', '/admin/projects/proj_000000000000000000000000/providers/openai'), 404);
  });
});

describe('secrecy', () => {
  it('never puts a stored secret in any admin answer', () => {
    expect(api.bodies.length).toBeGreaterThan(20);
    const all = api.bodies.join('\n');
    for (const secret of [...Object.values(SECRETS), 'second-mistral-key', 'vertex-pk-5ca1ab1e']) {
      expect(all).not.toContain(secret);
    }
  });

  it('keeps the secrets encrypted on disk', async () => {
    const dir = join(storage.dataDir, 'secrets');
    const files = await readdir(dir);
    expect(files).toContain(`${project}.json.enc`);
    const bytes = await readFile(join(dir, `${project}.json.enc`), 'latin1');
    for (const secret of [...Object.values(SECRETS), 'vertex-pk-5ca1ab1e']) expect(bytes).not.toContain(secret);
  });
});
