/**
 * `npm start`: the gateway on http://127.0.0.1:${PORT:-8787} with embedded storage under ${GATEWAY_DATA_DIR:-.gateway}
 * (CONTRACT.md §1). On first start it makes a `default` project and key and prints a curl that works.
 */
import './quiet-warnings.js';
import { configuredDefaults, defaultsFromEnv } from '../lib/gateway/defaults.js';
import { DEFAULT_PROJECT, type DefaultProject, ensureDefaultProject } from './default-project.js';
import { type LocalGateway, StartupError, startLocalGateway } from './gateway.js';

function banner(gateway: LocalGateway, project: DefaultProject): string {
  const { url, adminToken, dataDir } = gateway;
  const defaults = configuredDefaults(defaultsFromEnv(process.env)).filter((name) => name !== 'bedrock');
  const model = defaults.includes('openai')
    ? 'openai/gpt-4o-mini'
    : defaults.includes('anthropic')
      ? 'anthropic/claude-haiku-4-5'
      : defaults.includes('gemini')
        ? 'gemini/gemini-2.0-flash'
        : 'openai/gpt-4o-mini';
  const key = project.key ?? '<your gateway key>';
  const lines = [
    `LLM gateway (local) on ${url}`,
    `  OpenAI base URL  ${url}/v1`,
    `  admin API        ${url}/admin   (Authorization: Bearer ${adminToken})`,
    `  dashboard        ${url}/dashboard   (asks for the admin token above)`,
    `  data             ${dataDir}`,
    '',
  ];
  if (project.key) {
    lines.push(`Made project "${DEFAULT_PROJECT}" (${project.projectId}) and its first key, shown this once:`);
    lines.push(`  ${project.key}`, '');
  } else {
    lines.push(`Project ${project.projectId}. Make a key (shown once) with:`);
    lines.push(
      `  curl -s -X POST ${url}/admin/projects/${project.projectId}/keys -H 'authorization: Bearer ${adminToken}' -H 'content-type: application/json' -d '{"name":"laptop"}'`,
      '',
    );
  }
  lines.push(
    defaults.length
      ? `Default credentials from the environment: ${defaults.join(', ')}`
      : 'No provider key in the environment.',
  );
  lines.push(
    'Try it:',
    `  curl -s ${url}/v1/chat/completions -H 'authorization: Bearer ${key}' -H 'content-type: application/json' -d '{"model":"${model}","messages":[{"role":"user","content":"Say hello"}]}'`,
  );
  if (defaults.length === 0) {
    lines.push(
      '',
      'To make that work, store a provider credential for the project in one command:',
      `  curl -s -X PUT ${url}/admin/projects/${project.projectId}/providers/openai -H 'authorization: Bearer ${adminToken}' -H 'content-type: application/json' -d '{"api_key":"sk-..."}'`,
      'or set OPENAI_API_KEY (ANTHROPIC_API_KEY, GEMINI_API_KEY) before npm start.',
      'No key and no network? `npm run demo` serves a simulated provider as `demo/echo` and streams an answer.',
    );
  }
  lines.push('', 'Ctrl-C stops the gateway.');
  return lines.join('\n');
}

async function main(): Promise<void> {
  const port = process.env.PORT ? Number(process.env.PORT) : 8787;
  if (!Number.isInteger(port) || port < 0 || port > 65535)
    throw new StartupError(`PORT=${process.env.PORT} is not a port number.`);
  const grace = process.env.GATEWAY_SHUTDOWN_GRACE_MS;
  const shutdownGraceMs = grace === undefined || grace === '' ? undefined : Number(grace);
  if (
    shutdownGraceMs !== undefined &&
    !(Number.isFinite(shutdownGraceMs) && shutdownGraceMs >= 0 && shutdownGraceMs <= 10_000)
  )
    throw new StartupError(`GATEWAY_SHUTDOWN_GRACE_MS=${grace} is not a number of milliseconds from 0 to 10000.`);
  const gateway = await startLocalGateway({ port, ...(shutdownGraceMs !== undefined ? { shutdownGraceMs } : {}) });
  const project = await ensureDefaultProject(gateway.stores);
  process.stdout.write(`${banner(gateway, project)}\n`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    process.stdout.write('\nStopping the gateway…\n');
    gateway.close().then(
      () => process.exit(0),
      () => process.exit(1),
    );
  };
  process.on('SIGINT', stop);
  process.on('SIGTERM', stop);
}

main().catch((error: unknown) => {
  const message = error instanceof StartupError ? error.message : `The gateway could not start: ${String(error)}`;
  process.stderr.write(`error: ${message}\n`);
  process.exit(1);
});
