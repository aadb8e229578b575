import { describe, expect, it } from 'vitest';
import { REDACTED, redact, secretsOfCredential } from '../../lib/core/redact.js';

describe('secretsOfCredential', () => {
  it('takes keys, tokens, header values and URL user info, whatever the provider', () => {
    const secrets = secretsOfCredential({
      type: 'openai-compatible',
      base_url: 'https://svc-user:pa55word@llm.acme.internal/v1',
      api_key: 'sk-acme-1234',
      headers: { 'x-custom-auth': 'hdr-secret-value', 'x-tenant': 'tenant-42' },
      models: [{ id: 'llama-3', input_per_million: 1 }],
    });
    for (const secret of ['sk-acme-1234', 'hdr-secret-value', 'tenant-42', 'svc-user', 'pa55word']) {
      expect(secrets).toContain(secret);
    }
    expect(secrets).not.toContain('llama-3');
    expect(secrets).not.toContain('openai-compatible');
  });

  it('takes AWS keys, tokens and the private key inside a service account', () => {
    const serviceAccount = JSON.stringify({ client_email: 'a@b.iam', private_key: '-----BEGIN PRIVATE KEY-----\nabc' });
    const secrets = secretsOfCredential({
      region: 'us-east-1',
      access_key_id: 'AKIAEXAMPLE000000000',
      secret_access_key: 'wJalrXUtnFEMI/K7MDENG',
      session_token: 'FwoGZXIvYXdzEJr',
      service_account_json: serviceAccount,
    });
    expect(secrets).toEqual(
      expect.arrayContaining([
        'AKIAEXAMPLE000000000',
        'wJalrXUtnFEMI/K7MDENG',
        'FwoGZXIvYXdzEJr',
        serviceAccount,
        '-----BEGIN PRIVATE KEY-----\nabc',
      ]),
    );
    expect(secrets).not.toContain('us-east-1');
  });
});

describe('redact', () => {
  it('replaces each secret, also JSON-escaped and URL-encoded, and the longest first', () => {
    const secrets = secretsOfCredential({ api_key: 'key/with"quote', headers: { a: 'abcd', b: 'abcdef' } });
    const text = `{"headers":{"a":"abcdef"},"k":"key/with\\"quote","u":"?k=${encodeURIComponent('key/with"quote')}"}`;
    const out = redact(text, secrets);
    expect(out).not.toContain('abcd');
    expect(out).not.toContain('key/with');
    expect(out.split(REDACTED)).toHaveLength(4);
  });

  it('ignores secrets too short to be meaningful', () => {
    expect(redact('a b c', ['a', 'b'])).toBe('a b c');
  });
});
