/**
 * Credential shapes of `gemini` and `vertex-ai` (CONTRACT.md §3), checked when the admin API stores one: shape
 * only, never validity. Output types are what the factories receive.
 */
import * as z from 'zod';

export const geminiCredentialSchema = z.object({
  api_key: z.string().min(1),
  base_url: z.url().optional(),
});
export type GeminiCredential = z.infer<typeof geminiCredentialSchema>;

/** The fields of a service account key file the gateway uses; the rest of the file is ignored. */
export interface ServiceAccount {
  client_email: string;
  private_key: string;
  private_key_id?: string;
  project_id?: string;
}

export const vertexCredentialSchema = z
  .object({
    project_id: z.string().min(1),
    location: z.string().min(1),
    /** The key file of a service account, as its JSON text or as an object. */
    service_account_json: z.union([z.string().min(1), z.record(z.string(), z.unknown())]).optional(),
    /** An OAuth access token used as it is (it expires: the caller keeps it fresh). */
    access_token: z.string().min(1).optional(),
    base_url: z.url().optional(),
  })
  .superRefine((credential, ctx) => {
    const { service_account_json: account, access_token: token } = credential;
    if (account === undefined && token === undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['service_account_json'],
        message: 'vertex-ai needs service_account_json or access_token',
      });
      return;
    }
    if (account !== undefined && token !== undefined) {
      ctx.addIssue({
        code: 'custom',
        path: ['access_token'],
        message: 'give service_account_json or access_token, not both',
      });
      return;
    }
    if (account === undefined) return;
    const parsed = readServiceAccount(account);
    if (typeof parsed === 'string') {
      ctx.addIssue({
        code: 'custom',
        path: ['service_account_json', ...(parsed ? [parsed] : [])],
        message: parsed ? 'required' : 'must be a service account key file (JSON)',
      });
    }
  });
export type VertexCredential = z.infer<typeof vertexCredentialSchema>;

/**
 * The service account in `service_account_json`, or the name of its missing field ('' when it is not JSON).
 * Only a service account key (`client_email`, `private_key`) is taken: other credential configurations (external
 * accounts) can make google-auth-library read local files or call URLs, which a stored credential must not do.
 */
export function readServiceAccount(value: string | Record<string, unknown>): ServiceAccount | string {
  let json: unknown = value;
  if (typeof value === 'string') {
    try {
      json = JSON.parse(value);
    } catch {
      return '';
    }
  }
  if (typeof json !== 'object' || json === null || Array.isArray(json)) return '';
  const record = json as Record<string, unknown>;
  for (const field of ['client_email', 'private_key'] as const) {
    if (typeof record[field] !== 'string' || record[field] === '') return field;
  }
  const account: ServiceAccount = {
    client_email: record.client_email as string,
    private_key: record.private_key as string,
  };
  if (typeof record.private_key_id === 'string') account.private_key_id = record.private_key_id;
  if (typeof record.project_id === 'string') account.project_id = record.project_id;
  return account;
}
