/**
 * The Portkey gateway (`@portkey-ai/gateway`, a dev dependency) as a comparison target: its own `build/start-server.js`
 * (what `npx @portkey-ai/gateway` runs) in a child process, headless, offline. It takes the upstream per request:
 * `x-portkey-provider: openai` and `x-portkey-custom-host: <simulator>/v1`, and passes the bearer token on.
 * bench/portkey-preload.mjs puts it on 127.0.0.1 port 0 and works around Portkey-AI/gateway#1389 (streams fail
 * with the @hono/node-server version npm resolves for it); see that file.
 */
import { readFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { dirname, join } from 'node:path';
import type { Target } from './clients.js';
import { type ServerProcess, spawnServer } from './spawn.js';

export interface Portkey extends ServerProcess {
  version: string;
}

export async function startPortkey(projectRoot: string): Promise<Portkey> {
  const manifest = createRequire(join(projectRoot, 'package.json')).resolve('@portkey-ai/gateway/package.json');
  const { version, bin } = JSON.parse(await readFile(manifest, 'utf8')) as { version: string; bin: string };
  const server = await spawnServer({
    name: 'Portkey',
    args: ['--import', join(projectRoot, 'bench', 'portkey-preload.mjs'), join(dirname(manifest), bin), '--headless'],
    cwd: projectRoot,
    ready: /BENCH-LISTENING (\d+)/,
  });
  return { ...server, version };
}

/** The OpenAI simulator through Portkey: same bearer token and model as the direct target. */
export function portkeyTarget(portkeyUrl: string, simUrl: string, apiKey: string, model: string): Target {
  return {
    name: 'Portkey',
    baseURL: `${portkeyUrl}/v1`,
    apiKey,
    model,
    headers: { 'x-portkey-provider': 'openai', 'x-portkey-custom-host': `${simUrl}/v1` },
  };
}
