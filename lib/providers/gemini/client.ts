/**
 * The @google/genai client for each provider name: the Gemini API with an api key, or Vertex AI with a project,
 * a location and a service account or access token. The SDK (and google-auth-library) load on first use, never at
 * import (DESIGN.md §2). Retries are off: the gateway retries and falls back itself.
 * @see https://googleapis.github.io/js-genai/
 */
import type { GoogleGenAI, GoogleGenAIOptions, HttpOptions } from '@google/genai';
import type { JWTInput } from 'google-auth-library';
import { type GeminiCredential, readServiceAccount, type VertexCredential } from './credentials.js';

/** Without `retryOptions` the SDK does not retry today; one attempt says so explicitly, whatever its default becomes. */
function httpOptions(baseUrl: string | undefined): HttpOptions {
  const options: HttpOptions = { retryOptions: { attempts: 1 } };
  if (baseUrl) options.baseUrl = baseUrl;
  return options;
}

export function geminiClientOptions(credential: GeminiCredential): GoogleGenAIOptions {
  return { apiKey: credential.api_key, httpOptions: httpOptions(credential.base_url) };
}

/**
 * Vertex AI options. `project` and `location` are always given, so the SDK builds the regional URL and prefixes
 * paths with `projects/{p}/locations/{l}` even under a custom `base_url`. An access token goes in as an
 * OAuth2Client holding just that token; a service account as google-auth-library credentials (JWT).
 */
export async function vertexClientOptions(credential: VertexCredential): Promise<GoogleGenAIOptions> {
  const options: GoogleGenAIOptions = {
    vertexai: true,
    project: credential.project_id,
    location: credential.location,
    httpOptions: httpOptions(credential.base_url),
  };
  if (credential.access_token) {
    const { OAuth2Client } = await import('google-auth-library');
    const authClient = new OAuth2Client();
    authClient.setCredentials({ access_token: credential.access_token });
    options.googleAuthOptions = { authClient };
  } else if (credential.service_account_json !== undefined) {
    const account = readServiceAccount(credential.service_account_json);
    // The schema checked this when the credential was stored; a default from the environment may skip that.
    if (typeof account === 'string') throw new Error('vertex-ai: service_account_json is not a service account key');
    const credentials: JWTInput = { type: 'service_account', ...account };
    options.googleAuthOptions = { credentials, projectId: credential.project_id };
  }
  return options;
}

export async function createClient(options: GoogleGenAIOptions): Promise<GoogleGenAI> {
  const { GoogleGenAI } = await import('@google/genai');
  return new GoogleGenAI(options);
}
