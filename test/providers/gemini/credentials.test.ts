import { OAuth2Client } from 'google-auth-library';
import { describe, expect, it } from 'vitest';
import { geminiClientOptions, vertexClientOptions } from '../../../lib/providers/gemini/client.js';
import { geminiCredentialSchema, vertexCredentialSchema } from '../../../lib/providers/gemini/credentials.js';
import { geminiFactory, vertexFactory } from '../../../lib/providers/gemini/index.js';

const SERVICE_ACCOUNT = {
  type: 'service_account',
  project_id: 'acme-prod',
  private_key_id: 'abc123',
  private_key: '-----BEGIN PRIVATE KEY-----\nMIIB\n-----END PRIVATE KEY-----\n',
  client_email: 'gateway@acme-prod.iam.gserviceaccount.com',
  token_uri: 'https://oauth2.googleapis.com/token',
};

function paths(result: { success: boolean; error?: { issues: { path: PropertyKey[] }[] } }): string[] {
  return (result.error?.issues ?? []).map((issue) => issue.path.join('.'));
}

describe('gemini credential', () => {
  it('needs an api key and takes an optional base_url', () => {
    expect(geminiCredentialSchema.safeParse({ api_key: 'k', base_url: 'http://127.0.0.1:1' }).success).toBe(true);
    expect(paths(geminiCredentialSchema.safeParse({}))).toEqual(['api_key']);
    expect(paths(geminiCredentialSchema.safeParse({ api_key: 'k', base_url: 'not a url' }))).toEqual(['base_url']);
    expect(geminiFactory.type).toBe('gemini');
  });
});

describe('vertex-ai credential', () => {
  const base = { project_id: 'acme-prod', location: 'us-central1' };

  it('takes an access token, or a service account as JSON text or as an object', () => {
    expect(vertexCredentialSchema.safeParse({ ...base, access_token: 'ya29.token' }).success).toBe(true);
    expect(
      vertexCredentialSchema.safeParse({ ...base, service_account_json: JSON.stringify(SERVICE_ACCOUNT) }).success,
    ).toBe(true);
    expect(vertexCredentialSchema.safeParse({ ...base, service_account_json: SERVICE_ACCOUNT }).success).toBe(true);
    expect(vertexFactory.type).toBe('vertex-ai');
  });

  it('names each missing field', () => {
    expect(paths(vertexCredentialSchema.safeParse({ location: 'us-central1', access_token: 't' }))).toEqual([
      'project_id',
    ]);
    expect(paths(vertexCredentialSchema.safeParse({ project_id: 'p', access_token: 't' }))).toEqual(['location']);
    expect(paths(vertexCredentialSchema.safeParse(base))).toEqual(['service_account_json']);
  });

  it('refuses both kinds of auth at once, and a service account that is not one', () => {
    expect(
      paths(vertexCredentialSchema.safeParse({ ...base, access_token: 't', service_account_json: SERVICE_ACCOUNT })),
    ).toEqual(['access_token']);
    expect(paths(vertexCredentialSchema.safeParse({ ...base, service_account_json: '{not json' }))).toEqual([
      'service_account_json',
    ]);
    const { private_key: _key, ...noKey } = SERVICE_ACCOUNT;
    expect(paths(vertexCredentialSchema.safeParse({ ...base, service_account_json: noKey }))).toEqual([
      'service_account_json.private_key',
    ]);
    const external = { type: 'external_account', audience: 'x', credential_source: { file: '/etc/passwd' } };
    expect(paths(vertexCredentialSchema.safeParse({ ...base, service_account_json: external }))).toEqual([
      'service_account_json.client_email',
    ]);
  });
});

describe('client options', () => {
  it('builds the Gemini API client with the key, the base URL and retries off', () => {
    expect(geminiClientOptions({ api_key: 'k', base_url: 'http://127.0.0.1:9' })).toEqual({
      apiKey: 'k',
      httpOptions: { baseUrl: 'http://127.0.0.1:9', retryOptions: { attempts: 1 } },
    });
  });

  it('builds Vertex AI with project, location and an OAuth2 client holding the access token', async () => {
    const options = await vertexClientOptions({ project_id: 'p', location: 'europe-west4', access_token: 'ya29.abc' });
    expect(options).toMatchObject({ vertexai: true, project: 'p', location: 'europe-west4' });
    expect(options.httpOptions).toEqual({ retryOptions: { attempts: 1 } });
    const authClient = options.googleAuthOptions?.authClient;
    expect(authClient).toBeInstanceOf(OAuth2Client);
    const headers = await (authClient as OAuth2Client).getRequestHeaders();
    expect(headers.get('authorization')).toBe('Bearer ya29.abc');
  });

  it('passes only the service account key fields to google-auth-library', async () => {
    const options = await vertexClientOptions({
      project_id: 'acme-prod',
      location: 'us-central1',
      service_account_json: JSON.stringify({
        ...SERVICE_ACCOUNT,
        credential_source: { url: 'http://169.254.169.254' },
      }),
    });
    expect(options.googleAuthOptions).toEqual({
      projectId: 'acme-prod',
      credentials: {
        type: 'service_account',
        client_email: SERVICE_ACCOUNT.client_email,
        private_key: SERVICE_ACCOUNT.private_key,
        private_key_id: 'abc123',
        project_id: 'acme-prod',
      },
    });
  });
});
