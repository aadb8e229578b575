/**
 * Credential shapes of the OpenAI family (CONTRACT.md §3), checked when the admin API stores one: shape only, never
 * validity. Output types are what the factories receive.
 */
import * as z from 'zod';

/** RFC 9110 token: what `fetch` accepts as a header name, so a bad name is a 400 at PUT time, not a failed call. */
const HEADER_NAME = /^[!#$%&'*+\-.^_`|~0-9A-Za-z]+$/;

export const openaiCredentialSchema = z.object({
  api_key: z.string().min(1),
  base_url: z.url().optional(),
  organization: z.string().min(1).optional(),
});
export type OpenAICredential = z.infer<typeof openaiCredentialSchema>;

export const AZURE_DEFAULT_API_VERSION = '2024-10-21';

export const azureCredentialSchema = z.object({
  api_key: z.string().min(1),
  endpoint: z.url(),
  /** Absent means AZURE_DEFAULT_API_VERSION, applied when the client is built so stored credentials follow it. */
  api_version: z.string().min(1).optional(),
  /**
   * Which OpenAI model each deployment runs (`{"prod-chat": "gpt-4o"}`), for pricing: a deployment prices as the
   * model it deploys, and without an entry as the OpenAI model of the same name.
   */
  deployments: z.record(z.string().min(1), z.string().min(1)).optional(),
});
export type AzureCredential = z.infer<typeof azureCredentialSchema>;

export const openaiCompatibleCredentialSchema = z.object({
  type: z.literal('openai-compatible'),
  base_url: z.url(),
  api_key: z.string().optional(),
  headers: z.record(z.string().regex(HEADER_NAME, 'not a valid HTTP header name'), z.string()).optional(),
  models: z
    .array(
      z.object({
        id: z.string().min(1),
        input_per_million: z.number().min(0).optional(),
        output_per_million: z.number().min(0).optional(),
      }),
    )
    .optional(),
});
export type OpenAICompatibleCredential = z.infer<typeof openaiCompatibleCredentialSchema>;

export const builtinOpenAICompatibleCredentialSchema = z.object({
  api_key: z.string().min(1),
  base_url: z.url().optional(),
});
export type BuiltinOpenAICompatibleCredential = z.infer<typeof builtinOpenAICompatibleCredentialSchema>;

/** The seed's `is_azure_endpoint`: an `openai` credential whose base URL is on `*.azure.com` is Azure OpenAI. */
export function isAzureEndpoint(url: string): boolean {
  let host: string;
  try {
    host = new URL(url).hostname.toLowerCase();
  } catch {
    return false;
  }
  return host === 'azure.com' || host.endsWith('.azure.com');
}
