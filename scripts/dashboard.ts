/**
 * `npm run dashboard -- --url <AdminUrl> [--port 8788]`: the dashboard for a deployed stack, on 127.0.0.1, its admin
 * calls signed with SigV4 from your usual AWS credentials (environment, profile, SSO), as `npm run admin` signs.
 * `GATEWAY_ADMIN_URL` stands in for `--url`.
 */
import { parseArgs } from 'node:util';
import { startDashboardProxy } from './dashboard-proxy.js';

const USAGE = 'usage: npm run dashboard -- --url <admin Function URL> [--port 8788]';

async function main(): Promise<void> {
  const { values } = parseArgs({
    options: { url: { type: 'string' }, port: { type: 'string', default: '8788' } },
    allowPositionals: false,
  });
  const adminUrl = values.url ?? process.env.GATEWAY_ADMIN_URL;
  if (!adminUrl) throw new Error(USAGE);
  if (!URL.canParse(adminUrl)) throw new Error(`--url ${adminUrl} is not a URL. ${USAGE}`);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65535) throw new Error(`--port ${values.port} is not a port.`);
  const proxy = await startDashboardProxy({ adminUrl, port }).catch((error: NodeJS.ErrnoException) => {
    throw error.code === 'EADDRINUSE' ? new Error(`Port ${port} is in use: pass --port with a free one.`) : error;
  });
  process.stdout.write(
    `Dashboard for ${adminUrl}\n  ${proxy.url}/dashboard\n` +
      'Admin calls are signed with your AWS credentials (the default chain). Ctrl-C stops it.\n',
  );
  const stop = () => void proxy.close().then(() => process.exit(0));
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  process.stderr.write(`error: ${error instanceof Error ? error.message : String(error)}\n`);
  process.exit(1);
});
