import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  ResourceExistsException,
  ResourceNotFoundException,
  SecretsManagerClient,
  SecretsManagerServiceException,
} from '@aws-sdk/client-secrets-manager';
import { mockClient } from 'aws-sdk-client-mock';
import { afterAll, afterEach, describe, expect, it } from 'vitest';
import {
  readDefaultCredentials,
  SecretsManagerCredentialStore,
  secretPrefixFromEnv,
} from '../../lib/storage/secrets-manager.js';
import type { StoredCredential } from '../../lib/storage/types.js';

const secrets = mockClient(SecretsManagerClient);
const SECRET = 'llm-gateway/projects/proj_1/providers';

const notFound = () =>
  new ResourceNotFoundException({ message: "Secrets Manager can't find the secret.", $metadata: {} });

const openai: StoredCredential = {
  type: 'openai',
  credential: { api_key: 'sk-test-openai' },
  updated_at: '2030-01-01T00:00:00.000Z',
};
const anthropic: StoredCredential = {
  type: 'anthropic',
  credential: { api_key: 'sk-ant-test' },
  updated_at: '2030-01-02T00:00:00.000Z',
};

function store() {
  return new SecretsManagerCredentialStore(new SecretsManagerClient({ region: 'us-east-1' }));
}

afterEach(() => {
  secrets.reset();
});

describe('SecretsManagerCredentialStore', () => {
  it("reads the project's secret <prefix>/projects/<id>/providers", async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ openai }) });
    expect(await store().get('proj_1')).toEqual({ openai });
    expect(secrets.commandCalls(GetSecretValueCommand)[0]?.args[0].input).toEqual({ SecretId: SECRET });
  });

  it('answers {} for a project whose secret does not exist', async () => {
    secrets.on(GetSecretValueCommand).rejects(notFound());
    expect(await store().get('proj_1')).toEqual({});
  });

  it('lets other failures through', async () => {
    secrets.on(GetSecretValueCommand).rejects(
      new SecretsManagerServiceException({
        name: 'AccessDeniedException',
        $fault: 'client',
        message: 'not allowed',
        $metadata: {},
      }),
    );
    await expect(store().get('proj_1')).rejects.toThrow('not allowed');
  });

  it('refuses a secret that is not a credential map, without quoting it', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: '{"openai": "sk-plain-secret"' });
    const error = await store()
      .get('proj_1')
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(Error);
    expect(String((error as Error).message)).not.toContain('sk-plain-secret');

    secrets.on(GetSecretValueCommand).resolves({ SecretString: '{"openai": "sk-plain-secret"}' });
    const shapeError = await store()
      .get('proj_1')
      .catch((e: unknown) => e);
    expect(String((shapeError as Error).message)).toMatch(/not a map of provider credentials/);
    expect(String((shapeError as Error).message)).not.toContain('sk-plain-secret');
  });

  it('creates the secret on the first put', async () => {
    secrets.on(GetSecretValueCommand).rejects(notFound());
    secrets.on(CreateSecretCommand).resolves({});

    await store().put('proj_1', 'openai', openai);

    const create = secrets.commandCalls(CreateSecretCommand)[0]?.args[0].input;
    expect(create?.Name).toBe(SECRET);
    expect(JSON.parse(create?.SecretString ?? '')).toEqual({ openai });
    expect(secrets.commandCalls(PutSecretValueCommand)).toHaveLength(0);
  });

  it('adds to the existing map with PutSecretValue', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ openai }) });
    secrets.on(PutSecretValueCommand).resolves({});

    await store().put('proj_1', 'anthropic', anthropic);

    const put = secrets.commandCalls(PutSecretValueCommand)[0]?.args[0].input;
    expect(put?.SecretId).toBe(SECRET);
    expect(JSON.parse(put?.SecretString ?? '')).toEqual({ openai, anthropic });
    expect(secrets.commandCalls(CreateSecretCommand)).toHaveLength(0);
  });

  it('reads again and merges when another process created the secret meanwhile', async () => {
    secrets
      .on(GetSecretValueCommand)
      .rejectsOnce(notFound())
      .resolves({ SecretString: JSON.stringify({ openai }) });
    secrets.on(CreateSecretCommand).rejects(new ResourceExistsException({ message: 'exists', $metadata: {} }));
    secrets.on(PutSecretValueCommand).resolves({});

    await store().put('proj_1', 'anthropic', anthropic);

    const put = secrets.commandCalls(PutSecretValueCommand)[0]?.args[0].input;
    expect(JSON.parse(put?.SecretString ?? '')).toEqual({ openai, anthropic });
  });

  it('serialises concurrent puts to one project so none is lost', async () => {
    let current: string | undefined;
    secrets.on(GetSecretValueCommand).callsFake(async () => {
      if (current === undefined) throw notFound();
      return { SecretString: current };
    });
    secrets.on(CreateSecretCommand).callsFake(async (input: { SecretString: string }) => {
      current = input.SecretString;
      return {};
    });
    secrets.on(PutSecretValueCommand).callsFake(async (input: { SecretString: string }) => {
      current = input.SecretString;
      return {};
    });
    const s = store();

    await Promise.all([s.put('proj_1', 'openai', openai), s.put('proj_1', 'anthropic', anthropic)]);

    expect(JSON.parse(current ?? '')).toEqual({ openai, anthropic });
  });

  it('deletes one provider and reports whether it was there', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: JSON.stringify({ openai, anthropic }) });
    secrets.on(PutSecretValueCommand).resolves({});
    const s = store();

    expect(await s.delete('proj_1', 'openai')).toBe(true);
    expect(JSON.parse(secrets.commandCalls(PutSecretValueCommand)[0]?.args[0].input.SecretString ?? '')).toEqual({
      anthropic,
    });
    expect(await s.delete('proj_1', 'gemini')).toBe(false);
    expect(secrets.commandCalls(PutSecretValueCommand)).toHaveLength(1);
  });

  it('answers false to a delete when the project has no secret', async () => {
    secrets.on(GetSecretValueCommand).rejects(notFound());
    expect(await store().delete('proj_1', 'openai')).toBe(false);
    expect(secrets.commandCalls(PutSecretValueCommand)).toHaveLength(0);
    expect(secrets.commandCalls(CreateSecretCommand)).toHaveLength(0);
  });

  it('uses the configured prefix', async () => {
    secrets.on(GetSecretValueCommand).rejects(notFound());
    await new SecretsManagerCredentialStore(new SecretsManagerClient({ region: 'us-east-1' }), 'my-stack').get('p');
    expect(secrets.commandCalls(GetSecretValueCommand)[0]?.args[0].input.SecretId).toBe(
      'my-stack/projects/p/providers',
    );
  });
});

// The suite shares one module graph per worker (vitest.config.ts): give the real client back to the next file.
afterAll(() => {
  secrets.restore();
});

describe('default credentials', () => {
  const client = () => new SecretsManagerClient({ region: 'us-east-1' });

  it('reads <prefix>/defaults as a map of provider → credential object', async () => {
    secrets.on(GetSecretValueCommand).resolves({
      SecretString: JSON.stringify({ openai: { api_key: 'sk-default' }, broken: 'x' }),
    });
    expect(await readDefaultCredentials(client(), 'llm-gateway')).toEqual({ openai: { api_key: 'sk-default' } });
    expect(secrets.commandCalls(GetSecretValueCommand)[0]?.args[0].input.SecretId).toBe('llm-gateway/defaults');
  });

  it('answers {} when the defaults secret does not exist', async () => {
    secrets.on(GetSecretValueCommand).rejects(notFound());
    expect(await readDefaultCredentials(client(), 'llm-gateway')).toEqual({});
    expect(await new SecretsManagerCredentialStore(client()).getDefaults()).toEqual({});
  });

  it('fails on a defaults secret that is not a JSON object, without quoting it', async () => {
    secrets.on(GetSecretValueCommand).resolves({ SecretString: 'sk-raw-secret' });
    await expect(readDefaultCredentials(client(), 'x')).rejects.toThrow('secret x/defaults is not valid JSON');
    secrets.on(GetSecretValueCommand).resolves({ SecretString: '["sk-raw-secret"]' });
    await expect(readDefaultCredentials(client(), 'x')).rejects.toThrow('secret x/defaults is not a JSON object');
  });

  it('takes the prefix from GATEWAY_SECRET_PREFIX, else llm-gateway', () => {
    expect(secretPrefixFromEnv({})).toBe('llm-gateway');
    expect(secretPrefixFromEnv({ GATEWAY_SECRET_PREFIX: 'prod-gw' })).toBe('prod-gw');
  });
});
