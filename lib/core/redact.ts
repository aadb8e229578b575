/**
 * One redaction list per credential, whatever the provider (CONTRACT.md §6): every secret a credential holds is
 * taken out of the messages the gateway shows or logs, because upstreams echo requests back in their errors (a
 * custom provider's 400 that quotes its request headers, a proxy that repeats the URL it was called with).
 *
 * Secrets: every string under a key that names one (`api_key`, `access_token`, `secret_access_key`,
 * `session_token`, `service_account_json`, a `private_key` inside it, `password`, …), every value of `headers`,
 * and the user and password of any URL.
 */

/** Keys whose string values are secrets, wherever they sit in a credential. */
const SECRET_KEYS =
  /(?:^|_)(?:key|key_id|token|secret|password|passphrase|credentials?|private_key|service_account_json)$/i;

/** Values shorter than this are not replaced: `"1"` would shred every message. */
const MIN_SECRET_LENGTH = 4;

export function secretsOfCredential(credential: unknown): string[] {
  const secrets = new Set<string>();
  const add = (value: string) => {
    if (value.length >= MIN_SECRET_LENGTH) secrets.add(value);
  };
  const addUrlUserInfo = (value: string) => {
    if (!/^[a-z][a-z0-9+.-]*:\/\//i.test(value)) return;
    try {
      const url = new URL(value);
      if (url.username) add(decodeURIComponent(url.username));
      if (url.password) add(decodeURIComponent(url.password));
      if (url.username || url.password) {
        add(`${url.username}:${url.password}`);
        add(`${url.username}:${url.password}@`);
      }
    } catch {
      // not a URL after all
    }
  };
  // Iterative over a bounded credential (admin bodies are validated), every string visited once.
  const stack: { value: unknown; secret: boolean; depth: number }[] = [{ value: credential, secret: false, depth: 0 }];
  while (stack.length > 0) {
    const { value, secret, depth } = stack.pop()!;
    if (typeof value === 'string') {
      if (secret) {
        add(value);
        // A JSON document as a secret (a service account): its private key and the like are secrets on their own.
        if (value.trimStart().startsWith('{') && depth < 4) {
          try {
            stack.push({ value: JSON.parse(value), secret: false, depth: depth + 1 });
          } catch {
            // not JSON
          }
        }
      } else addUrlUserInfo(value);
      continue;
    }
    if (typeof value !== 'object' || value === null || depth > 8) continue;
    for (const [key, child] of Object.entries(value)) {
      const childIsSecret = secret || key === 'headers' || SECRET_KEYS.test(key);
      stack.push({ value: child, secret: childIsSecret, depth: depth + 1 });
    }
  }
  // Longest first, so a secret that contains another is replaced whole.
  return [...secrets].sort((a, b) => b.length - a.length);
}

export const REDACTED = '[redacted]';

/** `text` with every secret replaced; also each secret's JSON-escaped and URL-encoded forms. */
export function redact(text: string, secrets: readonly string[]): string {
  let out = text;
  for (const secret of secrets) {
    for (const form of new Set([secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)])) {
      if (form.length >= MIN_SECRET_LENGTH && out.includes(form)) out = out.split(form).join(REDACTED);
    }
  }
  return out;
}
