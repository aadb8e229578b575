import { createHash } from 'node:crypto';
import type { BedrockRuntimeClient, BedrockRuntimeClientConfig } from '@aws-sdk/client-bedrock-runtime';
import { captureAWSv3Client } from '../../tracing/index.js';
import type { BedrockCredential } from './credentials.js';

export type BedrockSdk = typeof import('@aws-sdk/client-bedrock-runtime');

let sdkModule: Promise<BedrockSdk> | undefined;

/** The SDK is loaded on first use, so requests for other providers never pay its import (DESIGN.md §2). */
export function loadBedrockSdk(): Promise<BedrockSdk> {
  sdkModule ??= import('@aws-sdk/client-bedrock-runtime');
  return sdkModule;
}

/**
 * The client configuration for a credential. The SDK's own HTTP/2 handler is kept (no handler override), retries are
 * off (`maxAttempts: 1`: the gateway retries and falls back itself), and the auth scheme is pinned so that neither
 * the environment (`AWS_AUTH_SCHEME_PREFERENCE`, `AWS_BEARER_TOKEN_BEDROCK`) nor the order of the SDK's schemes
 * decides it: a Bedrock API key is sent as `Authorization: Bearer`, otherwise SigV4 signs with the credential's keys
 * or, without keys, with the default credential chain (in Lambda, the function's role).
 * @see https://docs.aws.amazon.com/bedrock/latest/userguide/api-keys-use.html
 */
export function clientConfig(credential: BedrockCredential): BedrockRuntimeClientConfig {
  const config: BedrockRuntimeClientConfig = {
    region: credential.region,
    maxAttempts: 1,
    authSchemePreference: credential.api_key ? ['httpBearerAuth'] : ['sigv4'],
  };
  if (credential.endpoint) config.endpoint = credential.endpoint;
  if (credential.api_key) config.token = { token: credential.api_key };
  if (credential.access_key_id && credential.secret_access_key) {
    config.credentials = {
      accessKeyId: credential.access_key_id,
      secretAccessKey: credential.secret_access_key,
      ...(credential.session_token ? { sessionToken: credential.session_token } : {}),
    };
  }
  return config;
}

const MAX_CLIENTS = 64;
const clients = new Map<string, BedrockRuntimeClient>();

/** One client per (region, credential, endpoint), reused; keyed by a digest so secrets do not sit in map keys. */
export async function createClient(credential: BedrockCredential): Promise<BedrockRuntimeClient> {
  const key = createHash('sha256')
    .update(
      JSON.stringify([
        credential.region,
        credential.endpoint ?? null,
        credential.access_key_id ?? null,
        credential.secret_access_key ?? null,
        credential.session_token ?? null,
        credential.api_key ?? null,
      ]),
    )
    .digest('base64url');
  const cached = clients.get(key);
  if (cached) return cached;
  const sdk = await loadBedrockSdk();
  const client = captureAWSv3Client(new sdk.BedrockRuntimeClient(clientConfig(credential)));
  // Evicted clients are not destroyed: a ChatModel built earlier may still hold one, and idle ones hold no sockets
  // (the SDK opens one HTTP/2 session per request for this client).
  if (clients.size >= MAX_CLIENTS) clients.delete(clients.keys().next().value as string);
  clients.set(key, client);
  return client;
}
