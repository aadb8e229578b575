/** A real dynalite in a temp directory with the four tables, and stores on it (local credential store). */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStores, type StoreBundle } from '../../lib/storage/index.js';
import { type LocalDynamo, startLocalDynamo } from '../../lib/storage/local-dynamo.js';
import { ensureTables } from '../../lib/storage/tables.js';

export interface TestStorage {
  dataDir: string;
  dynamo: LocalDynamo;
  stores: StoreBundle;
  close(): Promise<void>;
}

export async function makeTempDir(prefix = 'gw-storage-'): Promise<string> {
  return mkdtemp(join(tmpdir(), prefix));
}

export async function startTestStorage(): Promise<TestStorage> {
  const dataDir = await makeTempDir();
  const dynamo = await startLocalDynamo(dataDir);
  const stores = createStores({
    dynamodb: { endpoint: dynamo.endpoint },
    credentials: { kind: 'local', dataDir },
  });
  await ensureTables(stores.dynamodb, stores.tables);
  return {
    dataDir,
    dynamo,
    stores,
    async close() {
      stores.dynamodb.destroy();
      await dynamo.close();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}
