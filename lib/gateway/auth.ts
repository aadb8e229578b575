/**
 * Step 1 of the pipeline: `Authorization: Bearer gw-…` (or `x-api-key: gw-…`) → the key's record, which decides
 * the project. Keys are
 * looked up by sha256 only; the key store caches records ≤ 60 s and forgets a revoked key at once in-process.
 */

import { unauthorized } from '../core/errors.js';
import { hashKey } from '../storage/ids.js';
import type { KeyRecord, KeyStore } from '../storage/types.js';

export function bearerToken(authorization: string | undefined): string | undefined {
  if (!authorization) return undefined;
  const match = /^Bearer\s+(\S+)\s*$/i.exec(authorization);
  return match?.[1];
}

export async function authenticate(
  headers: Record<string, string | undefined>,
  keys: KeyStore,
  now: Date,
): Promise<KeyRecord> {
  // `x-api-key` is how the Anthropic SDKs and Claude Code send a key (CONTRACT.md §5); any path takes either.
  const token = bearerToken(headers.authorization) ?? (headers['x-api-key']?.trim() || undefined);
  if (!token) {
    throw unauthorized('Missing gateway API key: send it as `Authorization: Bearer <key>` (or `x-api-key: <key>`).');
  }
  const record = await keys.findByHash(hashKey(token));
  if (!record) throw unauthorized('Invalid gateway API key.');
  if (record.revoked_at) throw unauthorized('This gateway API key has been revoked.');
  if (record.expires_at && Date.parse(record.expires_at) <= now.getTime()) {
    throw unauthorized('This gateway API key has expired.');
  }
  return record;
}
