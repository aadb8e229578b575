/** A real dynalite in a temp directory with the four tables, and stores on it (local credential store). */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { createStores, type StoreBundle } from '../../lib/storage/index.js';
import { type LocalDynamo, startLocalDynamo } from '../../lib/storage/local-dynamo.js';
import { ensureTables } from '../../lib/storage/tables.js';
import { BatchingRecorder } from '../../lib/usage/batching-recorder.js';
import { CounterWriter } from '../../lib/usage/counter-writer.js';
import type { RecorderLog } from '../../lib/usage/direct-recorder.js';
import { FileSpool } from '../../lib/usage/file-spool.js';

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

/**
 * The local server's recorder on a test storage (rows in batches, counters derived, a spool in the data
 * directory): what `account` writes through in the gateway itself.
 */
export function testRecorder(storage: TestStorage, log: RecorderLog = silentLog): BatchingRecorder {
  return new BatchingRecorder({
    writer: new CounterWriter(storage.stores.dynamodb, storage.stores.tables),
    spool: new FileSpool(storage.dataDir),
    log,
    flushMs: 1,
  });
}

export const silentLog: RecorderLog = { warn: () => {}, error: () => {} };
