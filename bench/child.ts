/**
 * The gateway as `npm start` runs it (local/server.ts in its own node process, which forks dynalite), so its latency
 * is not shared with the client's and simulator's event loop, and its CPU and memory can be read from /proc.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { childPids, processMemory } from './proc.js';
import { adminClient, provision } from './setup.js';
import { baseEnv, spawnServer } from './spawn.js';

export interface ChildGateway {
  url: string;
  pid: number;
  key: string;
  /** The processes it started itself (dynalite, the local stand-in for DynamoDB). */
  helperPids(): Promise<number[]>;
  /** VmRSS and VmHWM (peak RSS) in bytes, or undefined where /proc is missing. */
  memory(): Promise<{ rss: number; peak: number } | undefined>;
  close(): Promise<void>;
}

export async function startChildGateway(simUrl: string, projectRoot: string): Promise<ChildGateway> {
  const dataDir = await mkdtemp(join(tmpdir(), 'gateway-bench-child-'));
  const adminToken = `bench-admin-${Math.random().toString(36).slice(2)}`;
  const server = await spawnServer({
    name: 'the gateway (local/server.ts)',
    args: ['--import', 'tsx', 'local/server.ts'],
    cwd: projectRoot,
    env: { ...baseEnv, PORT: '0', GATEWAY_DATA_DIR: dataDir, GATEWAY_ADMIN_TOKEN: adminToken },
    ready: /on (http:\/\/[\d.]+:\d+)/,
  }).catch(async (error: unknown) => {
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  });
  try {
    const key = await provision(adminClient(server.url, adminToken), simUrl);
    return {
      url: server.url,
      pid: server.pid,
      key,
      helperPids: () => childPids(server.pid),
      memory: () => processMemory(server.pid),
      async close() {
        await server.close();
        await rm(dataDir, { recursive: true, force: true });
      },
    };
  } catch (error) {
    await server.close();
    await rm(dataDir, { recursive: true, force: true });
    throw error;
  }
}
