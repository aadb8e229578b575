import { createHash, timingSafeEqual } from 'node:crypto';
import { unauthorized } from '../core/errors.js';
import { header } from './http.js';

const digest = (value: string) => createHash('sha256').update(value, 'utf8').digest();

/**
 * Checks `Authorization: Bearer <token>` against the admin token. Digests are compared, in constant time, so
 * neither the token's content nor its length leaks through timing. An empty configured token admits nobody.
 */
export function requireAdminToken(headers: Record<string, string | undefined>, adminToken: string): void {
  const match = /^Bearer[ \t]+(\S+)[ \t]*$/i.exec(header(headers, 'authorization') ?? '');
  const presented = match?.[1];
  if (!presented || adminToken === '' || !timingSafeEqual(digest(presented), digest(adminToken))) {
    throw unauthorized('Invalid or missing admin token.');
  }
}
