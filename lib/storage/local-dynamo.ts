/**
 * DynamoDB for local mode and tests: dynalite (DynamoDB's wire protocol on LevelDB) in this process, on a loopback
 * port, with its data under `<dataDir>/dynamodb` so it survives restarts. Tables change state instantly.
 * dynalite has no transactions and no TTL: the stores use neither.
 * @see https://github.com/architect/dynalite
 */
import { constants } from 'node:fs';
import { access, mkdir } from 'node:fs/promises';
import type { AddressInfo } from 'node:net';
import { join } from 'node:path';
import dynalite from 'dynalite';

export interface LocalDynamo {
  /** `http://127.0.0.1:<port>`: give it to the DynamoDB client as `endpoint`. */
  endpoint: string;
  close(): Promise<void>;
}

export interface LocalDynamoOptions {
  /** Listening port; 0 (the default) picks a free one. */
  port?: number;
}

export async function startLocalDynamo(dataDir: string, options: LocalDynamoOptions = {}): Promise<LocalDynamo> {
  const path = join(dataDir, 'dynamodb');
  await mkdir(path, { recursive: true });
  // LevelDB reports an unwritable directory only on the first request; say so now, where the caller can act.
  await access(path, constants.R_OK | constants.W_OK);
  const server = dynalite({ path, createTableMs: 0, deleteTableMs: 0, updateTableMs: 0 });
  await new Promise<void>((resolve, reject) => {
    const onError = (error: Error) => reject(error);
    server.once('error', onError);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', onError);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  let closing: Promise<void> | undefined;
  return {
    endpoint: `http://127.0.0.1:${port}`,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error?: Error) => (error ? reject(error) : resolve()));
        // Clients keep connections alive; without this, close waits for them to time out.
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
