import { rm } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createStores } from '../../lib/storage/index.js';
import { startLocalDynamo } from '../../lib/storage/local-dynamo.js';
import { ensureTables } from '../../lib/storage/tables.js';
import { makeTempDir } from './helpers.js';

let dataDir: string;

beforeAll(async () => {
  dataDir = await makeTempDir('gw-dynalite-');
});

afterAll(async () => {
  await rm(dataDir, { recursive: true, force: true });
});

describe('startLocalDynamo', () => {
  it('listens on a loopback port and keeps data under <dataDir>/dynamodb across restarts', async () => {
    const first = await startLocalDynamo(dataDir);
    expect(first.endpoint).toMatch(/^http:\/\/127\.0\.0\.1:\d+$/);
    const before = createStores({ dynamodb: { endpoint: first.endpoint }, credentials: { kind: 'local', dataDir } });
    await ensureTables(before.dynamodb, before.tables);
    const project = await before.projects.create('persisted');
    before.dynamodb.destroy();
    await first.close();

    const second = await startLocalDynamo(dataDir);
    const after = createStores({ dynamodb: { endpoint: second.endpoint }, credentials: { kind: 'local', dataDir } });
    await ensureTables(after.dynamodb, after.tables);
    expect(await after.projects.get(project.id)).toEqual(project);
    after.dynamodb.destroy();
    await second.close();
  });

  it('closes idempotently', async () => {
    const dir = await makeTempDir('gw-dynalite-close-');
    const dynamo = await startLocalDynamo(dir);
    await Promise.all([dynamo.close(), dynamo.close()]);
    await rm(dir, { recursive: true, force: true });
  });

  it('runs in a child process that keeps the data and stops on close', async () => {
    const dir = await makeTempDir('gw-dynalite-child-');
    const first = await startLocalDynamo(dir, { mode: 'child' });
    const stores = createStores({
      dynamodb: { endpoint: first.endpoint },
      credentials: { kind: 'local', dataDir: dir },
    });
    await ensureTables(stores.dynamodb, stores.tables);
    const project = await stores.projects.create('in a child');
    await first.close();
    await expect(stores.projects.get(project.id)).rejects.toThrow();
    stores.dynamodb.destroy();

    const second = await startLocalDynamo(dir, { mode: 'child' });
    const again = createStores({
      dynamodb: { endpoint: second.endpoint },
      credentials: { kind: 'local', dataDir: dir },
    });
    expect(await again.projects.get(project.id)).toEqual(project);
    again.dynamodb.destroy();
    await second.close();
    await rm(dir, { recursive: true, force: true });
  });
});
