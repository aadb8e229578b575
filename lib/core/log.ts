/**
 * Structured JSON log lines (CloudWatch-friendly), one per event, for the gateway and the admin API alike. Never
 * pass a credential, a key or a request body here. `GATEWAY_LOG_LEVEL` (else `POWERTOOLS_LOG_LEVEL`) sets the
 * threshold: `debug`, `info` (the default), `warn`, `error`, or `silent`.
 */
type Level = 'debug' | 'info' | 'warn' | 'error';

const LEVELS: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

function threshold(): number {
  const configured = (process.env.GATEWAY_LOG_LEVEL ?? process.env.POWERTOOLS_LOG_LEVEL ?? 'info').toLowerCase();
  if (configured === 'silent') return Number.POSITIVE_INFINITY;
  return LEVELS[configured as Level] ?? LEVELS.info;
}

function emit(level: Level, message: string, fields?: Record<string, unknown>): void {
  if (LEVELS[level] < threshold()) return;
  const line = JSON.stringify({ level, time: new Date().toISOString(), message, ...fields }, errorReplacer);
  if (level === 'error' || level === 'warn') process.stderr.write(`${line}\n`);
  else process.stdout.write(`${line}\n`);
}

/** How deep a chain of causes is followed: the SDK's error, fetch's, the socket's. */
const MAX_CAUSE_DEPTH = 4;

/**
 * An error as a log field: name, code and status, and its cause chain. The message is kept for the gateway's own
 * errors and for errors that are not an HTTP answer (a refused connection, a DNS failure, a timeout: Node's and
 * the SDKs' own words, e.g. `connect ECONNREFUSED 127.0.0.1:443`). An upstream HTTP error's message is left out,
 * since it can echo the credential it was sent ("Incorrect API key provided: sk-…"); its status says what happened.
 * Stacks are never logged. Every string still goes through `redactSecrets`.
 */
function errorFields(error: Error, depth: number): Record<string, unknown> {
  const { code, status, cause } = error as { code?: unknown; status?: unknown; cause?: unknown };
  const out: Record<string, unknown> = { name: error.name };
  if (code !== undefined && code !== null) out.code = code;
  if (status !== undefined && status !== null) out.status = status;
  if (error.name === 'GatewayError' || typeof status !== 'number') out.message = error.message;
  if (cause !== undefined && cause !== null && depth < MAX_CAUSE_DEPTH) {
    out.cause = cause instanceof Error ? errorFields(cause, depth + 1) : { type: typeof cause };
  }
  return out;
}

function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) return errorFields(value, 0);
  if (typeof value === 'string') return redactSecrets(value);
  return value;
}

const SECRET_SHAPES = [
  /\b(?:sk|gw|gwadmin|sk-ant|xai|gsk)-[A-Za-z0-9_-]{8,}/g,
  /\bAKIA[0-9A-Z]{16}\b/g,
  /\bAIza[0-9A-Za-z_-]{20,}/g,
  /\bBearer\s+[A-Za-z0-9._~+/=-]{8,}/gi,
];

/** Masks strings shaped like API keys, in case one reaches a log field by a path nobody foresaw. */
export function redactSecrets(text: string): string {
  let out = text;
  for (const shape of SECRET_SHAPES) out = out.replace(shape, '[redacted]');
  return out;
}

export const log = {
  debug: (message: string, fields?: Record<string, unknown>) => emit('debug', message, fields),
  info: (message: string, fields?: Record<string, unknown>) => emit('info', message, fields),
  warn: (message: string, fields?: Record<string, unknown>) => emit('warn', message, fields),
  error: (message: string, fields?: Record<string, unknown>) => emit('error', message, fields),
};
