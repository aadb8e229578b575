/**
 * Provider credentials in AWS Secrets Manager: one secret per project, `<prefix>/projects/<project id>/providers`,
 * whose SecretString is the JSON map provider name → StoredCredential (DESIGN.md §4).
 * @see https://docs.aws.amazon.com/secretsmanager/latest/apireference/API_GetSecretValue.html
 */
import {
  CreateSecretCommand,
  GetSecretValueCommand,
  PutSecretValueCommand,
  type SecretsManagerClient,
} from '@aws-sdk/client-secrets-manager';
import type { DefaultCredentials } from '../core/types.js';
import { isAwsError } from './aws-errors.js';
import { KeyedMutex, parseCredentialMap } from './credential-map.js';
import type { CredentialStore, ProjectCredentials, StoredCredential } from './types.js';

export const DEFAULT_SECRET_PREFIX = 'llm-gateway';

/** `GATEWAY_SECRET_PREFIX`, else `llm-gateway`. */
export function secretPrefixFromEnv(env: NodeJS.ProcessEnv = process.env): string {
  return env.GATEWAY_SECRET_PREFIX || DEFAULT_SECRET_PREFIX;
}

export function projectSecretName(prefix: string, projectId: string): string {
  return `${prefix}/projects/${projectId}/providers`;
}

export function defaultsSecretName(prefix: string): string {
  return `${prefix}/defaults`;
}

/** A secret's string, or undefined when the secret does not exist. */
async function readSecret(client: SecretsManagerClient, secretId: string): Promise<string | undefined> {
  try {
    const { SecretString } = await client.send(new GetSecretValueCommand({ SecretId: secretId }));
    return SecretString;
  } catch (error) {
    if (isAwsError(error, 'ResourceNotFoundException')) return undefined;
    throw error;
  }
}

/**
 * The gateway-wide default credentials from `<prefix>/defaults` (a JSON map provider name → credential object);
 * `{}` when the secret does not exist.
 */
export async function readDefaultCredentials(
  client: SecretsManagerClient,
  prefix: string,
): Promise<DefaultCredentials> {
  const name = defaultsSecretName(prefix);
  const text = await readSecret(client, name);
  if (text === undefined || text.trim() === '') return {};
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch {
    throw new Error(`secret ${name} is not valid JSON`);
  }
  if (!isPlainObject(value)) throw new Error(`secret ${name} is not a JSON object`);
  const defaults: DefaultCredentials = {};
  for (const [provider, credential] of Object.entries(value)) {
    if (isPlainObject(credential)) defaults[provider] = credential;
  }
  return defaults;
}

function isPlainObject(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

export class SecretsManagerCredentialStore implements CredentialStore {
  private readonly mutex = new KeyedMutex();

  constructor(
    private readonly client: SecretsManagerClient,
    private readonly prefix: string = DEFAULT_SECRET_PREFIX,
  ) {}

  async get(projectId: string): Promise<ProjectCredentials> {
    return (await this.read(projectId)).credentials;
  }

  /** Read-modify-write of the project's map; the secret is created on the first put. */
  async put(projectId: string, provider: string, credential: StoredCredential): Promise<void> {
    await this.update(projectId, (credentials) => {
      credentials[provider] = credential;
      return true;
    });
  }

  delete(projectId: string, provider: string): Promise<boolean> {
    return this.update(projectId, (credentials) => {
      if (!Object.hasOwn(credentials, provider)) return false;
      delete credentials[provider];
      return true;
    });
  }

  getDefaults(): Promise<DefaultCredentials> {
    return readDefaultCredentials(this.client, this.prefix);
  }

  private async read(projectId: string): Promise<{ exists: boolean; credentials: ProjectCredentials }> {
    const name = projectSecretName(this.prefix, projectId);
    const text = await readSecret(this.client, name);
    if (text === undefined) return { exists: false, credentials: {} };
    if (text.trim() === '') return { exists: true, credentials: {} };
    return { exists: true, credentials: parseCredentialMap(text, `secret ${name}`) };
  }

  /**
   * Applies `change` to the project's map and writes it back when it returns true. Secrets Manager has no
   * conditional writes: the mutex orders writers in this process, and a secret created meanwhile by another process
   * is read again rather than overwritten.
   */
  private update(projectId: string, change: (credentials: ProjectCredentials) => boolean): Promise<boolean> {
    const name = projectSecretName(this.prefix, projectId);
    return this.mutex.run(projectId, async () => {
      for (let attempt = 0; ; attempt++) {
        const { exists, credentials } = await this.read(projectId);
        if (!change(credentials)) return false;
        const secretString = JSON.stringify(credentials);
        if (exists) {
          await this.client.send(new PutSecretValueCommand({ SecretId: name, SecretString: secretString }));
          return true;
        }
        try {
          await this.client.send(
            new CreateSecretCommand({
              Name: name,
              SecretString: secretString,
              Description: `LLM gateway provider credentials of project ${projectId}`,
            }),
          );
          return true;
        } catch (error) {
          if (attempt > 0 || !isAwsError(error, 'ResourceExistsException')) throw error;
        }
      }
    });
  }
}
