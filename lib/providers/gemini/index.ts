/**
 * Google's Gemini models, through the official @google/genai SDK, under two provider names: `gemini` (the Gemini
 * API with an api key) and `vertex-ai` (Vertex AI: a Google Cloud project and location, with a service account or
 * an access token). Both share every converter; the SDK is loaded in `create`, never at import (DESIGN.md §2).
 * @see https://ai.google.dev/gemini-api/docs
 * @see https://cloud.google.com/vertex-ai/generative-ai/docs/model-reference/inference
 */
import type { ProviderFactory } from '../../core/types.js';
import { createClient, geminiClientOptions, vertexClientOptions } from './client.js';
import {
  type GeminiCredential,
  geminiCredentialSchema,
  type VertexCredential,
  vertexCredentialSchema,
} from './credentials.js';
import { GeminiChatModel } from './model.js';

export type { GeminiCredential, VertexCredential } from './credentials.js';

/** What no error message may echo: the key or token, and a custom base URL's host (it may be internal). */
function secretsOf(...values: (string | undefined)[]): string[] {
  return values.filter((value): value is string => typeof value === 'string' && value.length > 0);
}

function hostOf(url: string | undefined): string | undefined {
  return url ? new URL(url).host : undefined;
}

export const geminiFactory: ProviderFactory<GeminiCredential> = {
  type: 'gemini',
  credentialSchema: geminiCredentialSchema,
  embeddings: true,
  async create(credential, options) {
    const client = await createClient(geminiClientOptions(credential));
    return new GeminiChatModel(client, {
      provider: options.providerName,
      secrets: secretsOf(credential.api_key, hostOf(credential.base_url)),
    });
  },
};

export const vertexFactory: ProviderFactory<VertexCredential> = {
  type: 'vertex-ai',
  credentialSchema: vertexCredentialSchema,
  embeddings: true,
  async create(credential, options) {
    const client = await createClient(await vertexClientOptions(credential));
    return new GeminiChatModel(client, {
      provider: options.providerName,
      secrets: secretsOf(credential.access_token, hostOf(credential.base_url)),
    });
  },
};
