import { GetSecretValueCommand, SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterEach, describe, expect, it, vi } from 'vitest';
import { CachingCredentialStore } from '../../lib/storage/credential-cache.js';
import { createStores, storesConfigFromEnv, storesFromEnv } from '../../lib/storage/index.js';
import { CachingKeyStore } from '../../lib/storage/key-cache.js';

afterEach(() => {
  vi.unstubAllEnvs();
});

describe('storesConfigFromEnv', () => {
  it('uses Secrets Manager and the default names without configuration', () => {
    expect(storesConfigFromEnv({})).toEqual({
      dynamodb: {},
      tables: {
        projects: 'gateway-projects',
        keys: 'gateway-keys',
        usage: 'gateway-usage',
        usageDaily: 'gateway-usage-daily',
      },
      credentials: { kind: 'secrets-manager', prefix: 'llm-gateway' },
    });
  });

  it('uses the local file store and the DynamoDB endpoint when told to', () => {
    const config = storesConfigFromEnv({
      DYNAMODB_ENDPOINT: 'http://127.0.0.1:4567',
      GATEWAY_CREDENTIAL_STORE: 'local',
      GATEWAY_DATA_DIR: '/tmp/gw',
      KEYS_TABLE: 'k',
    });
    expect(config.dynamodb).toEqual({ endpoint: 'http://127.0.0.1:4567' });
    expect(config.credentials).toEqual({ kind: 'local', dataDir: '/tmp/gw' });
    expect(config.tables?.keys).toBe('k');
  });

  it('takes the cache time from GATEWAY_CACHE_TTL_MS, never above 60 s, ignoring what is not a number', () => {
    expect(storesConfigFromEnv({ GATEWAY_CACHE_TTL_MS: '5000' }).cacheTtlMs).toBe(5000);
    expect(storesConfigFromEnv({ GATEWAY_CACHE_TTL_MS: '0' }).cacheTtlMs).toBe(0);
    expect(storesConfigFromEnv({ GATEWAY_CACHE_TTL_MS: '600000' }).cacheTtlMs).toBe(60_000);
    expect(storesConfigFromEnv({ GATEWAY_CACHE_TTL_MS: 'soon' })).not.toHaveProperty('cacheTtlMs');
  });
});

describe('createStores', () => {
  it('points a local DynamoDB client at the endpoint with dummy credentials in us-east-1', async () => {
    const stores = createStores({
      dynamodb: { endpoint: 'http://127.0.0.1:4567' },
      credentials: { kind: 'local', dataDir: '/tmp/unused' },
    });
    expect(await stores.dynamodb.config.region()).toBe('us-east-1');
    expect(await stores.dynamodb.config.credentials()).toMatchObject({
      accessKeyId: 'local',
      secretAccessKey: 'local',
    });
    expect(stores.keys).toBeInstanceOf(CachingKeyStore);
    expect(stores.credentials).toBeInstanceOf(CachingCredentialStore);
    expect(await stores.defaultCredentials()).toEqual({});
    stores.dynamodb.destroy();
  });

  it('reads the defaults secret under the prefix and caches it', async () => {
    const secrets = mockClient(SecretsManagerClient);
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ openai: { api_key: 'sk-d' } }) });
    const stores = createStores({ credentials: { kind: 'secrets-manager', prefix: 'stack', region: 'eu-west-1' } });

    expect(await stores.defaultCredentials()).toEqual({ openai: { api_key: 'sk-d' } });
    expect(await stores.defaultCredentials()).toEqual({ openai: { api_key: 'sk-d' } });
    expect(secrets.commandCalls(GetSecretValueCommand).map((c) => c.args[0].input.SecretId)).toEqual([
      'stack/defaults',
    ]);
    secrets.restore();
  });
});

describe('storesFromEnv', () => {
  it('builds the stores once per process', () => {
    vi.stubEnv('GATEWAY_CREDENTIAL_STORE', 'local');
    vi.stubEnv('GATEWAY_DATA_DIR', '/tmp/gw-env');
    vi.stubEnv('AWS_REGION', 'us-east-1');
    const first = storesFromEnv();
    expect(storesFromEnv()).toBe(first);
    expect(first.tables.projects).toBe('gateway-projects');
  });
});
