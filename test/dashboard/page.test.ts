/**
 * The dashboard page as the local server serves it (CONTRACT.md §7): one self-contained HTML answer whose
 * Content-Security-Policy admits its own inline script and style by hash and nothing from elsewhere.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestGateway, type TestGateway } from '../helpers/local-gateway.js';

let gateway: TestGateway;

beforeAll(async () => {
  gateway = await startTestGateway();
});

afterAll(async () => {
  await gateway?.close();
});

const hashOf = (text: string) => `'sha256-${createHash('sha256').update(text, 'utf8').digest('base64')}'`;

describe('GET /dashboard', () => {
  it('answers the page, with and without a trailing slash, without asking for the token', async () => {
    for (const path of ['/dashboard', '/dashboard/']) {
      const response = await fetch(`${gateway.url}${path}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/html; charset=utf-8');
      expect(await response.text()).toContain('<title>LLM gateway · dashboard</title>');
    }
  });

  it('inlines its script and style, each allowed by its hash, and loads nothing from another origin', async () => {
    const response = await fetch(`${gateway.url}/dashboard`);
    const html = await response.text();
    const script = /<script>([\s\S]*)<\/script>/.exec(html)?.[1] ?? '';
    const style = /<style>([\s\S]*)<\/style>/.exec(html)?.[1] ?? '';
    expect(script).toContain("const TOKEN_KEY = 'gateway-admin-token'");
    expect(style).toContain('--accent');
    const policy = response.headers.get('content-security-policy') ?? '';
    expect(policy).toContain(`script-src ${hashOf(script)}`);
    expect(policy).toContain(`style-src ${hashOf(style)}`);
    expect(policy).toContain("default-src 'none'");
    expect(policy).toContain("connect-src 'self'");
    expect(html).not.toMatch(/\b(?:src|href)=["']?(?:https?:)?\/\//);
  });

  it('leaves other methods and paths to the gateway', async () => {
    expect((await fetch(`${gateway.url}/dashboard`, { method: 'POST' })).status).toBe(404);
    expect((await fetch(`${gateway.url}/dashboard/x`)).status).toBe(404);
  });
});
