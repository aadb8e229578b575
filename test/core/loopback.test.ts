import { Agent, createServer, get } from 'node:http';
import { describe, expect, it } from 'vitest';
import { listenOnLoopback } from '../../lib/core/loopback.js';

const hello = () => createServer((_req, res) => res.end('hello'));

describe('listenOnLoopback', () => {
  it('listens on 127.0.0.1 on a free port, and closes at once despite a kept-alive connection', async () => {
    const server = hello();
    const listening = await listenOnLoopback(server);
    expect(listening.url).toBe(`http://127.0.0.1:${listening.port}`);
    expect(listening.port).toBeGreaterThan(0);
    const agent = new Agent({ keepAlive: true });
    const body = await new Promise<string>((resolve, reject) => {
      get(listening.url, { agent }, (res) => {
        let text = '';
        res.on('data', (chunk: Buffer) => {
          text += chunk.toString();
        });
        res.on('end', () => resolve(text));
      }).on('error', reject);
    });
    expect(body).toBe('hello');
    // The agent keeps its socket open: without dropping it, close would wait for the keep-alive timeout.
    await listening.close();
    expect(server.listening).toBe(false);
    await expect(listening.close()).resolves.toBeUndefined();
    agent.destroy();
  });

  it('fails on a port already in use', async () => {
    const first = await listenOnLoopback(hello());
    await expect(listenOnLoopback(hello(), first.port)).rejects.toMatchObject({ code: 'EADDRINUSE' });
    await first.close();
  });
});
