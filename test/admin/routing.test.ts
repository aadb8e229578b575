import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { matchRoute } from '../../lib/admin/routes.js';
import { startTestStorage, type TestStorage } from '../storage/helpers.js';
import { adminClient, expectError } from './helpers.js';

let storage: TestStorage;

beforeAll(async () => {
  storage = await startTestStorage();
});

afterAll(async () => {
  await storage.close();
});

describe('admin token (local mode)', () => {
  it('answers 401 in the error envelope without the bearer token, or with a wrong one', async () => {
    const api = adminClient(storage.stores, { adminToken: 'tok-admin-1234' });
    for (const authorization of [undefined, 'Bearer wrong', 'Basic tok-admin-1234', 'Bearer ', 'tok-admin-1234']) {
      const reply = await api.call('GET', '/admin/projects', undefined, authorization ? { authorization } : {});
      const error = expectError(reply, 401);
      expect(error.type).toBe('authentication_error');
      expect(reply.headers['www-authenticate']).toBe('Bearer');
      expect(reply.body).not.toContain('tok-admin-1234');
    }
  });

  it('answers 401 before routing, so unknown paths are not told apart', async () => {
    const api = adminClient(storage.stores, { adminToken: 'tok-admin-1234' });
    expectError(await api.call('GET', '/admin/nowhere'), 401);
  });

  it('serves with the right token, whatever the header name case', async () => {
    const api = adminClient(storage.stores, { adminToken: 'tok-admin-1234' });
    expect(
      (await api.call('GET', '/admin/projects', undefined, { Authorization: 'Bearer tok-admin-1234' })).status,
    ).toBe(200);
    expect(
      (await api.call('GET', '/admin/projects', undefined, { authorization: 'bearer tok-admin-1234' })).status,
    ).toBe(200);
  });

  it('admits nobody when the configured token is empty', async () => {
    const api = adminClient(storage.stores, { adminToken: '' });
    expectError(await api.call('GET', '/admin/projects', undefined, { authorization: 'Bearer ' }), 401);
  });

  it('needs no token when none is configured (AWS: IAM guards the Function URL)', async () => {
    const api = adminClient(storage.stores);
    expect((await api.call('GET', '/admin/projects')).status).toBe(200);
  });
});

describe('routing', () => {
  it('answers 405 with allow for a known path and a wrong method', async () => {
    const api = adminClient(storage.stores);
    const reply = await api.call('DELETE', '/admin/projects');
    expect(expectError(reply, 405).code).toBe('method_not_allowed');
    expect(reply.headers.allow).toBe('POST, GET');
    const provider = await api.call('GET', '/admin/projects/proj_1/providers/openai');
    expectError(provider, 405);
    expect(provider.headers.allow).toBe('PUT, DELETE');
  });

  it('answers 404 for unknown paths, including routes of later slices', async () => {
    const api = adminClient(storage.stores);
    for (const path of [
      '/admin',
      '/admin/nothing',
      '/v1/models',
      '/admin/projects/p/keys/k/extra',
      '/admin/projects/%E0%A4%A',
    ]) {
      expect(expectError(await api.call('GET', path), 404).type).toBe('not_found_error');
    }
  });

  it('tolerates a trailing slash and decodes path segments', () => {
    const match = matchRoute('GET', '/admin/projects/proj%5F1/');
    expect(match).toMatchObject({ kind: 'found', params: { project: 'proj_1' } });
    expect(matchRoute('get', '/admin/projects').kind).toBe('found');
    expect(matchRoute('DELETE', '/admin/projects/p/keys/k')).toMatchObject({ params: { project: 'p', key_id: 'k' } });
  });

  it('renders unexpected failures as an opaque 500', async () => {
    const { projects } = storage.stores;
    const broken = {
      ...storage.stores,
      projects: {
        create: (name: string) => projects.create(name),
        get: (id: string) => projects.get(id),
        list: async () => {
          throw new Error('connect ECONNREFUSED 10.0.0.7:8000');
        },
      },
    };
    const log = vi.spyOn(process.stderr, 'write').mockImplementation(() => true);
    const reply = await adminClient(broken).call('GET', '/admin/projects');
    const logged = log.mock.calls.map((args) => String(args[0]));
    log.mockRestore();
    expect(logged).toHaveLength(1);
    // The logs, for the operator, say what failed; the answer, for the caller, does not.
    expect(JSON.parse(logged[0]!)).toMatchObject({
      level: 'error',
      message: 'admin request failed',
      method: 'GET',
      path: '/admin/projects',
      error: { name: 'Error', message: 'connect ECONNREFUSED 10.0.0.7:8000' },
    });
    const error = expectError(reply, 500);
    expect(error.type).toBe('server_error');
    expect(reply.body).not.toContain('10.0.0.7');
  });
});
