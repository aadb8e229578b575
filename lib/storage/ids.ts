import { createHash, randomBytes } from 'node:crypto';

/** An id such as `proj_` + 24 hex characters (96 random bits: no coordination needed between processes). */
export function newId(prefix: 'proj_' | 'key_'): string {
  return `${prefix}${randomBytes(12).toString('hex')}`;
}

/** A new gateway key: `gw-` and 32 random bytes in base64url (43 characters). */
export function newGatewayKey(): string {
  return `gw-${randomBytes(32).toString('base64url')}`;
}

/** The sha256 (hex) of a gateway key: the only form in which a key is stored or looked up. */
export function hashKey(key: string): string {
  return createHash('sha256').update(key, 'utf8').digest('hex');
}
