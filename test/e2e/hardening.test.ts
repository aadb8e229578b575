/**
 * CONTRACT.md §6 through the local server: hostile input is refused with a 400 that names the field, before any
 * upstream sees it, and the server stays up.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type RecordedRequest, type SimResponse, type Simulator, sendJson } from '../../simulators/base.js';
import { startOpenAISimulator, textReply } from '../../simulators/openai.js';
import { setEnv, startTestGateway, type TestGateway } from '../helpers/local-gateway.js';

let gateway: TestGateway;
let sim: Simulator;
let key: string;
let projectId: string;
let restoreEnv: () => void;

beforeAll(async () => {
  restoreEnv = setEnv({ OPENAI_API_KEY: undefined, VLLORA_OPENAI_API_KEY: undefined, GATEWAY_RETRY_BACKOFF_MS: '1' });
  sim = await startOpenAISimulator();
  gateway = await startTestGateway();
  ({ projectId, key } = await gateway.project('hardening'));
  await gateway.putProvider(projectId, 'azure', { api_key: 'azure-secret', endpoint: sim.url });
  await gateway.putProvider(projectId, 'acme', {
    type: 'openai-compatible',
    base_url: `${sim.url}/v1`,
    models: [{ id: 'llama-3' }],
  });
});

afterAll(async () => {
  await gateway?.close();
  await sim?.close();
  restoreEnv?.();
});

async function chat(body: unknown): Promise<{ status: number; json: { error?: Record<string, unknown> } }> {
  const response = await fetch(`${gateway.url}/v1/chat/completions`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: typeof body === 'string' ? body : JSON.stringify(body),
  });
  return { status: response.status, json: (await response.json()) as { error?: Record<string, unknown> } };
}

const hello = [{ role: 'user', content: 'hello' }];

describe('model names (§6)', () => {
  it.each([
    ['a path traversal into the Azure resource', 'azure/../../../openai/assistants?x='],
    ['a query', 'azure/my-deployment?api-version=1'],
    ['a fragment', 'acme/llama-3#x'],
    ['a percent-encoding', 'azure/%2e%2e%2fopenai'],
    ['a backslash', 'azure/..\\assistants'],
    ['whitespace', 'acme/llama 3'],
    ['a control character', 'acme/llama-3\u0000'],
    ['1,100 characters', `acme/${'x'.repeat(1_100)}`],
  ])('refuses %s with 400 naming model, before any upstream call', async (_label, model) => {
    sim.reset();
    const answer = await chat({ model, messages: hello });
    expect(answer.status).toBe(400);
    expect(answer.json.error).toMatchObject({ type: 'invalid_request_error', param: 'model' });
    expect(sim.requests).toHaveLength(0);
  });

  it('keeps an Azure deployment to one path segment: no slash, no colon', async () => {
    sim.reset();
    for (const model of ['azure/deployments/other', 'azure/prod:x']) {
      const answer = await chat({ model, messages: hello });
      expect(answer.status).toBe(400);
      expect(answer.json.error).toMatchObject({ param: 'model', code: 'invalid_model' });
    }
    expect(sim.requests).toHaveLength(0);
  });

  it('names the fallback that is refused', async () => {
    const answer = await chat({ model: 'acme/llama-3', models: ['acme/ok', 'azure/../x'], messages: hello });
    expect(answer.status).toBe(400);
    expect(answer.json.error).toMatchObject({ param: 'models[1]' });
  });

  it('refuses a 500 KB name with 400, and the server stays up', async () => {
    const answer = await chat({ model: 'm'.repeat(500_000), messages: hello });
    expect(answer.status).toBe(400);
    expect(answer.json.error).toMatchObject({ param: 'model' });
    sim.script(textReply('still here'));
    const after = await chat({ model: 'acme/llama-3', messages: hello });
    expect(after.status).toBe(200);
  });

  it('keeps names with slashes and colons: Bedrock ids, versions, namespaced models', async () => {
    sim.script(textReply('ok'));
    const answer = await chat({ model: 'acme/meta-llama/llama-4-scout:free', messages: hello });
    expect(answer.status).toBe(200);
    expect(sim.lastRequest?.body).toMatchObject({ model: 'meta-llama/llama-4-scout:free' });
  });
});

describe('nesting and images (§6)', () => {
  it('refuses a body nested 20,000 deep with 400, not a RangeError', async () => {
    const deep = `${'{"a":'.repeat(20_000)}1${'}'.repeat(20_000)}`;
    const answer = await chat(`{"model":"acme/llama-3","messages":[{"role":"user","content":"x"}],"x":${deep}}`);
    expect(answer.status).toBe(400);
    expect(answer.json.error).toMatchObject({ code: 'nesting_too_deep' });
  });

  it('refuses a tool schema nested 100,000 deep with 400, with no upstream call', async () => {
    sim.reset();
    const deep = `${'{"type":"object","properties":{"a":'.repeat(100_000)}{"type":"string"}${'}}'.repeat(100_000)}`;
    const tools = `[{"type":"function","function":{"name":"f","parameters":${deep}}}]`;
    const answer = await chat(`{"model":"acme/llama-3","messages":[{"role":"user","content":"x"}],"tools":${tools}}`);
    expect(answer.status).toBe(400);
    expect(sim.requests).toHaveLength(0);
  });

  it('takes 64 levels and refuses 65', async () => {
    const nestedUnderBody = (levels: number) => {
      let nested: unknown = 'leaf';
      for (let i = 0; i < levels; i++) nested = { a: nested };
      return nested;
    };
    sim.script(textReply('ok'));
    // The body is level 1: 63 objects under it make 64 levels.
    const fits = await chat({ model: 'acme/llama-3', messages: hello, user_context: nestedUnderBody(63) });
    expect(fits.status).toBe(200);
    const tooDeep = await chat({ model: 'acme/llama-3', messages: hello, user_context: nestedUnderBody(64) });
    expect(tooDeep.json.error).toMatchObject({ code: 'nesting_too_deep' });
  });

  it('refuses a 21st image part, naming it', async () => {
    const image = { type: 'image_url', image_url: { url: 'data:image/png;base64,iVBORw0KGgo=' } };
    const content = [{ type: 'text', text: 'look' }, ...Array.from({ length: 21 }, () => image)];
    const answer = await chat({ model: 'acme/llama-3', messages: [{ role: 'user', content }] });
    expect(answer.status).toBe(400);
    expect(answer.json.error).toMatchObject({ code: 'too_many_images', param: 'messages[0].content[21]' });
  });
});

describe('names looked up through the prototype (§6)', () => {
  it.each(['constructor'])('PUT provider %s is a custom provider, never a 500', async (name) => {
    const wrongShape = await gateway.admin('PUT', `/admin/projects/${projectId}/providers/${name}`, {
      api_key: 'x',
    });
    expect(wrongShape.status).toBe(400);
    const custom = await gateway.admin('PUT', `/admin/projects/${projectId}/providers/${name}`, {
      type: 'openai-compatible',
      base_url: `${sim.url}/v1`,
    });
    expect(custom.status).toBe(200);
    sim.script(textReply('from a custom provider with an odd name'));
    const answer = await chat({ model: `${name}/m`, messages: hello });
    expect(answer.status).toBe(200);
    expect((await gateway.admin('DELETE', `/admin/projects/${projectId}/providers/${name}`)).status).toBe(200);
  });

  it.each(['__proto__', 'toString', 'hasOwnProperty', '_x', '1abc', 'a'.repeat(64)])(
    'refuses the provider name %s with 400',
    async (name) => {
      const answer = await gateway.admin('PUT', `/admin/projects/${projectId}/providers/${name}`, {
        type: 'openai-compatible',
        base_url: `${sim.url}/v1`,
      });
      expect(answer.status).toBe(400);
      expect(answer.body).toMatchObject({ error: { param: 'provider' } });
    },
  );

  it('answers a model of a provider nobody registered, named like a prototype key, with 404', async () => {
    const answer = await chat({ model: 'constructor/m', messages: hello });
    expect(answer.status).toBe(404);
    expect(answer.json.error).toMatchObject({ code: 'model_not_found' });
  });
});

describe('secrets in upstream errors (§6)', () => {
  /** An upstream that quotes back everything it was sent, as some proxies and self-hosted servers do. */
  const echoingError = (status: number) => (req: RecordedRequest, res: SimResponse) =>
    sendJson(res, status, {
      error: {
        message: `bad request ${JSON.stringify(req.headers)} at ${req.url}`,
        type: 'invalid_request_error',
      },
    });

  it('redacts custom header values and the api key from the answer and the stream', async () => {
    await gateway.putProvider(projectId, 'leaky', {
      type: 'openai-compatible',
      base_url: `${sim.url}/v1`,
      api_key: 'sk-leaky-0123456789',
      headers: { 'x-custom-auth': 'hdr-secret-4242', 'x-tenant': 'tenant-secret-77' },
    });
    const secrets = ['sk-leaky-0123456789', 'hdr-secret-4242', 'tenant-secret-77'];

    sim.script(echoingError(400));
    const answer = await chat({ model: 'leaky/m', messages: hello });
    expect(answer.status).toBe(400);
    const text = JSON.stringify(answer.json);
    expect(text).toContain('x-custom-auth');
    for (const secret of secrets) expect(text).not.toContain(secret);

    sim.script(echoingError(400));
    const streamed = await fetch(`${gateway.url}/v1/chat/completions`, {
      method: 'POST',
      headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
      body: JSON.stringify({ model: 'leaky/m', messages: hello, stream: true }),
    });
    const streamedText = await streamed.text();
    expect(streamed.status).toBe(400);
    for (const secret of secrets) expect(streamedText).not.toContain(secret);
  });

  it('never shows user:password of a base_url, in the answer or the provider list', async () => {
    const { host } = new URL(sim.url);
    await gateway.putProvider(projectId, 'basic', {
      type: 'openai-compatible',
      base_url: `http://svc:pa55-word-9@${host}/v1`,
    });
    const answer = await chat({ model: 'basic/m', messages: hello });
    expect(JSON.stringify(answer.json)).not.toContain('pa55-word-9');
    const listed = await gateway.admin('GET', `/admin/projects/${projectId}/providers`);
    expect(listed.text).toContain(`http://${host}/v1`);
    expect(listed.text).not.toContain('pa55-word-9');
  });
});

describe('Bedrock through the gateway’s own AWS identity (§6)', () => {
  it('is off by default: a project without a Bedrock credential gets provider_not_configured, even with a region', async () => {
    const restore = setEnv({ AWS_REGION: 'us-east-1', GATEWAY_BEDROCK_DEFAULT_CHAIN: undefined });
    try {
      const answer = await chat({ model: 'bedrock/anthropic.claude-3-haiku-20240307-v1:0', messages: hello });
      expect(answer.status).toBe(400);
      expect(answer.json.error).toMatchObject({ code: 'provider_not_configured' });
    } finally {
      restore();
    }
  });
});
