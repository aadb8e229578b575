/**
 * Structured JSON log lines (CloudWatch-friendly). Never pass a credential, a key or a request body here.
 */
type Level = 'debug' | 'info' | 'warn' | 'error';

const LEVELS: Record<Level, number> = { debug: 10, info: 20, warn: 30, error: 40 };

function threshold(): number {
  const configured = (process.env.GATEWAY_LOG_LEVEL ?? process.env.POWERTOOLS_LOG_LEVEL ?? 'info').toLowerCase();
  return LEVELS[configured as Level] ?? LEVELS.info;
}

function emit(level: Level, message: string, fields?: Record<string, unknown>): void {
  if (LEVELS[level] < threshold()) return;
  const line = JSON.stringify({ level, time: new Date().toISOString(), message, ...fields }, errorReplacer);
  if (level === 'error' || level === 'warn') process.stderr.write(`${line}\n`);
  else process.stdout.write(`${line}\n`);
}

// Errors serialise to their name, code and status; the message only for the gateway's own errors. An upstream
// error's message can echo the credential it was sent ("Incorrect API key provided: sk-…"), and its stack and cause
// can carry internal hostnames, so neither is ever logged.
function errorReplacer(_key: string, value: unknown): unknown {
  if (value instanceof Error) {
    const { code, status } = value as { code?: unknown; status?: unknown };
    const out: Record<string, unknown> = { name: value.name, code, status };
    if (value.name === 'GatewayError') out.message = value.message;
    return out;
  }
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
