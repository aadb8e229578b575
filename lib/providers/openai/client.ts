/**
 * Builds the official openai SDK client for one credential. The SDK is imported here, lazily, so a request for
 * another provider never pays its load time (DESIGN.md §2).
 * @see https://github.com/openai/openai-node#configuring-the-client
 */
import type {
  APIConnectionError,
  APIConnectionTimeoutError,
  APIError,
  APIUserAbortError,
  AzureOpenAI,
  OpenAI,
} from 'openai';

export const OPENAI_BASE_URL = 'https://api.openai.com/v1';

/**
 * The SDK's own timeout only guards against a connection that never answers at all: the gateway enforces its
 * first-byte and idle timeouts around the call (CONTRACT.md §2), which are far shorter.
 */
export const SDK_TIMEOUT_MS = 10 * 60_000;

/** Any api key works for the SDK's constructor; it never reaches the upstream because the header is removed. */
const NO_API_KEY_PLACEHOLDER = 'no-api-key';

export type ClientConfig =
  | {
      kind: 'openai';
      baseURL: string;
      /** Undefined: send no Authorization header at all (a custom provider without a key). */
      apiKey?: string;
      organization?: string;
      headers?: Record<string, string>;
    }
  | {
      kind: 'azure';
      /** The resource URL, e.g. `https://<resource>.openai.azure.com`. */
      endpoint: string;
      apiVersion: string;
      apiKey: string;
    };

/** The SDK error classes, kept beside the client so errors.ts can test `instanceof` without importing the SDK. */
export interface SdkErrorClasses {
  APIError: typeof APIError;
  APIConnectionError: typeof APIConnectionError;
  APIConnectionTimeoutError: typeof APIConnectionTimeoutError;
  APIUserAbortError: typeof APIUserAbortError;
}

export interface BuiltClient {
  client: OpenAI | AzureOpenAI;
  /**
   * Azure: the client of the resource's v1 API (`<endpoint>/openai/v1`), the only Azure surface with the Responses
   * API; the deployment goes in the body's `model` there, not in the path. Elsewhere `client` serves Responses too.
   * @see https://learn.microsoft.com/azure/ai-foundry/openai/api-version-lifecycle
   */
  responsesClient?: OpenAI;
  errors: SdkErrorClasses;
}

export async function createClient(config: ClientConfig): Promise<BuiltClient> {
  const sdk = await import('openai');
  const errors: SdkErrorClasses = {
    APIError: sdk.APIError,
    APIConnectionError: sdk.APIConnectionError,
    APIConnectionTimeoutError: sdk.APIConnectionTimeoutError,
    APIUserAbortError: sdk.APIUserAbortError,
  };
  // Retries, fallbacks and timeouts belong to the gateway; the SDK's logger would print request details.
  const common = { maxRetries: 0, timeout: SDK_TIMEOUT_MS, logLevel: 'off' as const };
  if (config.kind === 'azure') {
    // `baseURL` rather than `endpoint`: the SDK would otherwise read OPENAI_BASE_URL from the environment.
    const client = new sdk.AzureOpenAI({
      ...common,
      apiKey: config.apiKey,
      apiVersion: config.apiVersion,
      baseURL: `${config.endpoint.replace(/\/+$/, '')}/openai`,
      organization: null,
      project: null,
    });
    const responsesClient = new sdk.OpenAI({
      ...common,
      apiKey: NO_API_KEY_PLACEHOLDER,
      baseURL: `${config.endpoint.replace(/\/+$/, '')}/openai/v1`,
      organization: null,
      project: null,
      // Azure's key header, as the AzureOpenAI client sends it; no bearer token beside it.
      defaultHeaders: { Authorization: null, 'api-key': config.apiKey },
    });
    return { client, responsesClient, errors };
  }
  const client = new sdk.OpenAI({
    ...common,
    // Every option explicit: the SDK falls back to OPENAI_* environment variables for any left undefined.
    apiKey: config.apiKey || NO_API_KEY_PLACEHOLDER,
    baseURL: config.baseURL,
    organization: config.organization ?? null,
    project: null,
    defaultHeaders: defaultHeaders(config.apiKey, config.headers),
  });
  return { client, errors };
}

/** A `null` header tells the SDK to omit it: without a key, no `Authorization: Bearer …` reaches the upstream. */
function defaultHeaders(
  apiKey: string | undefined,
  headers: Record<string, string> = {},
): Record<string, string | null> {
  const ownAuthorization = Object.keys(headers).some((name) => name.toLowerCase() === 'authorization');
  if (apiKey || ownAuthorization) return { ...headers };
  return { Authorization: null, ...headers };
}
