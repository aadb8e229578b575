import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestStorage, type TestStorage } from '../storage/helpers.js';
import { adminClient, expectError } from './helpers.js';

let storage: TestStorage;
let api: ReturnType<typeof adminClient>;

beforeAll(async () => {
  storage = await startTestStorage();
  api = adminClient(storage.stores);
});

afterAll(async () => {
  await storage.close();
});

describe('projects', () => {
  it('creates a project: 201 with id, name and created_at', async () => {
    const reply = await api.call('POST', '/admin/projects', { name: 'Acme' });
    expect(reply.status).toBe(201);
    expect(reply.headers['content-type']).toMatch(/^application\/json/);
    expect(reply.json).toEqual({
      id: expect.stringMatching(/^proj_[0-9a-f]{24}$/),
      name: 'Acme',
      created_at: expect.any(String),
    });
    expect(Number.isNaN(Date.parse(reply.json.created_at))).toBe(false);
    expect(await storage.stores.projects.get(reply.json.id)).toEqual(reply.json);
  });

  it('lists projects as {data: [...]} oldest first and gets one by id', async () => {
    const a = (await api.call('POST', '/admin/projects', { name: 'list-a' })).json;
    const b = (await api.call('POST', '/admin/projects', { name: 'list-b' })).json;

    const list = await api.call('GET', '/admin/projects');
    expect(list.status).toBe(200);
    const ids = list.json.data.map((p: { id: string }) => p.id);
    expect(ids).toContain(a.id);
    expect(ids.indexOf(a.id)).toBeLessThan(ids.indexOf(b.id));

    const one = await api.call('GET', `/admin/projects/${b.id}`);
    expect(one.status).toBe(200);
    expect(one.json).toEqual(b);
  });

  it('answers 404 project_not_found for an unknown or malformed project id', async () => {
    const unknown = expectError(await api.call('GET', '/admin/projects/proj_000000000000000000000000'), 404);
    expect(unknown.code).toBe('project_not_found');
    expectError(await api.call('GET', '/admin/projects/..%2F..%2Fetc'), 404);
  });

  it('rejects a project without a name, naming the field', async () => {
    for (const body of [{}, { name: '' }, { name: '   ' }, { name: 42 }, undefined]) {
      const error = expectError(await api.call('POST', '/admin/projects', body), 400);
      expect(error.param).toBe('name');
      expect(error.type).toBe('invalid_request_error');
    }
  });

  it('rejects unknown fields by name', async () => {
    const error = expectError(await api.call('POST', '/admin/projects', { name: 'x', nmae: 'y' }), 400);
    expect(error.param).toBe('nmae');
  });

  it('answers 400 invalid_json for a body that is not JSON, and 400 for one that is not an object', async () => {
    const error = expectError(await api.call('POST', '/admin/projects', '{"name": '), 400);
    expect(error.code).toBe('invalid_json');
    expectError(await api.call('POST', '/admin/projects', '["a"]'), 400);
  });
});
