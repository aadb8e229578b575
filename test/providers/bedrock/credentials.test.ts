import { afterAll, describe, expect, it } from 'vitest';
import { clientConfig, createClient } from '../../../lib/providers/bedrock/client.js';
import { bedrockCredentialSchema } from '../../../lib/providers/bedrock/credentials.js';
import { bedrockFactory } from '../../../lib/providers/bedrock/index.js';

function issuePaths(input: unknown): string[] {
  const parsed = bedrockCredentialSchema.safeParse(input);
  return parsed.success ? [] : parsed.error.issues.map((issue) => issue.path.join('.'));
}

describe('bedrockCredentialSchema', () => {
  it('accepts keys, an API key, or a region alone (the default credential chain)', () => {
    expect(
      issuePaths({ region: 'us-east-1', access_key_id: 'AKID', secret_access_key: 's', session_token: 't' }),
    ).toEqual([]);
    expect(issuePaths({ region: 'us-east-1', api_key: 'ABSK-key' })).toEqual([]);
    expect(issuePaths({ region: 'eu-west-1', endpoint: 'https://bedrock-runtime.eu-west-1.amazonaws.com' })).toEqual(
      [],
    );
  });

  it('names the missing half of a key pair, and the region', () => {
    expect(issuePaths({ region: 'us-east-1', access_key_id: 'AKID' })).toEqual(['secret_access_key']);
    expect(issuePaths({ region: 'us-east-1', secret_access_key: 's' })).toEqual(['access_key_id']);
    expect(issuePaths({ access_key_id: 'AKID', secret_access_key: 's' })).toEqual(['region']);
  });

  it('refuses an API key together with access keys', () => {
    expect(issuePaths({ region: 'us-east-1', api_key: 'k', access_key_id: 'AKID', secret_access_key: 's' })).toEqual([
      'api_key',
    ]);
  });
});

describe('clientConfig', () => {
  it('signs with the credential’s keys and turns the SDK’s retries off', () => {
    const config = clientConfig({
      region: 'us-west-2',
      access_key_id: 'AKID',
      secret_access_key: 's',
      session_token: 't',
    });
    expect(config).toMatchObject({
      region: 'us-west-2',
      maxAttempts: 1,
      authSchemePreference: ['sigv4'],
      credentials: { accessKeyId: 'AKID', secretAccessKey: 's', sessionToken: 't' },
    });
    expect(config.requestHandler).toBeUndefined();
  });

  it('sends an API key as a bearer token', () => {
    const config = clientConfig({ region: 'us-west-2', api_key: 'ABSK-key' });
    expect(config).toMatchObject({ token: { token: 'ABSK-key' }, authSchemePreference: ['httpBearerAuth'] });
    expect(config.credentials).toBeUndefined();
  });

  it('leaves credentials to the default chain when the credential has no keys', () => {
    const config = clientConfig({ region: 'us-west-2' });
    expect(config.credentials).toBeUndefined();
    expect(config.token).toBeUndefined();
  });
});

describe('createClient', () => {
  const made: { destroy(): void }[] = [];
  afterAll(() => {
    for (const client of made) client.destroy();
  });

  it('reuses one client per region, credential and endpoint', async () => {
    const credential = { region: 'us-east-1', access_key_id: 'AKID', secret_access_key: 's' };
    const first = await createClient(credential);
    const again = await createClient({ ...credential });
    const otherEndpoint = await createClient({ ...credential, endpoint: 'http://127.0.0.1:9' });
    const otherRegion = await createClient({ ...credential, region: 'eu-west-1' });
    made.push(first, otherEndpoint, otherRegion);
    expect(again).toBe(first);
    expect(otherEndpoint).not.toBe(first);
    expect(otherRegion).not.toBe(first);
  });
});

describe('bedrockFactory', () => {
  it('is the bedrock type and answers 400 naming the field for a credential of the wrong shape', async () => {
    expect(bedrockFactory.type).toBe('bedrock');
    await expect(
      bedrockFactory.create({ region: 'us-east-1', access_key_id: 'AKID' }, { providerName: 'bedrock' }),
    ).rejects.toMatchObject({ status: 400, param: 'secret_access_key' });
  });
});
