/**
 * The credential shape of `anthropic` (CONTRACT.md §3), checked when the admin API stores one: shape only, never
 * validity. The output type is what the factory receives.
 */
import * as z from 'zod';

export const anthropicCredentialSchema = z.object({
  api_key: z.string().min(1),
  /** The form the SDK takes, e.g. `https://api.anthropic.com` (no `/v1`). */
  base_url: z.url({ protocol: /^https?$/ }).optional(),
});
export type AnthropicCredential = z.infer<typeof anthropicCredentialSchema>;
