/**
 * Builds the stores (DESIGN.md §4): DynamoDB for projects and keys (dynalite locally, via `endpoint`), and the
 * provider credential store (Secrets Manager in AWS, an encrypted file store locally), each behind its cache.
 * dynalite itself (`startLocalDynamo`) lives in ./local-dynamo.js and is not imported here, so Lambda bundles
 * never load it.
 */
import { DynamoDBClient } from '@aws-sdk/client-dynamodb';
import { SecretsManagerClient } from '@aws-sdk/client-secrets-manager';
import { TtlCache } from '../core/ttl-cache.js';
import type { DefaultCredentials } from '../core/types.js';
import { captureAWSv3Client } from '../tracing/index.js';
import { CachingCredentialStore } from './credential-cache.js';
import { CachingKeyStore } from './key-cache.js';
import { DynamoKeyStore } from './keys.js';
import { LocalCredentialStore } from './local-credentials.js';
import { DynamoProjectStore } from './projects.js';
import {
  DEFAULT_SECRET_PREFIX,
  readDefaultCredentials,
  SecretsManagerCredentialStore,
  secretPrefixFromEnv,
} from './secrets-manager.js';
import { defaultTableNames, type TableNames, tableNamesFromEnv } from './tables.js';
import type { Stores } from './types.js';

export type CredentialStoreConfig =
  | { kind: 'secrets-manager'; prefix?: string; region?: string; endpoint?: string }
  | { kind: 'local'; dataDir: string };

export interface StoresConfig {
  dynamodb?: {
    /** Set for dynalite (`startLocalDynamo().endpoint`): the client then uses dummy credentials. */
    endpoint?: string;
    region?: string;
  };
  tables?: Partial<TableNames>;
  credentials: CredentialStoreConfig;
  /**
   * How long a warm process reuses a key record or a project's credentials (at most, and by default, 60 s): the
   * longest a revoke or a credential change made by another process (the admin Lambda) takes to be seen.
   */
  cacheTtlMs?: number;
}

/** `GATEWAY_CACHE_TTL_MS`: 0 to 60000 milliseconds. */
export const CACHE_TTL_VARIABLE = 'GATEWAY_CACHE_TTL_MS';
export const MAX_CACHE_TTL_MS = 60_000;

/** The stores plus what the usage side (and `ensureTables`) needs: the DynamoDB client and table names. */
export interface StoreBundle extends Stores {
  dynamodb: DynamoDBClient;
  tables: TableNames;
  /**
   * The gateway-wide default credentials stored in AWS (`<prefix>/defaults`, cached ≤ 60 s); `{}` in local mode,
   * where the defaults come from environment variables.
   */
  defaultCredentials(): Promise<DefaultCredentials>;
}

/**
 * Every AWS call gives up instead of hanging a request (CONTRACT.md §4): a connection within 1 s, an answer within
 * 3 s, three attempts in all (the SDK's retries, with its backoff).
 * @see https://docs.aws.amazon.com/sdk-for-javascript/v3/developer-guide/node-configuring-maxsockets.html
 */
export const AWS_CLIENT_TIMEOUTS = {
  maxAttempts: 3,
  requestHandler: { connectionTimeout: 1_000, requestTimeout: 3_000 },
} as const;

/** dynalite accepts any signature, but the SDK refuses to sign without credentials. */
const LOCAL_CREDENTIALS = { accessKeyId: 'local', secretAccessKey: 'local' };
const LOCAL_REGION = 'us-east-1';
const DEFAULTS_TTL_MS = 60_000;

export function createStores(config: StoresConfig): StoreBundle {
  const endpoint = config.dynamodb?.endpoint;
  const dynamodb = captureAWSv3Client(
    new DynamoDBClient(
      endpoint
        ? {
            ...AWS_CLIENT_TIMEOUTS,
            endpoint,
            region: config.dynamodb?.region ?? LOCAL_REGION,
            credentials: LOCAL_CREDENTIALS,
          }
        : { ...AWS_CLIENT_TIMEOUTS, ...(config.dynamodb?.region ? { region: config.dynamodb.region } : {}) },
    ),
  );
  const tables: TableNames = { ...defaultTableNames, ...config.tables };
  const cacheOptions = config.cacheTtlMs === undefined ? {} : { ttlMs: config.cacheTtlMs };
  const base = {
    dynamodb,
    tables,
    projects: new DynamoProjectStore(dynamodb, tables.projects),
    keys: new CachingKeyStore(new DynamoKeyStore(dynamodb, tables.keys), cacheOptions),
  };
  const source = config.credentials;
  if (source.kind === 'local') {
    return {
      ...base,
      credentials: new CachingCredentialStore(new LocalCredentialStore(source.dataDir), cacheOptions),
      defaultCredentials: async () => ({}),
    };
  }
  const secrets = captureAWSv3Client(
    new SecretsManagerClient({
      ...AWS_CLIENT_TIMEOUTS,
      ...(source.region ? { region: source.region } : {}),
      ...(source.endpoint ? { endpoint: source.endpoint } : {}),
    }),
  );
  const prefix = source.prefix ?? DEFAULT_SECRET_PREFIX;
  const defaults = new TtlCache<'defaults', Promise<DefaultCredentials>>({ maxEntries: 1 });
  return {
    ...base,
    credentials: new CachingCredentialStore(new SecretsManagerCredentialStore(secrets, prefix), cacheOptions),
    defaultCredentials: () =>
      defaults
        .getOrLoad('defaults', DEFAULTS_TTL_MS, () => readDefaultCredentials(secrets, prefix))
        .then((value) => structuredClone(value)),
  };
}

/**
 * The config the Lambdas (and the local server, through the same variables) run with: `DYNAMODB_ENDPOINT`
 * (optional), the table variables of `tableNamesFromEnv`, and `GATEWAY_CREDENTIAL_STORE=local` with
 * `GATEWAY_DATA_DIR` (default `.gateway`) for the file store, else Secrets Manager under `GATEWAY_SECRET_PREFIX`.
 */
export function storesConfigFromEnv(env: NodeJS.ProcessEnv = process.env): StoresConfig {
  return {
    dynamodb: env.DYNAMODB_ENDPOINT ? { endpoint: env.DYNAMODB_ENDPOINT } : {},
    tables: tableNamesFromEnv(env),
    credentials:
      env.GATEWAY_CREDENTIAL_STORE === 'local'
        ? { kind: 'local', dataDir: env.GATEWAY_DATA_DIR || '.gateway' }
        : { kind: 'secrets-manager', prefix: secretPrefixFromEnv(env) },
    ...cacheTtlFromEnv(env),
  };
}

/** An unset or malformed value keeps the default; a number is clamped to 0–60 s (the contract's bound). */
function cacheTtlFromEnv(env: NodeJS.ProcessEnv): { cacheTtlMs?: number } {
  const raw = env[CACHE_TTL_VARIABLE]?.trim();
  if (!raw || !/^\d+$/.test(raw)) return {};
  return { cacheTtlMs: Math.min(Number(raw), MAX_CACHE_TTL_MS) };
}

let fromEnv: { config: string; stores: StoreBundle } | undefined;

/**
 * The process's stores, built once from the environment on first use (clients and caches live across calls), and
 * built again only if the configuring variables change (a second local gateway in the same process, in tests).
 * Both handlers share the one bundle, which is how a revoke through the admin API reaches the chat side's cache.
 */
export function storesFromEnv(): StoreBundle {
  const config = storesConfigFromEnv();
  const fingerprint = JSON.stringify(config);
  if (fromEnv?.config !== fingerprint) fromEnv = { config: fingerprint, stores: createStores(config) };
  return fromEnv.stores;
}

export { hashKey } from './ids.js';
export { ensureTables, type TableNames, tableDefinitions, tableNamesFromEnv } from './tables.js';
export type * from './types.js';
