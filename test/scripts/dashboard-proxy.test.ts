/**
 * `npm run dashboard`'s server (scripts/dashboard-proxy.ts) and the SigV4 signing it shares with `npm run admin`
 * (scripts/sigv4.ts), against a loopback stand-in for the IAM-authorised admin Function URL that checks each
 * signature from AWS's specification (test/helpers/sigv4-stand-in.ts), in front of the real local admin API.
 */
import { request } from 'node:http';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { type DashboardProxy, startDashboardProxy } from '../../scripts/dashboard-proxy.js';
import { adminClient, regionOf } from '../../scripts/sigv4.js';
import { startTestGateway, type TestGateway } from '../helpers/local-gateway.js';
import { type SigV4StandIn, startSigV4StandIn, TEST_CREDENTIALS, TEST_REGION } from '../helpers/sigv4-stand-in.js';

let gateway: TestGateway;
let standIn: SigV4StandIn;
let proxy: DashboardProxy;
let projectId: string;

beforeAll(async () => {
  gateway = await startTestGateway();
  projectId = (await gateway.admin<{ id: string }>('POST', '/admin/projects', { name: 'signed' })).body.id;
  standIn = await startSigV4StandIn(gateway.url, gateway.gateway.adminToken);
  proxy = await startDashboardProxy({
    adminUrl: standIn.url,
    port: 0,
    region: TEST_REGION,
    credentials: TEST_CREDENTIALS,
  });
});

afterAll(async () => {
  await proxy?.close();
  await standIn?.close();
  await gateway?.close();
});

/** A raw request, so that Host and Origin can be whatever a hostile page would send. */
function raw(path: string, headers: Record<string, string>, method = 'GET'): Promise<{ status: number; body: string }> {
  return new Promise((resolve, reject) => {
    const req = request(`${proxy.url}${path}`, { method, headers }, (res) => {
      let body = '';
      res.on('data', (chunk) => {
        body += chunk;
      });
      res.on('end', () => resolve({ status: res.statusCode ?? 0, body }));
    });
    req.on('error', reject);
    req.end();
  });
}

describe('the SigV4 admin client (npm run admin, npm run dashboard)', () => {
  it('signs path, query and body so that the stand-in accepts them', async () => {
    const client = adminClient(standIn.url, { region: TEST_REGION, credentials: TEST_CREDENTIALS });
    const made = await client.send('POST', '/admin/projects', JSON.stringify({ name: 'made signed' }));
    expect(made.status).toBe(201);
    const usage = await client.send(
      'GET',
      `/admin/projects/${projectId}/usage?to=2026-01-31&from=2026-01-01&group_by=day`,
    );
    expect(usage.status).toBe(200);
    expect(await usage.json()).toMatchObject({ from: '2026-01-01', to: '2026-01-31', group_by: 'day' });
  });

  it('is refused by the stand-in with the wrong secret', async () => {
    const refused = standIn.counts.refused;
    const client = adminClient(standIn.url, {
      region: TEST_REGION,
      credentials: { ...TEST_CREDENTIALS, secretAccessKey: 'not-the-secret' },
    });
    const answer = await client.send('GET', '/admin/projects');
    expect(answer.status).toBe(403);
    expect(await answer.text()).toContain('signature does not match');
    expect(standIn.counts.refused).toBe(refused + 1);
  });

  it('takes the region from a Function URL, else from AWS_REGION', () => {
    expect(regionOf(new URL('https://abc123.lambda-url.ap-south-1.on.aws/'), {})).toBe('ap-south-1');
    expect(regionOf(new URL('http://127.0.0.1:9/'), { AWS_REGION: 'us-west-2' })).toBe('us-west-2');
    expect(() => regionOf(new URL('http://127.0.0.1:9/'), {})).toThrow(/AWS_REGION/);
  });
});

describe('the npm run dashboard server', () => {
  it('serves the page in its signed mode and forwards admin reads, signed', async () => {
    const page = await fetch(`${proxy.url}/dashboard`);
    expect(page.status).toBe(200);
    expect(await page.text()).toContain('<meta name="admin-auth" content="sigv4">');
    const verified = standIn.counts.verified;
    const projects = await fetch(`${proxy.url}/admin/projects`);
    expect(projects.status).toBe(200);
    expect(((await projects.json()) as { data: { id: string }[] }).data.map((p) => p.id)).toContain(projectId);
    expect(standIn.counts.verified).toBe(verified + 1);
  });

  it('passes the admin API’s own errors through', async () => {
    const missing = await fetch(`${proxy.url}/admin/projects/proj_000000000000000000000000/latency`);
    expect(missing.status).toBe(404);
    expect(((await missing.json()) as { error: { code: string } }).error.code).toBe('project_not_found');
  });

  it('only reads: any other method is 405 and never reaches the admin URL', async () => {
    const verified = standIn.counts.verified;
    const answer = await fetch(`${proxy.url}/admin/projects`, { method: 'POST', body: '{"name":"x"}' });
    expect(answer.status).toBe(405);
    expect(standIn.counts.verified).toBe(verified);
  });

  it('refuses another Host (DNS rebinding) and calls from another origin', async () => {
    const port = new URL(proxy.url).port;
    expect((await raw('/admin/projects', { host: `evil.example:${port}` })).status).toBe(403);
    expect((await raw('/admin/projects', { host: `127.0.0.1:${port}`, origin: 'https://evil.example' })).status).toBe(
      403,
    );
    expect((await raw('/admin/projects', { host: `localhost:${port}`, 'sec-fetch-site': 'cross-site' })).status).toBe(
      403,
    );
    expect(
      (await raw('/admin/projects', { host: `localhost:${port}`, origin: `http://localhost:${port}` })).status,
    ).toBe(200);
  });

  it('says 502 when the admin URL cannot be reached', async () => {
    const lost = await startDashboardProxy({
      adminUrl: 'http://127.0.0.1:9/',
      port: 0,
      region: TEST_REGION,
      credentials: TEST_CREDENTIALS,
    });
    try {
      const answer = await fetch(`${lost.url}/admin/projects`);
      expect(answer.status).toBe(502);
      expect(((await answer.json()) as { error: { code: string } }).error.code).toBe('admin_unreachable');
    } finally {
      await lost.close();
    }
  });
});
