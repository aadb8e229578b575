import * as z from 'zod';

/**
 * A project's Bedrock credential (CONTRACT.md §3): IAM keys, a Bedrock API key, or neither (the gateway's own role
 * through the default credential chain). Checked for shape only; the keys pair up or are absent together.
 */
export const bedrockCredentialSchema = z
  .object({
    region: z.string().trim().min(1),
    access_key_id: z.string().min(1).optional(),
    secret_access_key: z.string().min(1).optional(),
    session_token: z.string().min(1).optional(),
    api_key: z.string().min(1).optional(),
    endpoint: z.url({ protocol: /^https?$/ }).optional(),
  })
  .superRefine((credential, ctx) => {
    if (credential.access_key_id && !credential.secret_access_key) {
      ctx.addIssue({
        code: 'custom',
        path: ['secret_access_key'],
        message: 'secret_access_key is required with access_key_id.',
      });
    }
    if (!credential.access_key_id && (credential.secret_access_key || credential.session_token)) {
      ctx.addIssue({
        code: 'custom',
        path: ['access_key_id'],
        message: 'access_key_id is required with secret_access_key and session_token.',
      });
    }
    if (credential.api_key && (credential.access_key_id || credential.secret_access_key)) {
      ctx.addIssue({
        code: 'custom',
        path: ['api_key'],
        message: 'Give either api_key or access keys, not both.',
      });
    }
  });

export type BedrockCredential = z.infer<typeof bedrockCredentialSchema>;
