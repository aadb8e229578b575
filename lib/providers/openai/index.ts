/**
 * The OpenAI family of providers: OpenAI, Azure OpenAI, the built-in OpenAI-compatible services (Groq, DeepSeek,
 * …) and custom OpenAI-compatible providers. All take OpenAI's request as it is; they differ only in the client.
 * The openai SDK is loaded in `create`, never at import (DESIGN.md §2).
 * @see https://platform.openai.com/docs/api-reference/chat
 */
import type { ChatModel, ProviderFactory, ProviderOptions } from '../../core/types.js';
import { BUILTIN_OPENAI_COMPATIBLE } from './builtin.js';
import { type ClientConfig, createClient, OPENAI_BASE_URL } from './client.js';
import {
  AZURE_DEFAULT_API_VERSION,
  type AzureCredential,
  azureCredentialSchema,
  type BuiltinOpenAICompatibleCredential,
  builtinOpenAICompatibleCredentialSchema,
  isAzureEndpoint,
  type OpenAICompatibleCredential,
  type OpenAICredential,
  openaiCompatibleCredentialSchema,
  openaiCredentialSchema,
} from './credentials.js';
import { OpenAIChatModel } from './model.js';

export { BUILTIN_OPENAI_COMPATIBLE, type BuiltinOpenAICompatible } from './builtin.js';
export {
  AZURE_DEFAULT_API_VERSION,
  type AzureCredential,
  type BuiltinOpenAICompatibleCredential,
  isAzureEndpoint,
  type OpenAICompatibleCredential,
  type OpenAICredential,
} from './credentials.js';

async function createModel(config: ClientConfig, provider: string, native = false): Promise<ChatModel> {
  const built = await createClient(config);
  return new OpenAIChatModel(built, {
    provider,
    secrets: secretsOf(config),
    modelInPath: config.kind === 'azure',
    // OpenAI's own Responses API, and Azure's on the resource's v1 API; compatible servers rarely have one.
    nativeResponses: config.kind === 'azure' || native,
    // OpenAI and Azure serve base64 embeddings (a quarter of the JSON); compatible servers may not.
    base64Embeddings: native || config.kind === 'azure',
  });
}

/** What no error message may echo: the key, and the upstream's host (it may be internal). */
function secretsOf(config: ClientConfig): string[] {
  const url = config.kind === 'azure' ? config.endpoint : config.baseURL;
  const secrets = [new URL(url).host];
  if (config.apiKey) secrets.push(config.apiKey);
  return secrets;
}

function azureConfig(apiKey: string, endpoint: string, apiVersion?: string): ClientConfig {
  return { kind: 'azure', apiKey, endpoint, apiVersion: apiVersion ?? AZURE_DEFAULT_API_VERSION };
}

/** `openai`: api.openai.com, or any base URL; one on `*.azure.com` builds the Azure client (the seed's rule). */
export const openaiFactory: ProviderFactory<OpenAICredential> = {
  type: 'openai',
  credentialSchema: openaiCredentialSchema,
  embeddings: true,
  create(credential: OpenAICredential, options: ProviderOptions): Promise<ChatModel> {
    const baseURL = credential.base_url ?? OPENAI_BASE_URL;
    if (isAzureEndpoint(baseURL)) {
      return createModel(azureConfig(credential.api_key, new URL(baseURL).origin), options.providerName);
    }
    const config: ClientConfig = { kind: 'openai', baseURL, apiKey: credential.api_key };
    if (credential.organization) config.organization = credential.organization;
    return createModel(config, options.providerName, true);
  },
};

/**
 * `azure`: the routed model (`azure/<deployment>`) is the deployment, which AzureOpenAI puts in the path
 * (`/openai/deployments/<deployment>/chat/completions?api-version=…`).
 * @see https://learn.microsoft.com/azure/ai-services/openai/reference
 */
export const azureFactory: ProviderFactory<AzureCredential> = {
  type: 'azure',
  credentialSchema: azureCredentialSchema,
  embeddings: true,
  create(credential: AzureCredential, options: ProviderOptions): Promise<ChatModel> {
    return createModel(
      azureConfig(credential.api_key, credential.endpoint, credential.api_version),
      options.providerName,
    );
  },
};

/** A custom provider (`<name>/<model>`): any OpenAI-compatible server at the project's `base_url`. */
export const openaiCompatibleFactory: ProviderFactory<OpenAICompatibleCredential> = {
  type: 'openai-compatible',
  credentialSchema: openaiCompatibleCredentialSchema,
  embeddings: true,
  create(credential: OpenAICompatibleCredential, options: ProviderOptions): Promise<ChatModel> {
    const config: ClientConfig = { kind: 'openai', baseURL: credential.base_url };
    if (credential.api_key) config.apiKey = credential.api_key;
    if (credential.headers) config.headers = credential.headers;
    return createModel(config, options.providerName);
  },
};

/** Groq, DeepSeek, xAI, …: a custom provider whose base URL the gateway already knows. */
export const builtinOpenAICompatibleFactory: ProviderFactory<BuiltinOpenAICompatibleCredential> = {
  type: 'openai-compatible',
  credentialSchema: builtinOpenAICompatibleCredentialSchema,
  embeddings: true,
  async create(credential: BuiltinOpenAICompatibleCredential, options: ProviderOptions): Promise<ChatModel> {
    const baseURL =
      credential.base_url ??
      options.defaultBaseUrl ??
      (Object.hasOwn(BUILTIN_OPENAI_COMPATIBLE, options.providerName)
        ? BUILTIN_OPENAI_COMPATIBLE[options.providerName]?.baseUrl
        : undefined);
    if (!baseURL) throw new Error(`No base URL is known for the provider '${options.providerName}'.`);
    return createModel({ kind: 'openai', baseURL, apiKey: credential.api_key }, options.providerName);
  },
};
